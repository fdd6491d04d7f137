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


# --- Audit of the original code (book/audit_original_code.py, analysis.audit) ------------------

# The original code's choices, in the order the audit chapter numbers them (analysis.audit.switches).
AUDIT_SWITCHES: tuple[str, ...] = (
    "per_curve", "id_columns", "no_split", "randn_init", "code_penalties", "code_vae", "coefficient_figure",
)  # fmt: skip


@dataclass(frozen=True)
class AuditSettings:
    """Run sizes of the audit chapter: which switches, how many seeds, subjects and epochs.

    Every configuration (none, each switch alone, all together) trains the
    three models for every seed; ``max_subjects`` subsamples the cohort so the
    whole sweep fits the chapter's time budget, ``epochs`` is the epoch limit
    with a split and the fixed epoch count without one.
    """

    profile: str = "full"
    switches: tuple[str, ...] = AUDIT_SWITCHES
    seeds: tuple[int, ...] = (0, 1, 2)
    epochs: int = 100
    latent_dim: int = 100
    max_subjects: int | None = 32

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


AUDIT_PROFILES: dict[str, AuditSettings] = {
    "full": AuditSettings(),
    "smoke": AuditSettings(profile="smoke", seeds=(0, 1), epochs=3, latent_dim=16, max_subjects=12),
}


def resolve_audit(profile: str = "full", **overrides: Any) -> AuditSettings:
    """Audit settings of ``profile`` with every non-``None`` override applied (switch names checked)."""
    if profile not in AUDIT_PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose one of {sorted(AUDIT_PROFILES)}")
    chosen = {key: value for key, value in overrides.items() if value is not None}
    unknown = set(chosen) - set(AuditSettings.__dataclass_fields__)
    if unknown:
        raise ValueError(f"unknown audit setting(s) {sorted(unknown)}")
    if "seeds" in chosen:
        chosen["seeds"] = _as_tuple("seeds", chosen["seeds"])
    if "switches" in chosen:
        names = _as_tuple("switches", chosen["switches"])
        bad = [name for name in names if name not in AUDIT_SWITCHES]
        if bad:
            raise ValueError(f"unknown switch(es) {bad}; choose from {list(AUDIT_SWITCHES)}")
        chosen["switches"] = tuple(name for name in AUDIT_SWITCHES if name in names)
    for key in ("epochs", "latent_dim"):
        if key in chosen and int(chosen[key]) < 1:
            raise ValueError(f"{key} must be at least 1, got {chosen[key]}")
    return replace(AUDIT_PROFILES[profile], **chosen)
