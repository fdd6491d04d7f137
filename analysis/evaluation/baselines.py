"""Textbook baselines on the models' own inputs, and the measures that compare them.

The study's sparse autoencoders are only worth their complexity if they beat
what a textbook offers on the same split and the same standardisation. This
module fits three such methods on the standardised wavelet coefficients
(:func:`analysis.features.model_inputs.build_features`, rows = trials) and
measures every reconstruction the same way, whichever model made it:

* ``"pca"`` – principal components (:class:`sklearn.decomposition.PCA`);
  the best linear reconstruction for a given number of components;
* ``"ica"`` – independent components (:class:`sklearn.decomposition.FastICA`,
  ``whiten="unit-variance"``); the same subspace as PCA, rotated towards
  independent, non-Gaussian codes;
* ``"dictionary"`` – a learned dictionary
  (:class:`sklearn.decomposition.MiniBatchDictionaryLearning`, fitted on the
  training rows with its L1 objective) used as a sparse coder: every row is
  coded by orthogonal matching pursuit with exactly ``sparsity`` non-zero
  coefficients, so its L0 is set, not hoped for.

NMF is deliberately absent: it needs non-negative inputs, and standardised
coefficients are signed (centred on the training mean), so any shift or split
into positive parts would change the question rather than answer it.

Sparsity is reported as the exact share of non-zero codes. For PCA and ICA
every code is (almost surely) non-zero, so their L0 is ``n_components`` per
row; the frontier states that number (``active_per_row``) instead of
pretending they are sparse. FVE is 1 − SSE/SST around 0, the same measure as
:func:`analysis.engine.training.fraction_variance_explained` (0 is the
training mean after standardisation).
"""

from __future__ import annotations

import warnings
from copy import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.decomposition import PCA, FastICA, MiniBatchDictionaryLearning

from analysis.data import CHANNEL_UNITS
from analysis.features.model_inputs import FeatureSet, to_curves
from analysis.features.wavelets import Segment

METHODS: tuple[str, ...] = ("pca", "ica", "dictionary")
# The knob a frontier turns for each method.
FRONTIER_KNOBS: dict[str, str] = {"pca": "n_components", "ica": "n_components", "dictionary": "sparsity"}
FRONTIER_COLUMNS: tuple[str, ...] = (
    "method",
    "knob",
    "value",
    "n_components",
    "sparsity",
    "l0",
    "active_per_row",
    "fve",
    "mse",
)
# FastICA's iteration cap: the default (200) often stops short on 1,350 columns.
ICA_MAX_ITER = 1000
# Passes over the training rows when learning a dictionary.
DICTIONARY_MAX_ITER = 20
# The L1 weight of the dictionary's training objective (scikit-learn's default);
# it shapes the atoms only, since every row is then coded with an exact L0 by OMP.
DICTIONARY_ALPHA = 1.0


@dataclass(frozen=True)
class FittedBaseline:
    """One fitted baseline: ``encode`` rows to codes, ``decode`` codes back to rows."""

    method: str
    n_components: int
    sparsity: int | None
    estimator: Any
    n_columns: int

    def encode(self, x: ArrayLike) -> np.ndarray:
        """Codes of the rows of ``x``, shape (n_rows, n_components)."""
        values = _matrix(x, "x")
        if values.shape[1] != self.n_columns:
            raise ValueError(f"x has {values.shape[1]} columns but the {self.method} baseline was fitted on {self.n_columns}")
        return np.asarray(self.estimator.transform(values), dtype=np.float64)

    def decode(self, codes: ArrayLike) -> np.ndarray:
        """Rows rebuilt from ``codes``, in the standardised feature space."""
        values = _matrix(codes, "codes")
        if values.shape[1] != self.n_components:
            raise ValueError(f"codes has {values.shape[1]} columns but the {self.method} baseline has {self.n_components} components")
        if self.method == "dictionary":
            return values @ np.asarray(self.estimator.components_, dtype=np.float64)
        return np.asarray(self.estimator.inverse_transform(values), dtype=np.float64)

    def reconstruct(self, x: ArrayLike) -> np.ndarray:
        return self.decode(self.encode(x))

    def with_sparsity(self, sparsity: int) -> FittedBaseline:
        """The same dictionary coding with another L0 per row (no refit: the atoms do not depend on it)."""
        if self.method != "dictionary":
            raise ValueError(f"sparsity applies to method 'dictionary' only, not {self.method!r}")
        _check_sparsity(sparsity, self.n_components)
        estimator = _copy_dictionary(self.estimator, sparsity)
        return FittedBaseline("dictionary", self.n_components, int(sparsity), estimator, self.n_columns)


def fit_baseline(
    method: str,
    train: ArrayLike,
    n_components: int,
    sparsity: int | None = None,
    seed: int = 0,
) -> FittedBaseline:
    """Fit ``method`` on the training rows; ``sparsity`` (non-zeros per row) is for "dictionary" only."""
    _check_method(method)
    values = _matrix(train, "train")
    _check_count(n_components, "n_components")
    if method == "dictionary":
        if sparsity is None:
            raise ValueError("sparsity (non-zero coefficients per row) is required for method 'dictionary'")
        _check_sparsity(sparsity, n_components)
        estimator: Any = MiniBatchDictionaryLearning(
            n_components=int(n_components),
            alpha=DICTIONARY_ALPHA,
            transform_algorithm="omp",
            transform_n_nonzero_coefs=int(sparsity),
            max_iter=DICTIONARY_MAX_ITER,
            random_state=seed,
        )
    else:
        if sparsity is not None:
            raise ValueError(f"sparsity applies to method 'dictionary' only; leave it None for {method!r}")
        largest = min(values.shape)
        if n_components > largest:
            raise ValueError(
                f"n_components={n_components} exceeds min(rows, columns)={largest} of train for method {method!r}"
            )
        if method == "pca":
            # The exact SVD: "auto" turns randomised on large inputs, and a baseline must be its best.
            estimator = PCA(n_components=int(n_components), svd_solver="full", random_state=seed)
        else:
            estimator = FastICA(
                n_components=int(n_components), whiten="unit-variance", max_iter=ICA_MAX_ITER, random_state=seed
            )
    with warnings.catch_warnings():
        # A FastICA that stops at its cap still reconstructs exactly (the mixing
        # matrix inverts whatever unmixing it reached); only the independence is approximate.
        warnings.filterwarnings("ignore", message="FastICA did not converge")
        estimator.fit(values)
    return FittedBaseline(method, int(n_components), None if sparsity is None else int(sparsity), estimator, values.shape[1])


def frontier(
    method: str,
    train: ArrayLike,
    test: ArrayLike,
    knobs: Sequence[int],
    seed: int = 0,
    n_atoms: int | None = None,
) -> pd.DataFrame:
    """Sparsity against fidelity on the test rows, one row per knob setting.

    The knob is ``n_components`` for PCA and ICA and ``sparsity`` (non-zeros
    per row) for the dictionary, whose ``n_atoms`` stay fixed so that the
    frontier shows the cost of sparsity alone.
    """
    _check_method(method)
    train_values = _matrix(train, "train")
    test_values = _matrix(test, "test")
    if test_values.shape[1] != train_values.shape[1]:
        raise ValueError(f"test has {test_values.shape[1]} columns but train has {train_values.shape[1]}")
    settings = [int(knob) for knob in knobs]
    if not settings:
        raise ValueError("knobs is empty; give at least one setting")
    knob = FRONTIER_KNOBS[method]
    rows: list[dict[str, Any]] = []
    if method == "dictionary":
        if n_atoms is None:
            raise ValueError("n_atoms (the fixed dictionary size) is required for method 'dictionary'")
        for sparsity in settings:
            _check_sparsity(sparsity, n_atoms)
        # The atoms are learned once; only the coding's L0 changes along the frontier.
        fitted = fit_baseline(method, train_values, n_atoms, sparsity=settings[0], seed=seed)
        models = [fitted.with_sparsity(sparsity) for sparsity in settings]
    else:
        if n_atoms is not None:
            raise ValueError(f"n_atoms applies to method 'dictionary' only; leave it None for {method!r}")
        models = [fit_baseline(method, train_values, n_components, seed=seed) for n_components in settings]
    for setting, model in zip(settings, models):
        codes = model.encode(test_values)
        reconstruction = model.decode(codes)
        nonzero = codes != 0
        rows.append(
            {
                "method": method,
                "knob": knob,
                "value": setting,
                "n_components": model.n_components,
                "sparsity": model.sparsity,
                "l0": float(nonzero.mean()),
                "active_per_row": float(nonzero.sum(axis=1).mean()),
                "fve": fraction_variance_explained(test_values, reconstruction),
                "mse": float(np.mean((test_values - reconstruction) ** 2)),
            }
        )
    return pd.DataFrame(rows, columns=list(FRONTIER_COLUMNS))


def fraction_variance_explained(x: ArrayLike, x_hat: ArrayLike) -> float:
    """1 − SSE/SST around 0, the engine's measure, so baselines and autoencoders share one number."""
    values, estimate = _pair(x, x_hat)
    total = float(np.sum(values**2))
    if total == 0.0:
        raise ValueError("x has no variance around 0, so the explained fraction is undefined")
    return 1.0 - float(np.sum((values - estimate) ** 2)) / total


def fve_by_part(x: ArrayLike, x_hat: ArrayLike, layout: tuple[Segment, ...]) -> pd.DataFrame:
    """FVE per wavelet band (pooled over channels) and per channel (pooled over bands).

    Shows where a model loses variance: a good total can hide a fine band
    (D1, D2) it never reconstructs. A part with no variance around 0 gets NaN.
    Columns: part ("band" or "channel"), name, fve, columns (how many coefficients).
    """
    values, estimate = _pair(x, x_hat)
    segments = tuple(layout)
    if not segments:
        raise ValueError("layout is empty")
    width = max(segment.stop for segment in segments)
    if width != values.shape[1]:
        raise ValueError(f"layout covers {width} columns but x has {values.shape[1]}")
    rows: list[dict[str, Any]] = []
    for part, key in (("band", "band"), ("channel", "channel")):
        names = list(dict.fromkeys(getattr(segment, key) for segment in segments))
        for name in names:
            columns = np.concatenate(
                [np.arange(segment.start, segment.stop) for segment in segments if getattr(segment, key) == name]
            )
            total = float(np.sum(values[:, columns] ** 2))
            error = float(np.sum((values[:, columns] - estimate[:, columns]) ** 2))
            fve = 1.0 - error / total if total > 0.0 else float("nan")
            rows.append({"part": part, "name": name, "fve": fve, "columns": int(columns.size)})
    return pd.DataFrame(rows, columns=["part", "name", "fve", "columns"])


def physical_rmse(x_hat_standardised: ArrayLike, x_standardised: ArrayLike, features: FeatureSet) -> pd.DataFrame:
    """RMSE per channel in the data's units (BW for forces, m for COP), over trials and samples.

    A standardised error treats a COP wobble and a force peak alike; clinicians
    read curves, so the reconstruction is taken back through the exact inverse
    wavelet transform before it is compared.
    """
    estimate, values = _pair(x_hat_standardised, x_standardised, names=("x_hat_standardised", "x_standardised"))
    n_channels = len(features.channels)
    if features.unit == "channel" and values.shape[0] % n_channels:
        raise ValueError(
            f"x_standardised has {values.shape[0]} rows, not a multiple of the {n_channels} channels of one trial"
        )
    curves = _per_trial(to_curves(values, features), n_channels)
    rebuilt = _per_trial(to_curves(estimate, features), n_channels)
    rmse = np.sqrt(np.mean((curves - rebuilt) ** 2, axis=(0, 2)))
    return pd.DataFrame(
        {
            "channel": list(features.channels),
            "unit": [CHANNEL_UNITS.get(channel, "") for channel in features.channels],
            "rmse": rmse,
        }
    )


def _per_trial(curves: np.ndarray, n_channels: int) -> np.ndarray:
    """(n_trials, n_channels, n_samples) from either unit's decoded curves (channel rows are trial-major)."""
    if curves.ndim == 3:
        return curves
    return curves.reshape(-1, n_channels, curves.shape[-1])


def _copy_dictionary(estimator: MiniBatchDictionaryLearning, sparsity: int) -> MiniBatchDictionaryLearning:
    """A dictionary coder with the fitted atoms and another OMP L0 (the fitted one stays untouched)."""
    duplicate = copy(estimator)
    duplicate.set_params(transform_n_nonzero_coefs=int(sparsity))
    return duplicate


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {METHODS}")


def _check_count(value: int, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


def _check_sparsity(sparsity: int, n_atoms: int) -> None:
    _check_count(sparsity, "sparsity")
    if sparsity > n_atoms:
        raise ValueError(f"sparsity={sparsity} exceeds the dictionary's {n_atoms} atoms (n_components)")


def _matrix(x: ArrayLike, name: str) -> np.ndarray:
    values = np.asarray(x, dtype=np.float64)
    if values.ndim != 2 or values.shape[0] == 0 or values.shape[1] == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array (rows, columns), got shape {values.shape}")
    if not np.isfinite(values).all():
        raise ValueError(f"{name} has non-finite values")
    return values


def _pair(x: ArrayLike, x_hat: ArrayLike, names: tuple[str, str] = ("x", "x_hat")) -> tuple[np.ndarray, np.ndarray]:
    first, second = _matrix(x, names[0]), _matrix(x_hat, names[1])
    if first.shape != second.shape:
        raise ValueError(f"{names[0]} and {names[1]} differ in shape: {first.shape} vs {second.shape}")
    return first, second
