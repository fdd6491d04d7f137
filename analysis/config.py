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
# GenGait (sibling chapter for seed 002): masked transformer autoencoder
# ===========================================================================


@dataclass(frozen=True)
class GenGaitSettings:
    """Run sizes of the masked-autoencoder chapter (:mod:`analysis.gengait`).

    The cohort and the subject split are the study's (``study_profile``), so
    the SAE it is compared with never saw the test subjects either.
    """

    profile: str = "full"
    study_profile: str = "full"  # the Settings profile whose cohort, split and SAE are used
    patch: int = 10  # samples per time patch (101 samples are edge-padded to whole patches)
    d_model: int = 48
    encoder_layers: int = 3
    decoder_layers: int = 1
    heads: int = 4
    feedforward: int = 96
    epochs: int = 20
    patience: int = 5
    batch_size: int = 128
    learning_rate: float = 1e-3
    train_seed: int = 0
    # Masking curriculum: random-token ratio rises from the first to the second value, and the
    # share of structured masks (channel, side, time span, channel × tile) rises to the last value.
    mask_ratio: tuple[float, float] = (0.15, 0.5)
    structured_share: float = 0.75
    # Calibration: per-trial false-flag rate the threshold is set for on validation normals.
    flag_rate: float = 0.05
    # Evaluation: trials per test subject, abnormality severities, kinds also edited on both sides.
    trials_per_subject: int = 1
    severities: tuple[float, ...] = (0.5, 1.0, 2.0, 3.0)
    bilateral_kinds: tuple[str, ...] = ("reduced_push_off", "delayed_loading")
    edited_side: str = "right"
    pca_components: int = 20
    ridge_alpha: float = 10.0
    n_bootstrap: int = 500
    device: str = "cpu"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


GENGAIT_PROFILES: dict[str, GenGaitSettings] = {
    "full": GenGaitSettings(),
    # Every code path in seconds: a tiny model, few epochs, the study's smoke cohort.
    "smoke": GenGaitSettings(
        profile="smoke",
        study_profile="smoke",
        d_model=16,
        encoder_layers=1,
        decoder_layers=1,
        heads=2,
        feedforward=32,
        epochs=4,
        patience=2,
        batch_size=64,
        trials_per_subject=8,
        severities=(1.0, 3.0),
        bilateral_kinds=("reduced_push_off",),
        pca_components=5,
        n_bootstrap=50,
    ),
    # The seed's depths (8 encoder, 2 decoder layers) at patch 5; config only, nothing requires a GPU.
    "gpu": GenGaitSettings(
        profile="gpu",
        patch=5,
        d_model=128,
        encoder_layers=8,
        decoder_layers=2,
        heads=8,
        feedforward=256,
        epochs=60,
        patience=10,
        trials_per_subject=3,
        device="auto",
    ),
}


def resolve_gengait(profile: str = "full", **overrides: Any) -> GenGaitSettings:
    """GenGait settings of ``profile`` with every non-``None`` override applied; bad values are named."""
    if profile not in GENGAIT_PROFILES:
        raise ValueError(f"unknown GenGait profile {profile!r}; choose one of {sorted(GENGAIT_PROFILES)}")
    chosen = {key: value for key, value in overrides.items() if value is not None}
    unknown = set(chosen) - set(GenGaitSettings.__dataclass_fields__)
    if unknown:
        raise ValueError(f"unknown GenGait setting(s) {sorted(unknown)}")
    for key in ("severities", "bilateral_kinds", "mask_ratio"):
        if key in chosen:
            chosen[key] = _as_tuple(key, chosen[key])
            if key != "bilateral_kinds":
                try:
                    chosen[key] = tuple(float(value) for value in chosen[key])
                except (TypeError, ValueError):
                    raise ValueError(f"{key} must be numbers, got {overrides[key]!r}") from None
    settings = replace(GENGAIT_PROFILES[profile], **chosen)
    _check_gengait(settings)
    return settings


def _check_gengait(settings: GenGaitSettings) -> None:
    positive = ("patch", "d_model", "encoder_layers", "decoder_layers", "heads", "feedforward", "epochs", "patience",
                "batch_size", "trials_per_subject", "pca_components", "n_bootstrap")  # fmt: skip
    for name in positive:
        value = getattr(settings, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if settings.d_model % settings.heads:
        raise ValueError(f"d_model ({settings.d_model}) must be divisible by heads ({settings.heads})")
    if not 0 < settings.flag_rate < 0.5:
        raise ValueError(f"flag_rate must be in (0, 0.5), got {settings.flag_rate!r}")
    if not settings.learning_rate > 0:
        raise ValueError(f"learning_rate must be positive, got {settings.learning_rate!r}")
    ratios = tuple(float(value) for value in settings.mask_ratio)
    if len(ratios) != 2 or not 0 < ratios[0] <= ratios[1] < 1:
        raise ValueError(f"mask_ratio must be (start, end) with 0 < start <= end < 1, got {settings.mask_ratio!r}")
    if not 0 <= settings.structured_share <= 1:
        raise ValueError(f"structured_share must be in [0, 1], got {settings.structured_share!r}")
    severities = tuple(float(value) for value in settings.severities)
    if not severities or any(not 0 < value <= 3 for value in severities):
        raise ValueError(f"severities must be numbers of healthy SDs in (0, 3], got {settings.severities!r}")
    if settings.edited_side not in ("left", "right"):
        raise ValueError(f"edited_side must be 'left' or 'right', got {settings.edited_side!r}")
    if settings.study_profile not in PROFILES:
        raise ValueError(f"study_profile must be one of {sorted(PROFILES)}, got {settings.study_profile!r}")
    if not settings.ridge_alpha > 0:
        raise ValueError(f"ridge_alpha must be positive, got {settings.ridge_alpha!r}")
