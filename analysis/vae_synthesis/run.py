"""The chapter's steps, one call each: data → fold VAEs → realism → SPM → augmentation → conditional check.

Comparisons use one trial per subject on the cohort side (as the seed used
one sample per participant): every subject is a test subject of exactly one
fold, and that fold's VAE, which never saw the subject, generates as many
trials as the fold has test subjects.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis import data
from analysis.config import VaeSynthesisSettings
from analysis.data import source as data_source
from analysis.vae_synthesis import realism, spm
from analysis.vae_synthesis.generation import FoldVAE
from analysis.vae_synthesis.samples import CurveScaler, Fold, Samples, draw, grouped_folds

COHORT = "cohort"
VAE_MEAN = "VAE, decoder mean"
VAE_NOISY = "VAE, mean + residual"
POOR = "control: PCA-5 Gaussian"
HALVES = "control: cohort half A vs half B"
POOR_COMPONENTS = 5


@dataclass(frozen=True)
class ChapterData:
    source: data_source.DataSource
    cohort: data.Cohort
    samples: Samples
    folds: list[Fold]


def prepare(settings: VaeSynthesisSettings, data_dir: str | None = None, download: bool | None = None) -> ChapterData:
    """Data source, cohort, the seed's three-trials-per-subject draw with its outlier step, and the folds."""
    chosen = data_source.resolve(data_dir=data_dir, download=download, seed=settings.data_seed)
    cohort = data.load(chosen.directory)
    if settings.max_subjects is not None:
        cohort = cohort.subset_subjects(settings.max_subjects, seed=settings.seed)
    samples = draw(cohort, settings.trials_per_subject, settings.seed, settings.outlier_trees)
    return ChapterData(chosen, cohort, samples, grouped_folds(samples.subjects, settings.n_folds, settings.seed))


def one_per_subject(rows: np.ndarray, subjects: np.ndarray, seed: int) -> np.ndarray:
    """One random row of every subject among ``rows``."""
    rng = np.random.default_rng(seed)
    return np.array([rng.choice(rows[subjects[rows] == subject]) for subject in np.unique(subjects[rows])], dtype=int)


@dataclass(frozen=True)
class ComparisonSets:
    """Pooled over folds: cohort trials (one per subject), their subjects, and the generated counterparts."""

    cohort: np.ndarray
    subjects: np.ndarray
    generated: dict[str, np.ndarray]
    training_distance: dict[str, np.ndarray]


def comparison_sets(samples: Samples, folds: list[Fold], vaes: list[FoldVAE], seed: int) -> ComparisonSets:
    """Cohort test trials and, per fold, as many VAE (mean, mean + residual) and poor-control trials.

    Also the distance of every generated trial, and of every held-out cohort
    trial, to the closest training trial of its fold (memorisation).
    """
    cohort, subjects = [], []
    generated: dict[str, list[np.ndarray]] = {VAE_MEAN: [], VAE_NOISY: [], POOR: []}
    distance: dict[str, list[np.ndarray]] = {COHORT: [], VAE_MEAN: [], VAE_NOISY: []}
    for fold, model in zip(folds, vaes):
        rows = one_per_subject(fold.test, samples.subjects, seed + fold.index)
        n = len(rows)
        cohort.append(samples.curves[rows])
        subjects.append(samples.subjects[rows])
        generated[VAE_MEAN].append(model.curves(n, seed + 10 * fold.index, noisy=False))
        generated[VAE_NOISY].append(model.curves(n, seed + 10 * fold.index + 1, noisy=True))
        scaler = CurveScaler(samples.flat[fold.train])  # time domain, whatever the VAE's input
        train_scaled = scaler.transform(samples.flat[fold.train])
        poor = realism.pca_gaussian(train_scaled, n, POOR_COMPONENTS, seed + fold.index)
        generated[POOR].append(scaler.inverse(poor).reshape(n, *samples.curves.shape[1:]))
        distance[COHORT].append(realism.closest_distances(scaler.transform(samples.flat[rows]), train_scaled))
        for label in (VAE_MEAN, VAE_NOISY):
            flat = generated[label][-1].reshape(n, -1)
            distance[label].append(realism.closest_distances(scaler.transform(flat), train_scaled))
    return ComparisonSets(
        np.concatenate(cohort),
        np.concatenate(subjects),
        {label: np.concatenate(parts) for label, parts in generated.items()},
        {label: np.concatenate(parts) for label, parts in distance.items()},
    )


def halves(sets: ComparisonSets, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The cohort trials split into two disjoint halves of subjects: (half A, half B, their subjects)."""
    unique = np.unique(sets.subjects)
    first = np.isin(sets.subjects, np.random.default_rng(seed).permutation(unique)[: unique.size // 2])
    return sets.cohort[first], sets.cohort[~first], sets.subjects[first], sets.subjects[~first]


def c2st(sets: ComparisonSets, settings: VaeSynthesisSettings, classifiers: tuple[str, ...] = realism.CLASSIFIERS, with_controls: bool = True) -> pd.DataFrame:
    """The classifier two-sample tests of the generated sets against the cohort, with both controls."""
    comparisons = {
        label: (sets.cohort, curves, sets.subjects, None)
        for label, curves in sets.generated.items()
        if with_controls or label != POOR
    }
    if with_controls:
        a, b, subjects_a, subjects_b = halves(sets, settings.seed)
        comparisons[HALVES] = (a, b, subjects_a, subjects_b)
    return realism.c2st_table(comparisons, settings.seed, settings.boosting_iterations, settings.n_bootstrap, classifiers)


def spm_tables(sets: ComparisonSets, channels: tuple[str, ...], settings: VaeSynthesisSettings) -> tuple[pd.DataFrame, pd.DataFrame]:
    """SPM per channel (Bonferroni) and Hotelling's T² for each VAE sampler, and for the two controls.

    Controls: the cohort's halves (nothing planted: should find nothing) and
    the halves with a bump of 0.5 between-subject SD planted at the left first
    peak of half B (should be found).
    """
    a, b, _, _ = halves(sets, settings.seed)
    vertical = channels.index("F_V_left")
    peak_time = np.argmax(b[:, vertical, 10:40], axis=1) + 10
    peak_sd = float(np.concatenate([a, b])[:, vertical, 10:40].max(axis=1).std(ddof=1))
    planted = spm.plant_bump(b, vertical, peak_time, 0.5 * peak_sd)
    pairs = {
        VAE_MEAN: (sets.cohort, sets.generated[VAE_MEAN]),
        VAE_NOISY: (sets.cohort, sets.generated[VAE_NOISY]),
        "control: halves, nothing planted": (a, b),
        "control: halves, 0.5 SD planted at the left first peak": (a, planted),
    }
    per_channel, joint = [], []
    for label, (first, second) in pairs.items():
        table = spm.channel_tests(first, second, channels, settings.permutations, settings.seed)
        per_channel.append(table.assign(comparison=label))
        joint.append({"comparison": label, **spm.hotelling(first, second, settings.permutations, settings.seed)})
    return pd.concat(per_channel, ignore_index=True), pd.DataFrame(joint)


def memorisation(sets: ComparisonSets) -> pd.DataFrame:
    """Median distance to the closest training trial: generated trials against held-out cohort trials (ratio ≥ 0.95: no copying)."""
    holdout = float(np.median(sets.training_distance[COHORT]))
    rows = [{"sampler": COHORT + " (held-out subjects)", "median distance": holdout, "ratio to held-out": 1.0}]
    for label in (VAE_MEAN, VAE_NOISY):
        median = float(np.median(sets.training_distance[label]))
        rows.append({"sampler": label, "median distance": median, "ratio to held-out": median / holdout})
    return pd.DataFrame(rows)


def settings_table(settings: VaeSynthesisSettings) -> pd.DataFrame:
    """The run settings as the page header shows them."""
    return pd.DataFrame(
        [
            ("profile", settings.profile),
            ("trials per subject (outlier step: isolation forest, trees)", f"{settings.trials_per_subject} ({settings.outlier_trees})"),
            ("folds (subject-grouped)", str(settings.n_folds)),
            ("VAE (hidden, latent, β)", f"{settings.vae_hidden}, {settings.vae_latent}, {settings.beta:g}"),
            ("VAE epochs (patience), batch", f"{settings.vae_epochs} ({settings.vae_patience}), {settings.vae_batch}"),
            ("autoencoder (hidden), epochs (patience), batch", f"{settings.ae_hidden}, {settings.ae_epochs} ({settings.ae_patience}), {settings.ae_batch}"),
            ("real training subjects (0 = all)", ", ".join(str(count) for count in settings.subject_counts)),
            ("folds of the augmentation runs", "all" if settings.augmentation_folds is None else str(settings.augmentation_folds)),
            ("permutations, bootstrap resamples", f"{settings.permutations}, {settings.n_bootstrap}"),
            ("study link: SAE latent, epochs", f"{settings.sae_latent}, {settings.sae_epochs}"),
        ],
        columns=["setting", "value"],
    )
