"""The models' input: standardised wavelet coefficients with a subject-grouped split.

Trials of one person resemble each other far more than trials of different
people, so a split by trial would let the test set leak into training. Every
subject therefore lands in exactly one of train, validation and test, and the
standardisation is fitted on the training rows only. A :class:`FeatureSet`
carries a content hash (``identity``) so trained models and cached results
can prove which data, split and scaling they belong to.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from analysis.features.wavelets import LEVEL, MODE, WAVELET, Segment, decode, encode, layout

if TYPE_CHECKING:
    from analysis.data import Cohort

PARTS: tuple[str, ...] = ("train", "validation", "test")
DEFAULT_FRACTIONS: tuple[float, float, float] = (0.70, 0.15, 0.15)
SUBJECT_COLUMN = "SUBJECT_ID"
# A column whose training SD is below this (relative to its mean, at least 1)
# is constant up to rounding and is only centred, never divided by ~0.
_CONSTANT_TOLERANCE = 1e-12


@dataclass(frozen=True, eq=False)
class Split:
    """Sorted trial row indices of each part, plus the subject of every row."""

    train: np.ndarray
    validation: np.ndarray
    test: np.ndarray
    subject_ids: np.ndarray = field(repr=False)

    def part(self, name: str) -> np.ndarray:
        if name not in PARTS:
            raise ValueError(f"unknown part {name!r}; choose one of {PARTS}")
        return getattr(self, name)

    def sizes(self) -> dict[str, dict[str, int]]:
        """Trials and subjects per part, for reporting the split."""
        return {
            name: {
                "trials": int(self.part(name).size),
                "subjects": int(pd.unique(self.subject_ids[self.part(name)]).size),
            }
            for name in PARTS
        }

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Split):
            return NotImplemented
        return all(np.array_equal(self.part(name), other.part(name)) for name in PARTS)

    __hash__ = None  # type: ignore[assignment]


def subject_split(
    subject_ids: ArrayLike,
    fractions: Sequence[float] = DEFAULT_FRACTIONS,
    seed: int = 0,
) -> Split:
    """Assign whole subjects to train/validation/test; ``fractions`` count subjects.

    Subjects are shuffled by ``seed`` after being put in sorted order (order of
    first appearance when the IDs cannot be sorted), so the split depends on
    which subjects there are, not on the order of the rows.
    """
    ids = _id_series(subject_ids)
    subject_fractions = _check_fractions(fractions)
    codes, uniques = _factorize(ids)
    n_subjects = len(uniques)
    if n_subjects < len(PARTS):
        raise ValueError(
            f"a train/validation/test split needs at least {len(PARTS)} subjects, got {n_subjects}"
        )
    counts = _subject_counts(subject_fractions, n_subjects)
    order = np.random.default_rng(seed).permutation(n_subjects)
    boundaries = np.cumsum(counts)[:-1]
    parts = {}
    for name, subject_codes in zip(PARTS, np.split(order, boundaries)):
        parts[name] = np.flatnonzero(np.isin(codes, subject_codes)).astype(np.int64)
    return Split(**parts, subject_ids=ids.to_numpy())


class Standardizer:
    """Per-column centring and scaling, learned from training rows only."""

    def __init__(self) -> None:
        self.mean_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None

    def fit(self, x: ArrayLike) -> Standardizer:
        values = _as_matrix(x, "x")
        if values.shape[0] == 0:
            raise ValueError("cannot fit a Standardizer on 0 rows")
        mean = values.mean(axis=0)
        standard_deviation = values.std(axis=0)
        constant = standard_deviation <= _CONSTANT_TOLERANCE * np.maximum(1.0, np.abs(mean))
        self.mean_ = mean
        self.scale_ = np.where(constant, 1.0, standard_deviation)
        return self

    def transform(self, x: ArrayLike) -> np.ndarray:
        mean, scale = self._fitted()
        values = self._matching(x, mean.size)
        return (values - mean) / scale

    def inverse_transform(self, x: ArrayLike) -> np.ndarray:
        mean, scale = self._fitted()
        values = self._matching(x, mean.size)
        return values * scale + mean

    def state_dict(self) -> dict[str, np.ndarray]:
        mean, scale = self._fitted()
        return {"mean": mean.copy(), "scale": scale.copy()}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Standardizer:
        missing = {"mean", "scale"} - set(state)
        if missing:
            raise ValueError(f"Standardizer state lacks {sorted(missing)}")
        mean = np.asarray(state["mean"], dtype=np.float64)
        scale = np.asarray(state["scale"], dtype=np.float64)
        if mean.ndim != 1 or mean.shape != scale.shape:
            raise ValueError(
                f"Standardizer state needs 1-D 'mean' and 'scale' of equal length, "
                f"got shapes {mean.shape} and {scale.shape}"
            )
        if not (np.isfinite(mean).all() and np.isfinite(scale).all() and (scale > 0).all()):
            raise ValueError("Standardizer state needs finite 'mean' and finite, positive 'scale'")
        standardizer = cls()
        standardizer.mean_ = mean
        standardizer.scale_ = scale
        return standardizer

    def _fitted(self) -> tuple[np.ndarray, np.ndarray]:
        if self.mean_ is None or self.scale_ is None:
            raise RuntimeError("Standardizer is not fitted; call fit(x) first")
        return self.mean_, self.scale_

    @staticmethod
    def _matching(x: ArrayLike, n_columns: int) -> np.ndarray:
        values = _as_matrix(x, "x")
        if values.shape[1] != n_columns:
            raise ValueError(f"x has {values.shape[1]} columns but the Standardizer was fitted on {n_columns}")
        return values


@dataclass(frozen=True, eq=False)
class FeatureSet:
    """Standardised coefficient matrices of one cohort, split by subject.

    For ``unit="trial"`` row i of a part is trial ``rows(part)[i]``; for
    ``unit="channel"`` every trial contributes one row per channel, in
    ``channels`` order, and ``rows(part)`` repeats each trial index accordingly.
    """

    train: np.ndarray
    validation: np.ndarray
    test: np.ndarray
    split: Split
    standardizer: Standardizer
    unit: str
    layout: tuple[Segment, ...]
    channels: tuple[str, ...]
    trials: pd.DataFrame = field(repr=False)
    identity: str

    def rows(self, part: str) -> np.ndarray:
        """Trial row index (into ``trials``) of every row of ``part``."""
        indices = self.split.part(part)
        if self.unit == "channel":
            return np.repeat(indices, len(self.channels))
        return indices


def build_features(
    cohort: Cohort,
    fractions: Sequence[float] = DEFAULT_FRACTIONS,
    split_seed: int = 0,
    unit: str = "trial",
) -> FeatureSet:
    """Encode, split by subject and standardise a cohort's curves."""
    curves = np.asarray(cohort.curves, dtype=np.float64)
    channels = tuple(cohort.channels)
    trials = cohort.trials
    if curves.ndim != 3 or curves.shape[1] != len(channels):
        raise ValueError(
            f"cohort.curves must have shape (n_trials, {len(channels)} channels, n_samples), "
            f"got {curves.shape}"
        )
    if len(trials) != curves.shape[0]:
        raise ValueError(
            f"cohort.trials has {len(trials)} rows but cohort.curves holds {curves.shape[0]} trials"
        )
    if SUBJECT_COLUMN not in trials.columns:
        raise ValueError(f"cohort.trials has no {SUBJECT_COLUMN} column")

    split = subject_split(trials[SUBJECT_COLUMN].to_numpy(), fractions, split_seed)
    coefficients = encode(curves, unit)
    sample_rows = {name: _sample_rows(split.part(name), unit, len(channels)) for name in PARTS}
    standardizer = Standardizer().fit(coefficients[sample_rows["train"]])
    matrices = {
        name: standardizer.transform(coefficients[rows]).astype(np.float32) for name, rows in sample_rows.items()
    }
    identity = _identity(curves, channels, split, unit, standardizer)
    return FeatureSet(
        **matrices,
        split=split,
        standardizer=standardizer,
        unit=unit,
        layout=layout(channels, unit),
        channels=channels,
        trials=trials.reset_index(drop=True),
        identity=identity,
    )


def to_curves(standardised_coefficients: ArrayLike, features: FeatureSet) -> np.ndarray:
    """Curves (in the data's units) from rows in the feature space of ``features``.

    One output per input row: (n, n_channels, 101) for ``unit="trial"``,
    (m, 101) for ``unit="channel"``. This is how a reconstruction or a single
    decoded latent feature is shown as force and COP curves.
    """
    coefficients = features.standardizer.inverse_transform(standardised_coefficients)
    if features.unit == "trial":
        return decode(coefficients, "trial", n_channels=len(features.channels))
    return decode(coefficients, "channel")


def _sample_rows(trial_rows: np.ndarray, unit: str, n_channels: int) -> np.ndarray:
    """Rows of the encoded matrix that belong to ``trial_rows``."""
    if unit == "channel":
        # encode() writes the channels of each trial next to each other.
        return (trial_rows[:, None] * n_channels + np.arange(n_channels)).ravel()
    return trial_rows


def _identity(
    curves: np.ndarray,
    channels: tuple[str, ...],
    split: Split,
    unit: str,
    standardizer: Standardizer,
) -> str:
    """sha256 over everything that decides the feature matrices."""
    state = standardizer.state_dict()
    items: list[tuple[str, bytes]] = [
        ("curves", _array_bytes(curves)),
        ("channels", "\x1f".join(channels).encode()),
        *((f"split.{name}", _array_bytes(split.part(name))) for name in PARTS),
        ("unit", unit.encode()),
        ("wavelet", f"{WAVELET}|{LEVEL}|{MODE}".encode()),
        ("standardizer.mean", _array_bytes(state["mean"])),
        ("standardizer.scale", _array_bytes(state["scale"])),
    ]
    return _digest(items)


def _digest(items: Iterable[tuple[str, bytes]]) -> str:
    hasher = hashlib.sha256()
    for label, payload in items:
        # Length prefixes keep item boundaries unambiguous.
        for chunk in (label.encode(), payload):
            hasher.update(len(chunk).to_bytes(8, "little"))
            hasher.update(chunk)
    return hasher.hexdigest()


def _array_bytes(array: np.ndarray) -> bytes:
    canonical = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))
    header = f"{canonical.dtype.str}{canonical.shape}".encode()
    return header + canonical.tobytes()


def _id_series(subject_ids: ArrayLike) -> pd.Series:
    """IDs as an object Series, keeping tuples and other hashables whole."""
    if isinstance(subject_ids, (np.ndarray, pd.Series, pd.Index)):
        if subject_ids.ndim != 1:
            raise ValueError(f"subject_ids must be one-dimensional, got shape {subject_ids.shape}")
        ids = pd.Series(np.asarray(subject_ids), dtype=object)
    else:
        ids = pd.Series(list(subject_ids), dtype=object)  # type: ignore[arg-type]
    if ids.empty:
        raise ValueError("subject_ids is empty")
    missing = ids.isna().to_numpy()
    if missing.any():
        raise ValueError(f"subject_ids has a missing value at row {int(np.flatnonzero(missing)[0])}")
    return ids.reset_index(drop=True)


def _factorize(ids: pd.Series) -> tuple[np.ndarray, pd.Index]:
    try:
        codes, uniques = pd.factorize(ids, sort=True)
    except TypeError:
        codes, uniques = pd.factorize(ids, sort=False)
    return codes, uniques


def _check_fractions(fractions: Sequence[float]) -> np.ndarray:
    values = np.asarray(fractions, dtype=np.float64)
    if values.shape != (len(PARTS),):
        raise ValueError(f"fractions must give one share per part {PARTS}, got {tuple(fractions)}")
    if not np.isfinite(values).all() or (values <= 0).any():
        raise ValueError(f"every fraction must be positive, got {tuple(fractions)}")
    if not np.isclose(values.sum(), 1.0, rtol=0.0, atol=1e-9):
        raise ValueError(f"fractions must sum to 1, got {tuple(fractions)} (sum {values.sum():g})")
    return values


def _subject_counts(fractions: np.ndarray, n_subjects: int) -> np.ndarray:
    """Whole subjects per part: largest remainder, then at least one per part."""
    shares = fractions * n_subjects
    # The small offset keeps 0.7 * 350 = 244.999... from losing a subject.
    counts = np.floor(shares + 1e-9).astype(np.int64)
    remainders = shares - counts
    for position in np.argsort(-remainders, kind="stable")[: max(0, n_subjects - int(counts.sum()))]:
        counts[position] += 1
    while (counts == 0).any():
        counts[np.argmax(counts)] -= 1
        counts[np.argmin(counts)] += 1
    return counts


def _as_matrix(x: ArrayLike, name: str) -> np.ndarray:
    values = np.asarray(x, dtype=np.float64)
    if values.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (rows, columns), got shape {values.shape}")
    finite = np.isfinite(values)
    if not finite.all():
        row, column = (int(i) for i in np.argwhere(~finite)[0])
        raise ValueError(f"{name} has a non-finite value at row {row}, column {column}")
    return values
