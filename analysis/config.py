"""Run profiles: the single source of truth for how much work a chapter does.

Each chapter's papermill ``parameters`` cell names a ``profile`` and may
override any field with a non-``None`` value; :func:`resolve` merges the two.
"""

from __future__ import annotations

import ast
from dataclasses import asdict, dataclass, field, replace
from typing import Any

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
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose one of {sorted(PROFILES)}")
    chosen = {key: value for key, value in overrides.items() if value is not None}
    unknown = set(chosen) - set(Settings.__dataclass_fields__)
    if unknown:
        raise ValueError(f"unknown setting(s) {sorted(unknown)}")
    for key in ("models", "seeds", "calibration_seeds", "sparsity_grid", "kl_sparsity_grid", "curve_sparsity_grid"):
        if key in chosen:
            chosen[key] = _as_tuple(key, chosen[key])
    if "model_options" in chosen:
        chosen["model_options"] = _model_options(chosen["model_options"])
    if "models" in chosen:
        bad = [name for name in chosen["models"] if name not in MODEL_NAMES]
        if bad:
            raise ValueError(f"unknown model(s) {bad}; choose from {list(MODEL_NAMES)}")
    return replace(PROFILES[profile], **chosen)


def _as_tuple(name: str, value: Any) -> tuple:
    """Accept lists, tuples and the text papermill's ``-p`` passes (``"[3]"``, ``"0,1"``)."""
    if isinstance(value, str):
        text = value.strip()
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            value = [part.strip() for part in text.strip("[]()").split(",") if part.strip()]
    if isinstance(value, (str, int)):
        value = [value]
    items = tuple(value)
    if name in ("seeds", "calibration_seeds"):
        try:
            items = tuple(int(item) for item in items)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be integers, got {value!r}") from None
    if name.endswith("grid"):
        try:
            items = tuple(float(item) for item in items)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be numbers, got {value!r}") from None
        if name == "kl_sparsity_grid" and not items:
            return items
    if not items:
        raise ValueError(f"{name} must not be empty")
    return items


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


# ===========================================================================
# GaitDynamics sibling chapter (seed 001): run sizes of the diffusion model
# (analysis.gaitdynamics). Kept apart from Settings: the fields are its own.
# ===========================================================================

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
    if profile not in GAITDYNAMICS_PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose one of {sorted(GAITDYNAMICS_PROFILES)}")
    chosen = {key: value for key, value in overrides.items() if value is not None}
    unknown = set(chosen) - set(GaitDynamicsSettings.__dataclass_fields__)
    if unknown:
        raise ValueError(f"unknown GaitDynamics setting(s) {sorted(unknown)}")
    if "fresh_seeds" in chosen:
        chosen["fresh_seeds"] = _as_tuple("seeds", chosen["fresh_seeds"])
    settings = replace(GAITDYNAMICS_PROFILES[profile], **chosen)
    positive = ("patch", "width", "layers", "heads", "feedforward", "train_steps", "batch_size", "train_timesteps",
                "sampling_steps", "n_samples", "n_eval_subjects", "trials_per_subject", "refine_epochs", "n_bootstrap",
                "repaint_jumps")
    for name in positive:
        value = getattr(settings, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
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
