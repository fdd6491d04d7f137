"""Does adding VAE-generated trials to a small training set help the seed's autoencoder?

For every fold and number of real training subjects, the autoencoder is
trained on the real trials alone (RTD), on real plus as many generated trials
(RTSD, 50/50) and on real plus three times as many (RT3SD, 25/75). The
generating VAE is fitted on exactly those real training subjects. Three
references frame the result: PCA with as many components as the
autoencoder's latent (the linear optimum for squared error, a check on an
under-trained autoencoder), the same 50/50 augmentation with fresh trials from
the true generator (an upper bound: perfect synthetic data), and the seed's
own design, one VAE from another fold, which saw this fold's test subjects
(a leak; shown once, labelled).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA

from analysis.config import VaeSynthesisSettings
from analysis.vae_synthesis import networks
from analysis.vae_synthesis.generation import FoldVAE, fit_vae
from analysis.vae_synthesis.samples import CurveScaler, Fold, Samples, fewer_subjects

REAL_ONLY = "real only (RTD)"
HALF = "50/50 VAE (RTSD)"
QUARTER = "25/75 VAE (RT3SD)"
ORACLE = "50/50 true generator"
LEAKY = "50/50 leaky VAE (seed's design)"
PCA_LABEL = "PCA"
REGIMES: tuple[str, ...] = (REAL_ONLY, HALF, QUARTER, ORACLE, LEAKY, PCA_LABEL)


def _autoencoder_mse(
    train: np.ndarray, validation: np.ndarray, test: np.ndarray, settings: VaeSynthesisSettings, latent: int, seed: int
) -> np.ndarray:
    """Per-test-trial MSE (scaled space) of the seed's autoencoder trained on ``train``."""
    arguments = {"input_dim": train.shape[1], "hidden": tuple(settings.ae_hidden), "latent": latent}
    training = networks.Training(settings.ae_epochs, settings.ae_patience, settings.ae_batch, settings.learning_rate, seed)
    fitted = networks.fit("autoencoder", arguments, training, train, validation)
    return ((networks.reconstruct(fitted.network, test) - test) ** 2).mean(axis=1)


def _pca_mse(train: np.ndarray, test: np.ndarray, components: int, seed: int) -> np.ndarray:
    pca = PCA(n_components=min(components, *train.shape), random_state=seed).fit(train)
    return ((pca.inverse_transform(pca.transform(test)) - test) ** 2).mean(axis=1)


def learning_curve(
    samples: Samples,
    folds: list[Fold],
    fold_vaes: list[FoldVAE],
    settings: VaeSynthesisSettings,
    oracle: Samples | None = None,
) -> pd.DataFrame:
    """Per-test-trial reconstruction error of every regime, fold and real subject count (long table).

    ``oracle`` holds fresh trials of the true generator for the training
    subjects (same covariates, new draws); ``None`` (real data) leaves the
    upper bound out. Count 0 means all of a fold's training subjects.
    """
    rows = []
    for fold in folds[: settings.augmentation_folds or len(folds)]:
        for count in settings.subject_counts:
            real_rows = fewer_subjects(fold.train, samples.subjects, count, settings.seed + fold.index)
            n_subjects = int(np.unique(samples.subjects[real_rows]).size)
            if count == 0 or count >= np.unique(samples.subjects[fold.train]).size:
                generator = fold_vaes[fold.index]
            else:
                generator = fit_vae(samples, real_rows, fold.validation, settings, seed_offset=100 * count + fold.index)
            sets = {REAL_ONLY: samples.flat[real_rows]}
            n_real = len(real_rows)
            seed = settings.seed + 1000 * fold.index + count
            sets[HALF] = np.concatenate([sets[REAL_ONLY], _flat(generator.curves(n_real, seed, noisy=True))])
            sets[QUARTER] = np.concatenate([sets[REAL_ONLY], _flat(generator.curves(3 * n_real, seed + 1, noisy=True))])
            if oracle is not None:
                fresh = oracle.flat[np.isin(oracle.subjects, samples.subjects[real_rows])]
                picks = np.random.default_rng(seed).choice(len(fresh), size=min(n_real, len(fresh)), replace=False)
                sets[ORACLE] = np.concatenate([sets[REAL_ONLY], fresh[picks]])
            if count == 0:
                other = fold_vaes[(fold.index + 1) % len(folds)]  # trained on 4/5 of the cohort, this fold's test subjects among them
                sets[LEAKY] = np.concatenate([sets[REAL_ONLY], _flat(other.curves(n_real, seed + 2, noisy=True))])
            scaler = CurveScaler(sets[REAL_ONLY])
            validation = scaler.transform(samples.flat[fold.validation])
            test = scaler.transform(samples.flat[fold.test])
            test_subjects = samples.subjects[fold.test]
            for regime, train in sets.items():
                mse = _autoencoder_mse(scaler.transform(train), validation, test, settings, settings.vae_latent, seed)
                rows.append(_rows(mse, test_subjects, fold.index, n_subjects, count, regime, settings.vae_latent))
            rows.append(_rows(_pca_mse(scaler.transform(sets[REAL_ONLY]), test, settings.vae_latent, seed), test_subjects, fold.index, n_subjects, count, PCA_LABEL, settings.vae_latent))
    return pd.concat(rows, ignore_index=True)


def latent_sweep(samples: Samples, folds: list[Fold], fold_vaes: list[FoldVAE], settings: VaeSynthesisSettings) -> pd.DataFrame:
    """The seed's latent-size search: real-only and 50/50 autoencoders at every latent size, all training subjects."""
    rows = []
    for fold in folds[: settings.augmentation_folds or len(folds)]:
        real = samples.flat[fold.train]
        seed = settings.seed + 1000 * fold.index
        augmented = np.concatenate([real, _flat(fold_vaes[fold.index].curves(len(real), seed, noisy=True))])
        scaler = CurveScaler(real)
        validation, test = scaler.transform(samples.flat[fold.validation]), scaler.transform(samples.flat[fold.test])
        n_subjects = int(np.unique(samples.subjects[fold.train]).size)
        for latent in settings.latent_sweep:
            for regime, train in ((REAL_ONLY, real), (HALF, augmented)):
                mse = _autoencoder_mse(scaler.transform(train), validation, test, settings, latent, seed)
                rows.append(_rows(mse, samples.subjects[fold.test], fold.index, n_subjects, 0, regime, latent))
    return pd.concat(rows, ignore_index=True)


def _flat(curves: np.ndarray) -> np.ndarray:
    return curves.reshape(len(curves), -1)


def _rows(mse: np.ndarray, subjects: np.ndarray, fold: int, n_subjects: int, count: int, regime: str, latent: int) -> pd.DataFrame:
    return pd.DataFrame({"fold": fold, "count": count, "subjects": n_subjects, "regime": regime, "latent": latent, "subject": subjects, "mse": mse})


def gain_table(errors: pd.DataFrame, n_bootstrap: int, seed: int, by: str = "count") -> pd.DataFrame:
    """Test MSE per regime and its gain over real-only (MSE ratio RTD / regime), 95 % interval over test subjects.

    Subjects are resampled with their trials; within a draw the same subjects
    enter every regime, so the ratio's interval reflects paired data.
    """
    rows = []
    rng = np.random.default_rng(seed)
    for level, group in errors.groupby(by, sort=False):
        per_subject = group.groupby(["regime", "fold", "subject"], sort=False)["mse"].mean().unstack("regime")
        draws = rng.integers(0, len(per_subject), size=(n_bootstrap, len(per_subject)))
        values = per_subject.to_numpy()
        means = np.nanmean(values[draws], axis=1)  # (n_bootstrap, regimes)
        base = list(per_subject.columns).index(REAL_ONLY)
        for index, regime in enumerate(per_subject.columns):
            column = values[:, index]
            if not np.isfinite(column).any():
                continue
            ratio = means[:, base] / means[:, index]
            low, high = np.nanpercentile(ratio, [2.5, 97.5])
            rows.append(
                {
                    by: level,
                    "subjects": int(group["subjects"].median()),
                    "regime": regime,
                    "test MSE": float(np.nanmean(column)),
                    "gain": float(np.nanmean(values[:, base]) / np.nanmean(column)),
                    "gain low": float(low),
                    "gain high": float(high),
                }
            )
    return pd.DataFrame(rows)
