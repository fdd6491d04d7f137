"""Run profiles: the single source of truth for how much work a chapter does.

Each chapter's papermill ``parameters`` cell names a ``profile`` and may
override any field with a non-``None`` value; :func:`resolve` merges the two
for the study's chapters. The audit, the comparison with textbook methods
and each sibling system have their own family of settings in a module of
this package, re-exported here, so every run size is looked up in one place.
"""

from __future__ import annotations

import ast
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from analysis.config.overrides import as_tuple, chosen_overrides, profile_of

MODEL_NAMES: tuple[str, ...] = ("sae", "sae_disentangled", "svae")
MODEL_LABELS: dict[str, str] = {
    "sae": "SAE",
    "sae_disentangled": "SAE + disentanglement",
    "svae": "Sparse VAE",
}


@dataclass(frozen=True)
class Settings:
    """Everything that changes what a chapter computes."""

    profile: str = "full"
    models: tuple[str, ...] = MODEL_NAMES
    seeds: tuple[int, ...] = (0, 1, 2, 3, 4)
    epochs: int = 100
    patience: int = 10
    # Penalty weights rise linearly over these first epochs (analysis.engine.training).
    warmup_epochs: int = 10
    batch_size: int = 32
    learning_rate: float = 1e-3
    latent_dim: int = 100
    split_seed: int = 0
    data_seed: int = 0
    # None = every subject; an int keeps that many subjects (chosen by seed).
    max_subjects: int | None = None
    device: str = "auto"
    # Extra keyword arguments for the model constructors (the λ values).
    model_options: dict[str, dict[str, float]] = field(default_factory=dict)
    tsne_perplexity: float = 30.0
    n_clusters: int = 5
    # Resamples of subjects for bootstrap intervals (the real-curves yardstick).
    n_bootstrap: int = 1000
    # Sparsity calibration of the deterministic models (analysis.sae.calibration):
    # the L1 weights tried, a few KL-sparsity weights shown beside them, and the seeds used.
    calibrate_sparsity: bool = True
    sparsity_grid: tuple[float, ...] = (0.01, 0.03, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0)
    kl_sparsity_grid: tuple[float, ...] = (0.003, 0.01, 0.03)
    calibration_seeds: tuple[int, ...] = (0, 1)
    # The L1 weights tried for models of single curves (135 coefficients; analysis.sae.one_channel).
    curve_sparsity_grid: tuple[float, ...] = (0.3, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 5.0)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


PROFILES: dict[str, Settings] = {
    "full": Settings(),
    # Tiny but complete: every code path of every chapter, in seconds.
    "smoke": Settings(
        profile="smoke",
        seeds=(0, 1),
        epochs=3,
        patience=2,
        warmup_epochs=1,
        latent_dim=16,
        max_subjects=24,
        tsne_perplexity=5.0,
        n_clusters=3,
        n_bootstrap=100,
        sparsity_grid=(0.01, 0.3),
        kl_sparsity_grid=(0.01,),
        calibration_seeds=(0,),
        curve_sparsity_grid=(0.1, 1.0),
    ),
}


def resolve(profile: str = "full", **overrides: Any) -> Settings:
    """Settings of ``profile`` with every non-``None`` override applied."""
    base = profile_of(PROFILES, profile)
    chosen = chosen_overrides(Settings, overrides, "")
    for key in ("models", "seeds", "calibration_seeds", "sparsity_grid", "kl_sparsity_grid", "curve_sparsity_grid"):
        if key in chosen:
            chosen[key] = as_tuple(key, chosen[key])
    if "model_options" in chosen:
        chosen["model_options"] = _model_options(chosen["model_options"])
    if "models" in chosen:
        bad = [name for name in chosen["models"] if name not in MODEL_NAMES]
        if bad:
            raise ValueError(f"unknown model(s) {bad}; choose from {list(MODEL_NAMES)}")
    return replace(base, **chosen)


def _model_options(value: Any) -> dict[str, dict[str, float]]:
    """λ overrides per model, e.g. ``{"svae": {"kl_weight": 0.001}}`` (text from papermill too)."""
    if isinstance(value, str):
        try:
            value = ast.literal_eval(value.strip())
        except (ValueError, SyntaxError):
            raise ValueError(f"model_options must be a dict such as {{'svae': {{'kl_weight': 0.001}}}}, got {value!r}") from None
    if not isinstance(value, dict):
        raise ValueError(f"model_options must be a dict of dicts, got {type(value).__name__}")
    options: dict[str, dict[str, float]] = {}
    for name, weights in value.items():
        if name not in MODEL_NAMES:
            raise ValueError(f"model_options names unknown model {name!r}; choose from {list(MODEL_NAMES)}")
        if not isinstance(weights, dict):
            raise ValueError(f"model_options[{name!r}] must be a dict of weights, got {weights!r}")
        options[name] = {str(key): float(weight) for key, weight in weights.items()}
    return options


# The other families of settings (one module each), importable from here.
from analysis.config.audit import AUDIT_PROFILES, AUDIT_SWITCHES, AuditSettings, resolve_audit  # noqa: E402
from analysis.config.beyond import BEYOND_PROFILES, BeyondSettings, beyond_settings  # noqa: E402
from analysis.config.gaitdynamics import (  # noqa: E402
    GAITDYNAMICS_PROFILES,
    GAITDYNAMICS_SCHEDULERS,
    GaitDynamicsSettings,
    resolve_gaitdynamics,
)
from analysis.config.gengait import GENGAIT_PROFILES, GenGaitSettings, resolve_gengait  # noqa: E402
from analysis.config.relevance import RELEVANCE_PROFILES, RelevanceSettings, resolve_relevance  # noqa: E402
from analysis.config.vae_synthesis import (  # noqa: E402
    VAE_SYNTHESIS_PROFILES,
    VaeSynthesisSettings,
    resolve_vae_synthesis,
)
