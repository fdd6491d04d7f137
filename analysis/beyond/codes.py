"""Every method of the chapter behind one interface: encode rows, decode codes, show atoms.

The study's autoencoders (read from the cache the results chapters fill), a
TopK SAE trained by the book's engine, and the textbook baselines of
:mod:`analysis.evaluation.baselines` all become :class:`Code` objects, so
each measure of the chapter is computed the same way whichever model made
the code. All are fitted on the study's training subjects, on the study's
standardised wavelet coefficients.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from sklearn.decomposition import MiniBatchDictionaryLearning
from sklearn.exceptions import ConvergenceWarning

from analysis import config
from analysis.engine import training
from analysis.evaluation import baselines
from analysis.sae import calibration, study as gait, topk
from analysis.sae.models import DEFAULT_L1_WEIGHT

# Method keys and how the page names them.
SAE = "sae"
SAE_STUDY = "sae_study"
SAE_SWEEP = "sae_sweep"  # the SAE along its λ₂ grid (the calibration's runs)
SAE_DISENTANGLED = "sae_disentangled"
SVAE = "svae"
TOPK = topk.NAME
PCA, ICA, DICTIONARY = "pca", "ica", "dictionary"
LABELS: dict[str, str] = {
    SAE: "SAE (calibrated λ₂)",
    SAE_STUDY: "SAE (study's λ₂)",
    SAE_SWEEP: "SAE (λ₂ sweep)",
    SAE_DISENTANGLED: "SAE + disentanglement",
    SVAE: "Sparse VAE",
    TOPK: topk.LABEL,
    PCA: "PCA",
    ICA: "FastICA",
    DICTIONARY: "Dictionary + OMP",
}
SPARSE_AUTOENCODERS = (SAE, SAE_STUDY, SAE_DISENTANGLED, TOPK)
TEXTBOOK = (PCA, ICA, DICTIONARY)


@dataclass(frozen=True)
class Code:
    """One fitted method (one seed): rows → codes → rows."""

    method: str
    seed: int
    setting: str  # e.g. "k = 10", "λ₂ = 0.5", "50 components"
    encode: Callable[[np.ndarray], np.ndarray]
    decode: Callable[[np.ndarray], np.ndarray]
    n_features: int

    @property
    def label(self) -> str:
        return LABELS[self.method]

    def reconstruct(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self.decode(self.encode(x)), dtype=np.float64)

    def atoms(self) -> np.ndarray:
        """Each feature's decoded direction: decode(one-hot) − decode(0), one row per feature."""
        eye = np.eye(self.n_features, dtype=np.float32)
        zero = np.zeros((1, self.n_features), dtype=np.float32)
        return np.asarray(self.decode(eye), dtype=np.float64) - np.asarray(self.decode(zero), dtype=np.float64)


def from_run(method: str, run: training.TrainedModel, setting: str) -> Code:
    return Code(
        method,
        run.seed,
        setting,
        lambda x: np.asarray(run.encode(x), dtype=np.float64),
        lambda z: np.asarray(run.decode(np.asarray(z, dtype=np.float32)), dtype=np.float64),
        run.config.latent_dim,
    )


def from_baseline(fitted: baselines.FittedBaseline, seed: int) -> Code:
    setting = f"{fitted.n_components} components" if fitted.sparsity is None else f"{fitted.sparsity} of {fitted.n_components} atoms"
    return Code(fitted.method, seed, setting, fitted.encode, fitted.decode, fitted.n_components)


def study_codes(study: gait.Study, progress: bool = False) -> tuple[dict[str, list[Code]], dict[str, float]]:
    """The study's models at the calibrated λ₂ (as the results chapters use them) and the SAE at the study's λ₂.

    Returns the codes per method and the λ₂ of each SAE operating point.
    """
    calibrations = gait.calibrate_all(study, progress=progress)
    runs = gait.train_all(study, progress=progress, calibrations=calibrations)
    codes: dict[str, list[Code]] = {}
    weights: dict[str, float] = {}
    for name, seed_runs in runs.items():
        weight = gait.main_config(study, name, calibrations).l1_weight
        setting = f"λ₂ = {weight:g}" if name != SVAE else "as trained"
        codes[name] = [from_run(name, run, setting) for run in seed_runs]
        if name == SAE:
            weights[SAE] = weight
    if SAE in runs:
        literal = gait.train_variant(study, SAE, progress, l1_weight=DEFAULT_L1_WEIGHT)
        codes[SAE_STUDY] = [from_run(SAE_STUDY, run, f"λ₂ = {DEFAULT_L1_WEIGHT:g}") for run in literal]
        weights[SAE_STUDY] = DEFAULT_L1_WEIGHT
    return codes, weights


def sae_sweep(study: gait.Study, progress: bool = False) -> list[tuple[float, list[training.TrainedModel]]]:
    """The SAE's calibration sweep over λ₂ (cached when the calibration ran): its sparsity frontier."""
    settings = study.settings
    if SAE not in settings.models:
        return []
    base = gait.model_config(settings, SAE, study.features.train.shape[1])
    grid = settings.sparsity_grid
    configs = [replace(base, **{calibration.CALIBRATED_WEIGHT: float(weight)}) for weight in grid]
    results = training.train_together(
        configs,
        gait.train_config(settings, seeds=settings.calibration_seeds),
        study.features.train,
        study.features.validation,
        study.features.identity,
        progress=progress,
    )
    return [(float(weight), runs) for weight, runs in zip(grid, results, strict=True)]


def topk_train_config(settings: config.Settings, beyond: config.BeyondSettings, seeds: tuple[int, ...]) -> training.TrainConfig:
    return training.TrainConfig(
        epochs=beyond.topk_epochs,
        batch_size=settings.batch_size,
        learning_rate=settings.learning_rate,
        patience=beyond.topk_patience,
        seeds=seeds,
        device=settings.device,
        warmup_epochs=min(settings.warmup_epochs, beyond.topk_epochs - 1),
    )


def topk_runs(
    study: gait.Study, beyond: config.BeyondSettings, ks: tuple[int, ...], seeds: tuple[int, ...], progress: bool = False
) -> dict[int, list[training.TrainedModel]]:
    """TopK SAEs of every ``k`` (one stacked pass of ``seeds`` per k; cached like the study's models)."""
    settings = study.settings
    width = study.features.train.shape[1]
    runs = {}
    for k in ks:
        if k > settings.latent_dim:
            raise ValueError(f"topk k={k} exceeds latent_dim={settings.latent_dim}")
        runs[k] = training.train(
            topk.TopKConfig(input_dim=width, latent_dim=settings.latent_dim, k=int(k)),
            topk_train_config(settings, beyond, seeds),
            study.features.train,
            study.features.validation,
            data_identity=study.features.identity,
            progress=progress,
        )
    return runs


def baseline_codes(study: gait.Study, method: str, n_components: int, seeds: tuple[int, ...], sparsity: int | None = None) -> list[Code]:
    """A textbook method fitted on the training rows, once per seed (PCA is exact, so one fit serves every seed)."""
    train = study.features.train
    if method == PCA:
        fitted = baselines.fit_baseline(PCA, train, n_components)
        return [from_baseline(fitted, seed) for seed in seeds]
    return [from_baseline(baselines.fit_baseline(method, train, n_components, sparsity=sparsity, seed=seed), seed) for seed in seeds]


def fit_dictionary(train: np.ndarray, n_atoms: int, sparsity: int, seed: int, passes: int) -> baselines.FittedBaseline:
    """A dictionary learned in ``passes`` passes over the training rows, coding by OMP with ``sparsity`` non-zeros.

    The same estimator as :func:`analysis.evaluation.baselines.fit_baseline`
    (same L1 weight, OMP coding at an exact L0), with the atoms fitted by
    coordinate descent instead of LARS and fewer passes: on the full cohort a
    LARS pass takes close to a minute on two cores, a coordinate-descent
    pass a few seconds, and the test FVE after one pass is already as good as
    after twenty. The inner lasso of a fitting step may stop before its
    tolerance; only the atoms depend on it, and the test FVE judges them.
    """
    if isinstance(passes, bool) or not isinstance(passes, int) or passes < 1:
        raise ValueError(f"passes must be a positive integer, got {passes!r}")
    if not 1 <= sparsity <= n_atoms:
        raise ValueError(f"sparsity={sparsity} must lie in [1, n_atoms={n_atoms}]")
    estimator = MiniBatchDictionaryLearning(
        n_components=int(n_atoms),
        alpha=baselines.DICTIONARY_ALPHA,
        fit_algorithm="cd",
        transform_algorithm="omp",
        transform_n_nonzero_coefs=int(sparsity),
        max_iter=int(passes),
        random_state=seed,
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        estimator.fit(np.asarray(train, dtype=np.float64))
    return baselines.FittedBaseline(DICTIONARY, int(n_atoms), int(sparsity), estimator, int(np.asarray(train).shape[1]))
