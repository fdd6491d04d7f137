"""One VAE per fold, fitted on that fold's training subjects only, and the trials it generates.

The seed generated its synthetic data from the decoder mean at z ~ N(0, I).
We draw those, and also the mean plus a randomly chosen training residual
(the part of a trial the VAE's error term absorbed), because the two differ
in realism: decoder means are smoother and less spread than real trials.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.config import VaeSynthesisSettings
from analysis.features import wavelets
from analysis.vae_synthesis import networks
from analysis.vae_synthesis.samples import CurveScaler, Fold, Samples

TIME_DOMAIN = "time domain"
WAVELET = "wavelet coefficients"


@dataclass
class FoldVAE:
    """A fitted VAE with the scaler of its training rows and its training residuals (scaled)."""

    vae: networks.VAE
    fitted: networks.Fitted
    scaler: CurveScaler
    residuals: np.ndarray
    kl: np.ndarray
    input_kind: str
    shape: tuple[int, int]
    condition_mean: np.ndarray | None = None
    condition_sd: np.ndarray | None = None

    def curves(self, n: int, seed: int, noisy: bool, conditions: np.ndarray | None = None) -> np.ndarray:
        """``n`` generated trials (n, channels, 101) in the data's units."""
        scaled_conditions = None if conditions is None else self.scale_conditions(conditions)
        scaled = networks.sample(self.vae, n, seed, self.residuals if noisy else None, scaled_conditions)
        flat = self.scaler.inverse(scaled)
        if self.input_kind == WAVELET:
            return wavelets.decode(flat, "trial", n_channels=self.shape[0])
        return flat.reshape(n, *self.shape)

    def scale_conditions(self, conditions: np.ndarray) -> np.ndarray:
        if self.condition_mean is None:
            raise ValueError("this VAE is not conditional; pass conditions=None")
        return (np.asarray(conditions, dtype=float) - self.condition_mean) / self.condition_sd


def _inputs(curves: np.ndarray, input_kind: str) -> np.ndarray:
    if input_kind == TIME_DOMAIN:
        return curves.reshape(len(curves), -1)
    if input_kind == WAVELET:
        return wavelets.encode(curves, "trial")
    raise ValueError(f"input_kind must be {TIME_DOMAIN!r} or {WAVELET!r}, got {input_kind!r}")


def fit_vae(
    samples: Samples,
    train_rows: np.ndarray,
    validation_rows: np.ndarray,
    settings: VaeSynthesisSettings,
    latent: int | None = None,
    conditional: bool = False,
    input_kind: str = TIME_DOMAIN,
    seed_offset: int = 0,
) -> FoldVAE:
    """A VAE on ``train_rows`` (early stopping on ``validation_rows``), scaled on its training rows only."""
    latent = settings.vae_latent if latent is None else latent
    if conditional:
        train_rows, validation_rows = samples.with_conditions(train_rows), samples.with_conditions(validation_rows)
    train_flat = _inputs(samples.curves[train_rows], input_kind)
    validation_flat = _inputs(samples.curves[validation_rows], input_kind)
    scaler = CurveScaler(train_flat)
    train, validation = scaler.transform(train_flat), scaler.transform(validation_flat)
    condition_mean = condition_sd = train_conditions = validation_conditions = None
    if conditional:
        raw = samples.conditions()
        condition_mean, condition_sd = raw[train_rows].mean(axis=0), raw[train_rows].std(axis=0) + 1e-9
        train_conditions = (raw[train_rows] - condition_mean) / condition_sd
        validation_conditions = (raw[validation_rows] - condition_mean) / condition_sd
    arguments = {
        "input_dim": train.shape[1],
        "hidden": tuple(settings.vae_hidden),
        "latent": latent,
        "n_conditions": train_conditions.shape[1] if conditional else 0,
        "beta": settings.beta,
    }
    training = networks.Training(settings.vae_epochs, settings.vae_patience, settings.vae_batch, settings.learning_rate, settings.seed + seed_offset)
    fitted = networks.fit("vae", arguments, training, train, validation, train_conditions, validation_conditions)
    vae = fitted.network
    residuals = train - networks.reconstruct(vae, train, train_conditions)
    kl = networks.kl_per_latent(vae, validation, validation_conditions)
    return FoldVAE(vae, fitted, scaler, residuals.astype(np.float32), kl, input_kind, samples.curves.shape[1:], condition_mean, condition_sd)


def fold_vaes(samples: Samples, folds: list[Fold], settings: VaeSynthesisSettings, input_kind: str = TIME_DOMAIN) -> list[FoldVAE]:
    """The unconditional VAE of every fold (cached on disk after the first run)."""
    return [fit_vae(samples, fold.train, fold.validation, settings, input_kind=input_kind, seed_offset=fold.index) for fold in folds]
