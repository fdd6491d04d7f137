"""Run sizes of the diffusion chapter (seed 001, :mod:`analysis.gaitdynamics`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from analysis.config.overrides import as_tuple, check_positive_integers, chosen_overrides, profile_of

GAITDYNAMICS_SCHEDULERS: tuple[str, ...] = ("ddim", "repaint")


@dataclass(frozen=True)
class GaitDynamicsSettings:
    """Everything that changes what the diffusion chapter computes.

    ``patch`` samples form one time token (1 = one token per sample, as
    GaitDynamics); ``width``/``layers``/``heads``/``feedforward`` size the
    denoising transformer; ``n_samples`` diffusion samples are drawn per
    trial and mask; ``n_eval_subjects`` test subjects (a fixed draw) with at
    most ``trials_per_subject`` trials each are evaluated.
    """

    profile: str = "full"
    patch: int = 8
    width: int = 64
    layers: int = 3
    heads: int = 4
    feedforward: int = 128
    dropout: float = 0.0
    train_steps: int = 4000
    batch_size: int = 64
    learning_rate: float = 1e-3
    weight_decay: float = 0.02
    ema_decay: float = 0.999
    condition_dropout: float = 0.15  # classifier-free: metadata rows hidden with this probability
    train_timesteps: int = 1000
    sampling_steps: int = 20
    eta: float = 1.0  # DDIM stochasticity (1 = DDPM-like spread of the samples)
    guidance: float = 1.0  # classifier-free guidance weight (1 = plain conditional model)
    n_samples: int = 8
    n_eval_subjects: int = 30
    trials_per_subject: int = 3
    refine_epochs: int = 40
    fresh_seeds: tuple[int, ...] = (101, 102)  # generator seeds of the "best achievable" sample
    held_out_dataset: int = 7  # DATASET_ID left out of training entirely
    max_subjects: int | None = None
    n_bootstrap: int = 1000
    split_seed: int = 0
    data_seed: int = 0
    seed: int = 0
    sampler: str = "ddim"
    repaint_jumps: int = 5  # RePaint: jump length and resamplings (only for sampler="repaint")
    device: str = "auto"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


GAITDYNAMICS_PROFILES: dict[str, GaitDynamicsSettings] = {
    "full": GaitDynamicsSettings(),
    "smoke": GaitDynamicsSettings(
        profile="smoke",
        width=32,
        layers=2,
        heads=2,
        feedforward=64,
        train_steps=400,
        batch_size=64,
        sampling_steps=8,
        n_samples=4,
        n_eval_subjects=8,
        trials_per_subject=2,
        refine_epochs=4,
        fresh_seeds=(101,),
        max_subjects=60,
        n_bootstrap=100,
        repaint_jumps=2,
        ema_decay=0.98,
    ),
    # The seed's size: one token per sample, 256 wide, 4 blocks of 4 heads, FF 1024.
    "gpu": GaitDynamicsSettings(
        profile="gpu",
        patch=1,
        width=256,
        layers=4,
        heads=4,
        feedforward=1024,
        dropout=0.1,
        train_steps=20000,
        batch_size=256,
        learning_rate=4e-4,
        sampling_steps=50,
        n_samples=16,
        n_eval_subjects=60,
        trials_per_subject=5,
        device="cuda",
    ),
}


def resolve_gaitdynamics(profile: str = "full", **overrides: Any) -> GaitDynamicsSettings:
    """GaitDynamics settings of ``profile`` with every non-``None`` override applied and checked."""
    base = profile_of(GAITDYNAMICS_PROFILES, profile)
    chosen = chosen_overrides(GaitDynamicsSettings, overrides, "GaitDynamics ")
    if "fresh_seeds" in chosen:
        chosen["fresh_seeds"] = as_tuple("seeds", chosen["fresh_seeds"])
    settings = replace(base, **chosen)
    positive = ("patch", "width", "layers", "heads", "feedforward", "train_steps", "batch_size", "train_timesteps",
                "sampling_steps", "n_samples", "n_eval_subjects", "trials_per_subject", "refine_epochs", "n_bootstrap",
                "repaint_jumps")
    check_positive_integers(settings, positive)
    if settings.width % settings.heads:
        raise ValueError(f"width ({settings.width}) must be divisible by heads ({settings.heads})")
    if settings.sampling_steps > settings.train_timesteps:
        raise ValueError(f"sampling_steps ({settings.sampling_steps}) must not exceed train_timesteps ({settings.train_timesteps})")
    for name, low, high in (("condition_dropout", 0.0, 1.0), ("dropout", 0.0, 1.0), ("eta", 0.0, 1.0), ("ema_decay", 0.0, 1.0)):
        value = getattr(settings, name)
        if not low <= value <= high or (name == "condition_dropout" and value == 1.0):
            raise ValueError(f"{name} must lie in [{low}, {high}), got {value!r}" if name == "condition_dropout" else f"{name} must lie in [{low}, {high}], got {value!r}")
    if settings.guidance < 0:
        raise ValueError(f"guidance must be non-negative, got {settings.guidance!r}")
    if settings.learning_rate <= 0:
        raise ValueError(f"learning_rate must be positive, got {settings.learning_rate!r}")
    if settings.sampler not in GAITDYNAMICS_SCHEDULERS:
        raise ValueError(f"sampler must be one of {list(GAITDYNAMICS_SCHEDULERS)}, got {settings.sampler!r}")
    if settings.n_samples < 2:
        raise ValueError(f"n_samples must be at least 2 (intervals and CRPS need a spread), got {settings.n_samples!r}")
    return settings
