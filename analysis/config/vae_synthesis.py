"""Run sizes of the VAE-synthesis chapter (seed 004, :mod:`analysis.vae_synthesis`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from analysis.config.overrides import as_tuple, check_positive_integers, chosen_overrides, profile_of

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
    # Folds the augmentation runs on (None = all): three of five keep every
    # subject count and latent size while the chapter trains in minutes.
    augmentation_folds: int | None = 3
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
    base = profile_of(VAE_SYNTHESIS_PROFILES, profile)
    chosen = chosen_overrides(VaeSynthesisSettings, overrides, "VAE-synthesis ")
    for key in ("vae_hidden", "ae_hidden", "subject_counts", "latent_sweep"):
        if key in chosen:
            chosen[key] = tuple(int(item) for item in as_tuple(key, chosen[key]))
    settings = replace(base, **chosen)
    _check_vae_synthesis(settings)
    return settings


def _check_vae_synthesis(settings: VaeSynthesisSettings) -> None:
    """Reject sizes that cannot run, naming the value."""
    positive = (
        "trials_per_subject", "outlier_trees", "vae_latent", "vae_epochs", "vae_patience", "vae_batch",
        "ae_epochs", "ae_patience", "ae_batch", "boosting_iterations", "permutations", "n_bootstrap",
        "sae_latent", "sae_epochs",
    )
    check_positive_integers(settings, positive)
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
