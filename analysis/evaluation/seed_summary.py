"""Means, spreads and intervals over seeds, and how the book prints them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from analysis.data.tables import require_columns

# ---------------------------------------------------------------------------
# Summaries over seeds
# ---------------------------------------------------------------------------


def summarize_over_seeds(
    table: pd.DataFrame,
    by: str | Sequence[str] = "model",
    value_columns: Sequence[str] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Mean, SD and a t-interval over seeds for every value column.

    ``table`` has one row per model and seed. Returns one row per group and
    quantity with columns ``*by``, quantity, n, mean, sd, ci_low, ci_high.
    The interval is mean ± t(1 − α/2, n − 1)·SD/√n; it is wide for few seeds
    on purpose. With a single seed (n = 1) SD and the interval are NaN: one
    run says nothing about the spread between runs. Missing values are
    dropped per quantity; ``value_columns`` defaults to every numeric column
    other than the grouping columns and ``seed``.
    """
    keys = [by] if isinstance(by, str) else list(by)
    require_columns(table, keys, "table")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence}")
    if value_columns is None:
        numeric = table.select_dtypes(include="number").columns
        value_columns = [column for column in numeric if column not in keys and column != "seed"]
    require_columns(table, value_columns, "table")
    if not value_columns:
        raise ValueError("no value columns to summarise")
    rows = []
    for group, members in table.groupby(keys, sort=False):
        group_values = group if isinstance(group, tuple) else (group,)
        for column in value_columns:
            try:
                values = pd.to_numeric(members[column], errors="raise").dropna().to_numpy(dtype=float)
            except (TypeError, ValueError):
                raise ValueError(f"table column {column!r} is not numeric") from None
            n = values.size
            mean = float(values.mean()) if n else float("nan")
            sd = float(values.std(ddof=1)) if n > 1 else float("nan")
            if n > 1:
                half_width = stats.t.ppf(0.5 + confidence / 2, n - 1) * sd / np.sqrt(n)
                ci_low, ci_high = mean - half_width, mean + half_width
            else:
                ci_low = ci_high = float("nan")
            rows.append(
                {
                    **dict(zip(keys, group_values)),
                    "quantity": column,
                    "n": n,
                    "mean": mean,
                    "sd": sd,
                    "ci_low": ci_low,
                    "ci_high": ci_high,
                }
            )
    return pd.DataFrame(rows)


def format_mean_sd(mean: float, sd: float, digits: int = 2) -> str:
    """'0.07 ± 0.01'; 'n/a' for a missing SD (a single seed) or mean."""
    if not np.isfinite(mean):
        return "n/a"
    if not np.isfinite(sd):
        return f"{mean:.{digits}f} ± n/a"
    return f"{mean:.{digits}f} ± {sd:.{digits}f}"
