"""Run sizes of the relevance chapter (seed 003: a deep network explained by LRP, :mod:`analysis.relevance`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from analysis.config.overrides import as_tuple, chosen_overrides, profile_of

@dataclass(frozen=True)
class RelevanceSettings:
    """Run sizes of the relevance chapter (seed 003)."""

    profile: str = "full"
    contrasts: tuple[str, ...] = ("planted", "speed", "sex", "age")
    models: tuple[str, ...] = ("mlp", "cnn", "logistic")
    n_folds: int = 5
    seeds: tuple[int, ...] = (0, 1)
    max_epochs: int = 30
    patience: int = 5
    batch_size: int = 64
    learning_rate: float = 1e-3
    hidden: tuple[int, ...] = (256, 128, 64)
    dropout: float = 0.3
    validation_share: float = 0.2
    logistic_c: float = 0.01
    # None = every subject / trial.
    max_subjects: int | None = None
    max_trials_per_subject: int | None = 4
    scaling: str = "channel"
    split_seed: int = 0
    data_seed: int = 0
    planted_share: float = 0.5
    planted_target_accuracy: float = 0.91
    # ε→0 would make LRP equal gradient × input for these ReLU networks; a finite ε absorbs weak, contradictory contributions.
    lrp_epsilon: float = 0.1
    explain_per_fold: int = 60
    faithfulness_per_fold: int = 150
    ig_steps: int = 24
    occlusion_window: int = 5
    deletion_fractions: tuple[float, ...] = (0.0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3)
    top_share: float = 0.2
    spm_alpha: float = 0.05
    leaky_contrast: str = "sex"
    device: str = "cpu"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


RELEVANCE_PROFILES: dict[str, RelevanceSettings] = {
    "full": RelevanceSettings(),
    "smoke": RelevanceSettings(
        profile="smoke",
        n_folds=3,
        seeds=(0,),
        max_epochs=6,
        patience=2,
        hidden=(64, 32),
        max_subjects=48,
        max_trials_per_subject=3,
        explain_per_fold=20,
        faithfulness_per_fold=40,
        ig_steps=8,
        deletion_fractions=(0.0, 0.05, 0.2),
    ),
}


def resolve_relevance(profile: str = "full", **overrides: Any) -> RelevanceSettings:
    """The relevance settings of ``profile`` with every non-``None`` override applied."""
    base = profile_of(RELEVANCE_PROFILES, profile)
    chosen = chosen_overrides(RelevanceSettings, overrides, "relevance ")
    for key in ("contrasts", "models", "seeds", "hidden", "deletion_fractions"):
        if key in chosen:
            chosen[key] = as_tuple(key, chosen[key])
    if "seeds" in chosen:
        chosen["seeds"] = tuple(int(seed) for seed in chosen["seeds"])
    return replace(base, **chosen)
