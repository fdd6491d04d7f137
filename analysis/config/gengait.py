"""Run sizes of the masked-autoencoder chapter (seed 002, :mod:`analysis.gengait`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from analysis.config.overrides import as_tuple, check_positive_integers, chosen_overrides, profile_of


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
    base = profile_of(GENGAIT_PROFILES, profile)
    chosen = chosen_overrides(GenGaitSettings, overrides, "GenGait ")
    for key in ("severities", "bilateral_kinds", "mask_ratio"):
        if key in chosen:
            chosen[key] = as_tuple(key, chosen[key])
            if key != "bilateral_kinds":
                try:
                    chosen[key] = tuple(float(value) for value in chosen[key])
                except (TypeError, ValueError):
                    raise ValueError(f"{key} must be numbers, got {overrides[key]!r}") from None
    settings = replace(base, **chosen)
    _check_gengait(settings)
    return settings


def _check_gengait(settings: GenGaitSettings) -> None:
    positive = ("patch", "d_model", "encoder_layers", "decoder_layers", "heads", "feedforward", "epochs", "patience",
                "batch_size", "trials_per_subject", "pca_components", "n_bootstrap")  # fmt: skip
    check_positive_integers(settings, positive)
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
    from analysis.config import PROFILES  # the study's profiles (this package's root imports this module)

    if settings.study_profile not in PROFILES:
        raise ValueError(f"study_profile must be one of {sorted(PROFILES)}, got {settings.study_profile!r}")
    if not settings.ridge_alpha > 0:
        raise ValueError(f"ridge_alpha must be positive, got {settings.ridge_alpha!r}")
