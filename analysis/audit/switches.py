"""The original code's choices as switches of the book's pipeline: what each one changes, as data.

Seven behaviours of the study's public code (paper-claims, "How the original
implementation behaved") are switches; each says which part of a run it
touches (the input rows, the model, the training or the measurement) and a
:class:`Configuration` is a set of switches. With no switch on, every part is
the book's pipeline: the same feature matrices
(:func:`analysis.features.model_inputs.build_features`), the same model
configuration and the same training settings, so its models are the
pipeline's own cache entries.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import pywt

from analysis import config as book_config
from analysis.data import Cohort
from analysis.engine.training import TrainConfig
from analysis.features import wavelets
from analysis.features.model_inputs import PARTS, Standardizer, build_features, subject_split
from analysis.audit.models import AuditModelConfig, as_pipeline_config
from analysis.sae import study as gait
from analysis.sae.models import ModelConfig

# The four identifier columns that lead every row of the curve files.
ID_COLUMNS: tuple[str, ...] = ("DATASET_ID", "SUBJECT_ID", "SESSION_ID", "TRIAL_ID")
# The code's weights on the KL sparsity, L1 and covariance terms (items 5 and 9).
CODE_PENALTY_WEIGHT = 0.1
# The code's "sparse VAE" weighs the summed KL by the study's β = 1 and the summed L1 like
# the code's other L1 terms (0.1); the paper does not state the latter.
CODE_VAE_KL_WEIGHT = 1.0
CODE_VAE_L1_WEIGHT = 0.1


@dataclass(frozen=True)
class Switch:
    """One choice of the original code: its number, a short label and the part of a run it changes."""

    key: str
    number: int
    label: str
    changes: str  # "input", "model", "training" or "measurement"
    description: str


SWITCHES: tuple[Switch, ...] = (
    Switch("per_curve", 1, "one sample per curve", "input",
           "each curve is its own sample (135 coefficients), the ten channels mixed in one training set"),
    Switch("id_columns", 2, "ID columns in the signal", "input",
           "the four ID columns go into the wavelet transform with the curve: 105 values, 141 coefficients per curve"),
    Switch("no_split", 3, "no held-out split", "training",
           "train on every trial, evaluate on the same rows, 100 epochs, no early stopping, last epoch kept"),
    Switch("randn_init", 4, "randn/√d initialisation", "model",
           "weights drawn from N(0, 1/d) instead of Xavier-uniform"),
    Switch("code_penalties", 5, "code's penalties", "model",
           "KL sparsity, L1 and covariance weights 0.1 in both deterministic models, ρ̂ unclamped"),
    Switch("code_vae", 6, "code's sparse VAE", "model",
           "tied, one linear map as μ, log σ² = 0, KL and L1 summed over batch and units"),
    Switch("coefficient_figure", 7, "Figure 6 as drawn", "measurement",
           "single-feature 'reconstructions' are the decoded coefficient vectors (a wavelet decomposition and reconstruction of them is the identity), not curves"),
)  # fmt: skip
SWITCH_KEYS: tuple[str, ...] = tuple(switch.key for switch in SWITCHES)
BY_KEY: dict[str, Switch] = {switch.key: switch for switch in SWITCHES}
NONE = "none"
ALL = "all"


def check_switches(names: Iterable[str]) -> tuple[str, ...]:
    """The switch keys in canonical order; a name that is not a switch raises a clear ValueError."""
    if isinstance(names, str):
        names = (names,)
    names = tuple(names)
    unknown = [name for name in names if name not in BY_KEY]
    if unknown:
        raise ValueError(f"unknown switch(es) {unknown}; choose from {list(SWITCH_KEYS)}")
    return tuple(key for key in SWITCH_KEYS if key in names)


@dataclass(frozen=True)
class Configuration:
    """A set of switches that are on; the empty set is the book's pipeline."""

    switches: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "switches", check_switches(self.switches))

    def on(self, key: str) -> bool:
        check_switches((key,))
        return key in self.switches

    @property
    def name(self) -> str:
        if not self.switches:
            return NONE
        if self.switches == SWITCH_KEYS:
            return ALL
        return "+".join(self.switches)

    @property
    def label(self) -> str:
        if not self.switches:
            return "none (the book's pipeline)"
        if self.switches == SWITCH_KEYS:
            return "all seven"
        return " + ".join(f"({BY_KEY[key].number}) {BY_KEY[key].label}" for key in self.switches)

    def training_part(self) -> Configuration:
        """The switches that change what is trained (measurement switches left out)."""
        return Configuration(tuple(key for key in self.switches if BY_KEY[key].changes != "measurement"))


def configurations(keys: Sequence[str] = SWITCH_KEYS) -> list[Configuration]:
    """The pipeline, each switch of ``keys`` alone, and all of them together."""
    keys = check_switches(keys)
    return [Configuration(()), *(Configuration((key,)) for key in keys), Configuration(keys)]


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True, eq=False)
class AuditInputs:
    """Model inputs of one configuration: standardised rows, the trial of every row, the scaling.

    ``evaluation`` is the held-out test part, or every row when there is no
    split (then train, validation and evaluation are the same rows).
    """

    train: np.ndarray
    validation: np.ndarray
    evaluation: np.ndarray
    everything: np.ndarray
    train_trials: np.ndarray  # trial index of every training row
    evaluation_trials: np.ndarray
    everything_trials: np.ndarray
    standardizer: Standardizer
    per_curve: bool
    id_columns: bool
    n_channels: int
    identity: str

    @property
    def input_dim(self) -> int:
        return int(self.train.shape[1])

    def raw(self, standardised: np.ndarray) -> np.ndarray:
        """Rows back in coefficient units (the scale of the code's unscaled rows)."""
        return self.standardizer.inverse_transform(standardised)


def signal_rows(cohort: Cohort, id_columns: bool) -> np.ndarray:
    """(trials, channels, samples): the 101 stance samples, preceded by the four IDs when ``id_columns``."""
    curves = np.asarray(cohort.curves, dtype=np.float64)
    if not id_columns:
        return curves
    ids = cohort.trials[list(ID_COLUMNS)].to_numpy(dtype=np.float64)
    leading = np.broadcast_to(ids[:, None, :], (curves.shape[0], curves.shape[1], len(ID_COLUMNS)))
    return np.concatenate([leading, curves], axis=-1)


def wavelet_rows(signals: np.ndarray) -> np.ndarray:
    """db5 level-4 coefficients of every row along the last axis (any length), flattened per row."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Level value of \d+ is too high", category=UserWarning)
        bands = pywt.wavedec(signals, wavelets.WAVELET, mode=wavelets.MODE, level=wavelets.LEVEL, axis=-1)
    return np.concatenate(bands, axis=-1)


def band_lengths(n_values: int) -> tuple[int, ...]:
    """Lengths of (A4, D4, D3, D2, D1) for a row of ``n_values``: 135 in all for 101, 141 for 105."""
    return tuple(int(band.shape[-1]) for band in _bands(np.zeros(n_values)))


def _bands(values: np.ndarray) -> list[np.ndarray]:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Level value of \d+ is too high", category=UserWarning)
        return pywt.wavedec(values, wavelets.WAVELET, mode=wavelets.MODE, level=wavelets.LEVEL, axis=-1)


def inverse_rows(coefficients: np.ndarray, n_values: int) -> np.ndarray:
    """Signals of ``n_values`` from flattened per-row coefficients (the exact inverse of :func:`wavelet_rows`)."""
    boundaries = np.cumsum(band_lengths(n_values))[:-1]
    bands = np.split(np.asarray(coefficients, dtype=np.float64), boundaries, axis=-1)
    return pywt.waverec(bands, wavelets.WAVELET, mode=wavelets.MODE, axis=-1)[..., :n_values]


def build_inputs(cohort: Cohort, configuration: Configuration, split_seed: int = 0) -> AuditInputs:
    """The rows a configuration trains and is evaluated on.

    Without switches 2 and 3 the matrices are those of
    :func:`~analysis.features.model_inputs.build_features` (same split, same
    standardisation, same identity); otherwise the same steps run on the
    changed signals, standardised on the training rows (all rows without a
    split).
    """
    per_curve = configuration.on("per_curve")
    id_columns = configuration.on("id_columns")
    no_split = configuration.on("no_split")
    unit = "channel" if per_curve else "trial"
    n_channels = len(cohort.channels)
    if not id_columns and not no_split:
        features = build_features(cohort, split_seed=split_seed, unit=unit)
        return AuditInputs(
            train=features.train, validation=features.validation, evaluation=features.test,
            everything=np.concatenate([features.train, features.validation, features.test]),
            train_trials=features.rows("train"), evaluation_trials=features.rows("test"),
            everything_trials=np.concatenate([features.rows(part) for part in PARTS]),
            standardizer=features.standardizer, per_curve=per_curve, id_columns=False,
            n_channels=n_channels, identity=features.identity,
        )  # fmt: skip
    per_row = wavelet_rows(signal_rows(cohort, id_columns))  # (trials, channels, coefficients)
    coefficients = per_row.reshape(-1, per_row.shape[-1]) if per_curve else per_row.reshape(per_row.shape[0], -1)
    repeat = n_channels if per_curve else 1
    trial_of_row = np.repeat(np.arange(len(cohort.trials)), repeat)
    if no_split:
        parts = {name: np.arange(len(trial_of_row)) for name in PARTS}
    else:
        split = subject_split(cohort.trials["SUBJECT_ID"].to_numpy(), seed=split_seed)
        parts = {name: np.flatnonzero(np.isin(trial_of_row, split.part(name))) for name in PARTS}
    standardizer = Standardizer().fit(coefficients[parts["train"]])
    matrices = {name: standardizer.transform(coefficients[rows]).astype(np.float32) for name, rows in parts.items()}
    everything_rows = parts["train"] if no_split else np.concatenate([parts[name] for name in PARTS])
    digest = hashlib.sha256()
    for payload in (configuration.training_part().name, str(split_seed), *(matrices[name].tobytes() for name in PARTS)):
        digest.update(payload.encode() if isinstance(payload, str) else payload)
    return AuditInputs(
        train=matrices["train"], validation=matrices["validation"], evaluation=matrices["test"],
        everything=standardizer.transform(coefficients[everything_rows]).astype(np.float32),
        train_trials=trial_of_row[parts["train"]], evaluation_trials=trial_of_row[parts["test"]],
        everything_trials=trial_of_row[everything_rows], standardizer=standardizer, per_curve=per_curve,
        id_columns=id_columns, n_channels=n_channels, identity=digest.hexdigest(),
    )  # fmt: skip


def to_curves(inputs: AuditInputs, standardised: np.ndarray) -> np.ndarray:
    """Time-domain curves (rows, channels or 1, 101) through the exact inverse transform; ID positions dropped."""
    raw = inputs.raw(standardised)
    n_values = 101 + (len(ID_COLUMNS) if inputs.id_columns else 0)
    per_curve = raw.reshape(raw.shape[0], 1 if inputs.per_curve else inputs.n_channels, -1)
    signals = inverse_rows(per_curve, n_values)
    return signals[..., len(ID_COLUMNS) :] if inputs.id_columns else signals


def code_figure_reconstruction(coefficient_vectors: np.ndarray) -> np.ndarray:
    """What the code plotted as a "time-domain" pattern: the vector decomposed and reconstructed, i.e. itself."""
    vectors = np.asarray(coefficient_vectors, dtype=np.float64)
    return inverse_rows(wavelet_rows(vectors), vectors.shape[-1])


# --------------------------------------------------------------------------- models and training


def model_config(settings: book_config.Settings, configuration: Configuration, name: str, input_dim: int) -> ModelConfig:
    """The model of ``name`` under ``configuration``; the pipeline's own configuration when no model switch is on."""
    base = gait.model_config(settings, name, input_dim)
    options: dict[str, object] = {}
    if configuration.on("randn_init"):
        options["init"] = "randn"
    if configuration.on("code_penalties") and name != "svae":
        options.update(
            raw_sparsity=True, covariance_in_sae=True, sparsity_weight=CODE_PENALTY_WEIGHT,
            l1_weight=CODE_PENALTY_WEIGHT, disentanglement_weight=CODE_PENALTY_WEIGHT,
        )  # fmt: skip
    if configuration.on("code_vae") and name == "svae":
        options.update(code_vae=True, kl_weight=CODE_VAE_KL_WEIGHT, l1_weight=CODE_VAE_L1_WEIGHT)
    values = {**base.as_dict(), **options}
    return as_pipeline_config(AuditModelConfig(**values))


def train_config(
    settings: book_config.Settings, configuration: Configuration, seeds: Sequence[int], no_split_epochs: int, model: ModelConfig | None = None
) -> TrainConfig:
    """The pipeline's training settings, changed only where a switch says so.

    Without a split: ``no_split_epochs`` epochs, the last one kept. A model
    with ρ̂ unclamped (switch 5) also keeps its last epoch: its loss can be
    NaN at every epoch, and early stopping cannot choose among NaN losses.
    """
    base = replace(gait.train_config(settings), seeds=tuple(seeds))
    if configuration.on("no_split"):
        warmup = min(base.warmup_epochs, no_split_epochs - 1)
        return replace(base, epochs=no_split_epochs, patience=no_split_epochs, warmup_epochs=warmup, restore_best=False)
    if isinstance(model, AuditModelConfig) and model.raw_sparsity:
        return replace(base, restore_best=False)
    return base


def id_attribute_correlations(cohort: Cohort, attributes: Sequence[str]) -> pd.DataFrame:
    """|r| between each ID column and each attribute over trials: what the IDs alone could carry."""
    rows = []
    for column in ID_COLUMNS:
        ids = cohort.trials[column].to_numpy(dtype=float)
        for attribute in attributes:
            values = pd.to_numeric(cohort.trials[attribute], errors="coerce").to_numpy(dtype=float)
            present = np.isfinite(values)
            r = np.nan
            if present.sum() > 2 and np.ptp(ids[present]) > 0 and np.ptp(values[present]) > 0:
                r = float(np.corrcoef(ids[present], values[present])[0, 1])
            rows.append({"id_column": column, "attribute": attribute, "abs_r": abs(r)})
    return pd.DataFrame(rows)
