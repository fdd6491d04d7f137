"""Checks of metadata tables (trials, sessions), with errors that name the table and column.

Every layer that reads a column of a trials table goes through these, so a
missing or non-numeric column is reported the same way everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def require_columns(frame: pd.DataFrame, columns: Sequence[str], name: str = "trials") -> None:
    """An error naming every missing column (``name`` says which table)."""
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"{name} has no column(s) {missing}; it has {list(frame.columns)}")


def numeric_column(trials: pd.DataFrame, column: str) -> np.ndarray:
    """A metadata column as floats (missing → NaN), or an error naming it."""
    require_columns(trials, [column])
    try:
        return pd.to_numeric(trials[column], errors="raise").to_numpy(dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError(f"trials column {column!r} is not numeric: {error}") from None
