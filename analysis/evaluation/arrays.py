"""Checks of the code matrices every measure takes, with errors that say what is wrong.

Measures take ``codes`` as ``(n_inputs, n_features)`` arrays (one row per
trial) and, where metadata matter, a ``trials`` DataFrame whose rows are
aligned with the rows of ``codes`` by position (checked by :func:`check_rows`;
columns of the table by :mod:`analysis.data.tables`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def as_codes(codes: np.ndarray, name: str = "codes") -> np.ndarray:
    """A finite 2-D float array, or an error that says what is wrong."""
    array = np.asarray(codes, dtype=float)
    if array.ndim != 2:
        raise ValueError(f"{name} must be 2-D (inputs x features), got shape {array.shape}")
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(f"{name} is empty (shape {array.shape})")
    if not np.isfinite(array).all():
        bad_rows = np.flatnonzero(~np.isfinite(array).all(axis=1))
        raise ValueError(f"{name} has non-finite values in row(s) {bad_rows[:5].tolist()}")
    return array


def check_rows(codes: np.ndarray, trials: pd.DataFrame) -> None:
    if len(trials) != codes.shape[0]:
        raise ValueError(f"codes has {codes.shape[0]} rows but trials has {len(trials)}; rows must be aligned")
