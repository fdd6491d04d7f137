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


# ---------------------------------------------------------------------------
# Sibling chapter: a deep network that tells groups apart, explained by LRP
# (analysis.relevance, book/sibling_relevance.py). Its own sizes; nothing
# above depends on them.
# ---------------------------------------------------------------------------


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
    if profile not in RELEVANCE_PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose one of {sorted(RELEVANCE_PROFILES)}")
    chosen = {key: value for key, value in overrides.items() if value is not None}
    unknown = set(chosen) - set(RelevanceSettings.__dataclass_fields__)
    if unknown:
        raise ValueError(f"unknown relevance setting(s) {sorted(unknown)}")
    for key in ("contrasts", "models", "seeds", "hidden", "deletion_fractions"):
        if key in chosen:
            chosen[key] = _as_tuple(key, chosen[key])
    if "seeds" in chosen:
        chosen["seeds"] = tuple(int(seed) for seed in chosen["seeds"])
    return replace(RELEVANCE_PROFILES[profile], **chosen)

# --- Audit and beyond, Chapter B (analysis.beyond): baselines, frontier, stability, probes, ground truth ---


@dataclass(frozen=True)
class BeyondSettings:
    """Run sizes of the chapter that puts the study's sparse features beside textbook methods."""

    # TopK SAE (analysis.sae.topk): the k's of its frontier (each one pass over
    # seed 0) and the extra seeds of the k closest to the study SAE's active count.
    topk_ks: tuple[int, ...] = (2, 5, 10, 20, 50)
    topk_seeds: tuple[int, ...] = (0, 1, 2)
    topk_epochs: int = 60
    topk_patience: int = 5
    # Frontier knobs of the textbook methods (components, or non-zeros per row).
    pca_components: tuple[int, ...] = (1, 2, 5, 10, 20, 50, 100)
    ica_components: tuple[int, ...] = (10, 100)
    dictionary_sparsities: tuple[int, ...] = (1, 2, 5, 10, 20, 50)
    # Passes over the training rows when learning the dictionary's atoms.
    dictionary_passes: int = 2
    # Seeds of the seeded baselines (ICA, dictionary) for seed stability.
    baseline_seeds: tuple[int, ...] = (0, 1, 2)
    # Probes: features per probe, grouped folds, shuffled-target repetitions.
    probe_ks: tuple[int, ...] = (1, 5, 20)
    probe_folds: int = 5
    n_permutations: int = 20
    # Resamples of subjects for every interval; random atom sets for the stability null.
    n_bootstrap: int = 500
    null_atom_draws: int = 20
    # Lasso penalty of the DCI importances (standardised codes and factors).
    dci_alpha: float = 0.01

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


BEYOND_PROFILES: dict[str, BeyondSettings] = {
    "full": BeyondSettings(),
    "smoke": BeyondSettings(
        topk_ks=(2, 4),
        topk_seeds=(0, 1),
        topk_epochs=3,
        topk_patience=2,
        pca_components=(1, 2, 5, 10),
        ica_components=(5, 16),
        dictionary_sparsities=(1, 2, 4),
        dictionary_passes=1,
        baseline_seeds=(0, 1),
        probe_ks=(1, 5),
        probe_folds=3,
        n_permutations=3,
        n_bootstrap=50,
        null_atom_draws=3,
    ),
}


def beyond_settings(profile: str = "full") -> BeyondSettings:
    """The chapter's run sizes for ``profile``."""
    if profile not in BEYOND_PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose one of {sorted(BEYOND_PROFILES)}")
    return BEYOND_PROFILES[profile]

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

# ---------------------------------------------------------------------------
# VAE-generated curves (sibling chapter of seed 004, analysis.vae_synthesis)


@dataclass(frozen=True)
class VaeSynthesisSettings:
    """Run sizes of the VAE-synthesis chapter: generator, realism tests, augmentation, link to the study."""

    profile: str = "full"
    data_seed: int = 0
    seed: int = 0
    # The seed drew three samples per participant; so do we (trials per subject).
    trials_per_subject: int = 3
    max_subjects: int | None = None
    outlier_trees: int = 500
    n_folds: int = 5
    # VAE 1,010 → 256 → 108 → z (the seed's final model) and its training.
    vae_hidden: tuple[int, ...] = (256, 108)
    vae_latent: int = 15
    beta: float = 1.0
    vae_epochs: int = 400
    vae_patience: int = 20
    vae_batch: int = 128
    learning_rate: float = 1e-3
    # The seed's use-case autoencoder 1,010 → 500 → 250 → 50 → z and its training.
    ae_hidden: tuple[int, ...] = (500, 250, 50)
    ae_epochs: int = 200
    ae_patience: int = 10
    ae_batch: int = 64
    # Learning curve over real training subjects; 0 stands for all of a fold's training subjects.
    subject_counts: tuple[int, ...] = (10, 25, 50, 0)
    latent_sweep: tuple[int, ...] = (15, 7, 3)
    # Folds the augmentation runs on (None = all); the cheapest lever on the full profile's cold-cache time.
    augmentation_folds: int | None = None
    # Realism tests.
    boosting_iterations: int = 50
    permutations: int = 1000
    n_bootstrap: int = 1000
    # Link to the study: a small SAE trained on real-only and augmented wavelet inputs.
    sae_latent: int = 100
    sae_epochs: int = 40

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


VAE_SYNTHESIS_PROFILES: dict[str, VaeSynthesisSettings] = {
    "full": VaeSynthesisSettings(),
    "smoke": VaeSynthesisSettings(
        profile="smoke",
        max_subjects=36,
        outlier_trees=50,
        n_folds=3,
        vae_epochs=15,
        vae_patience=5,
        ae_epochs=8,
        ae_patience=3,
        subject_counts=(10, 0),
        latent_sweep=(15, 3),
        boosting_iterations=15,
        permutations=200,
        n_bootstrap=100,
        sae_latent=16,
        sae_epochs=3,
    ),
}


def resolve_vae_synthesis(profile: str = "full", **overrides: Any) -> VaeSynthesisSettings:
    """Settings of the VAE-synthesis chapter for ``profile`` with every non-``None`` override applied."""
    if profile not in VAE_SYNTHESIS_PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose one of {sorted(VAE_SYNTHESIS_PROFILES)}")
    chosen = {key: value for key, value in overrides.items() if value is not None}
    unknown = set(chosen) - set(VaeSynthesisSettings.__dataclass_fields__)
    if unknown:
        raise ValueError(f"unknown VAE-synthesis setting(s) {sorted(unknown)}")
    for key in ("vae_hidden", "ae_hidden", "subject_counts", "latent_sweep"):
        if key in chosen:
            chosen[key] = tuple(int(item) for item in _as_tuple(key, chosen[key]))
    settings = replace(VAE_SYNTHESIS_PROFILES[profile], **chosen)
    _check_vae_synthesis(settings)
    return settings


def _check_vae_synthesis(settings: VaeSynthesisSettings) -> None:
    """Reject sizes that cannot run, naming the value."""
    positive = (
        "trials_per_subject", "outlier_trees", "vae_latent", "vae_epochs", "vae_patience", "vae_batch",
        "ae_epochs", "ae_patience", "ae_batch", "boosting_iterations", "permutations", "n_bootstrap",
        "sae_latent", "sae_epochs",
    )
    for name in positive:
        value = getattr(settings, name)
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if settings.n_folds < 3:
        raise ValueError(f"n_folds must be at least 3 (train, validation and test subjects), got {settings.n_folds!r}")
    if not (settings.beta >= 0 and settings.learning_rate > 0):
        raise ValueError(f"beta must be ≥ 0 and learning_rate > 0, got beta={settings.beta!r}, learning_rate={settings.learning_rate!r}")
    if any(count < 0 for count in settings.subject_counts):
        raise ValueError(f"subject_counts must be ≥ 0 (0 = all), got {settings.subject_counts!r}")
    if any(size < 1 for size in (*settings.vae_hidden, *settings.ae_hidden, *settings.latent_sweep)):
        raise ValueError("vae_hidden, ae_hidden and latent_sweep must hold positive sizes")
    if settings.augmentation_folds is not None and not 1 <= settings.augmentation_folds <= settings.n_folds:
        raise ValueError(f"augmentation_folds must lie in 1..n_folds ({settings.n_folds}), got {settings.augmentation_folds!r}")
    if settings.max_subjects is not None and settings.max_subjects < 2 * settings.n_folds:
        raise ValueError(f"max_subjects must be at least twice n_folds, got {settings.max_subjects!r}")

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
