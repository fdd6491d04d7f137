"""Associations of code features with people's attributes, at trial, session or subject level.

Trials are nested in sessions and sessions in subjects. Statistics with a
p-value are therefore offered at the subject level as well: treating 8,819
trials of 350 people as independent would shrink p-values as if the cohort
were 25 times larger than it is. Every family of tests is corrected with
Benjamini–Hochberg.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from analysis.data import SESSION_KEY
from analysis.data.tables import numeric_column, require_columns
from analysis.evaluation.arrays import as_codes, check_rows

ATTRIBUTES: tuple[str, ...] = ("WALKING_SPEED", "AGE", "HEIGHT", "BODY_WEIGHT")
Level = Literal["trial", "session", "subject"]
LEVEL_KEYS: dict[str, tuple[str, ...]] = {
    "trial": (),
    "session": SESSION_KEY,
    "subject": ("SUBJECT_ID",),
}
CORRELATION_COLUMNS: tuple[str, ...] = ("feature", "attribute", "r", "p", "q", "n", "level")


# ---------------------------------------------------------------------------
# Metadata correlations
# ---------------------------------------------------------------------------


def level_means(
    codes: np.ndarray,
    trials: pd.DataFrame,
    level: Level = "trial",
    columns: Sequence[str] = (),
) -> tuple[np.ndarray, pd.DataFrame]:
    """Codes and numeric metadata averaged per session or per subject.

    Returns the (possibly averaged) codes and a table with the grouping keys
    and ``columns``; missing metadata are ignored in the averages, so a
    subject's mean age is NaN only when all of their trials lack an age.
    Groups are in sorted key order. ``level="trial"`` returns the inputs.
    """
    array = as_codes(codes)
    check_rows(array, trials)
    if level not in LEVEL_KEYS:
        raise ValueError(f"unknown level {level!r}; choose one of {list(LEVEL_KEYS)}")
    keys = list(LEVEL_KEYS[level])
    require_columns(trials, [*keys, *columns])
    attributes = pd.DataFrame({column: numeric_column(trials, column) for column in columns})
    if level == "trial":
        return array, attributes
    key_frame = trials[keys].reset_index(drop=True)
    for key in keys:
        if key_frame[key].isna().any():
            rows = np.flatnonzero(key_frame[key].isna().to_numpy())
            raise ValueError(f"trials column {key!r} has missing values in row(s) {rows[:5].tolist()}")
    code_names = [f"code_{feature}" for feature in range(array.shape[1])]
    combined = pd.concat([key_frame, attributes, pd.DataFrame(array, columns=code_names)], axis=1)
    grouped = combined.groupby(keys, sort=True).mean().reset_index()
    return grouped[code_names].to_numpy(), grouped[[*keys, *columns]]


def correlate(
    features: np.ndarray, values: np.ndarray, method: str
) -> tuple[np.ndarray, np.ndarray, int]:
    """r and two-sided p of every feature column with one attribute.

    Rows where the attribute is missing are dropped. A feature that is
    constant on the remaining rows gets r = p = NaN. Spearman's ρ is Pearson's
    r on ranks with the same t-approximation for p (as scipy does).
    """
    present = np.isfinite(values)
    x = features[present]
    y = values[present]
    n = int(present.sum())
    k = features.shape[1]
    r = np.full(k, np.nan)
    p = np.full(k, np.nan)
    if n < 3 or np.ptp(y) == 0:
        return r, p, n
    if method == "spearman":
        x = stats.rankdata(x, axis=0)
        y = stats.rankdata(y)
    varying = np.ptp(x, axis=0) > 0
    xc = x[:, varying] - x[:, varying].mean(axis=0)
    yc = y - y.mean()
    r_varying = (xc * yc[:, None]).sum(axis=0) / np.sqrt((xc**2).sum(axis=0) * (yc**2).sum())
    r_varying = np.clip(r_varying, -1.0, 1.0)
    degrees = n - 2
    with np.errstate(divide="ignore"):
        t_statistic = np.abs(r_varying) * np.sqrt(degrees / np.maximum(1.0 - r_varying**2, 0.0))
    r[varying] = r_varying
    p[varying] = np.minimum(2 * stats.t.sf(t_statistic, degrees), 1.0)
    return r, p, n


def attribute_correlations(
    codes: np.ndarray,
    trials: pd.DataFrame,
    attributes: Sequence[str] = ATTRIBUTES,
    level: Level = "trial",
    method: Literal["pearson", "spearman"] = "pearson",
) -> pd.DataFrame:
    """Correlation of every feature with every attribute, with BH q-values.

    Columns: feature, attribute, r, p, q, n, level. Missing attribute values
    are dropped per attribute; a feature that is constant (e.g. never active)
    gets r = p = q = NaN and is left out of the Benjamini–Hochberg correction,
    which runs over all remaining feature × attribute pairs of this call.

    ``level`` says what one observation is. At ``"trial"`` level every trial
    counts, but the 20-odd trials of one person share that person's age,
    height and weight and most of their gait, so they are not independent:
    the p-values are pseudo-replicated and far too small for AGE, HEIGHT and
    BODY_WEIGHT. ``"subject"`` first averages codes and attributes per
    SUBJECT_ID (one observation per person, the honest unit for
    person-level attributes); ``"session"`` averages per
    DATASET_ID/SUBJECT_ID/SESSION_ID, which suits walking speed, a property of
    the session as much as of the person.
    """
    if method not in ("pearson", "spearman"):
        raise ValueError(f"unknown method {method!r}; choose 'pearson' or 'spearman'")
    if len(attributes) == 0:
        raise ValueError("attributes is empty")
    features, table = level_means(codes, trials, level, attributes)
    parts = []
    for attribute in attributes:
        r, p, n = correlate(features, table[attribute].to_numpy(dtype=float), method)
        parts.append(
            pd.DataFrame(
                {
                    "feature": np.arange(features.shape[1]),
                    "attribute": attribute,
                    "r": r,
                    "p": p,
                    "n": n,
                }
            )
        )
    result = pd.concat(parts, ignore_index=True)
    q = np.full(len(result), np.nan)
    tested = result["p"].notna().to_numpy()
    if tested.any():
        q[tested] = stats.false_discovery_control(result.loc[tested, "p"].to_numpy(), method="bh")
    result["q"] = q
    result["level"] = level
    return result[list(CORRELATION_COLUMNS)]


def strongest_correlations(table: pd.DataFrame, attribute: str, k: int = 5) -> pd.DataFrame:
    """The ``k`` rows of ``attribute_correlations`` output with the largest |r|."""
    require_columns(table, ("feature", "attribute", "r"), "table")
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    rows = table[(table["attribute"] == attribute) & table["r"].notna()]
    if rows.empty:
        raise ValueError(f"no finite correlations with attribute {attribute!r} in the table")
    order = rows["r"].abs().sort_values(ascending=False, kind="stable").index
    return rows.loc[order[:k]].reset_index(drop=True)


def correlation_summary(table: pd.DataFrame, r_threshold: float = 0.3, alpha: float = 0.05) -> pd.DataFrame:
    """Per attribute: the largest |r|, its feature, and how many features pass.

    Columns: attribute, level, max_abs_r, best_feature, best_r,
    n_above_threshold (|r| > ``r_threshold``), n_significant (q < ``alpha``),
    n_features (with a finite r). For claims C6 and C7.
    """
    require_columns(table, CORRELATION_COLUMNS, "table")
    rows = []
    for (attribute, level), group in table.groupby(["attribute", "level"], sort=False):
        finite = group[group["r"].notna()]
        if finite.empty:
            best_feature, best_r = -1, float("nan")
        else:
            best = finite.loc[finite["r"].abs().idxmax()]
            best_feature, best_r = int(best["feature"]), float(best["r"])
        rows.append(
            {
                "attribute": attribute,
                "level": level,
                "max_abs_r": abs(best_r),
                "best_feature": best_feature,
                "best_r": best_r,
                "n_above_threshold": int((finite["r"].abs() > r_threshold).sum()),
                "n_significant": int((finite["q"] < alpha).sum()),
                "n_features": len(finite),
            }
        )
    return pd.DataFrame(rows)


def _hedges_g(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Bias-corrected standardised mean difference (first − second) per column."""
    n1, n2 = first.shape[0], second.shape[0]
    pooled_variance = ((n1 - 1) * first.var(axis=0, ddof=1) + (n2 - 1) * second.var(axis=0, ddof=1)) / (n1 + n2 - 2)
    correction = 1 - 3 / (4 * (n1 + n2) - 9)
    difference = first.mean(axis=0) - second.mean(axis=0)
    g = np.full(first.shape[1], np.nan)
    spread = pooled_variance > 0
    g[spread] = correction * difference[spread] / np.sqrt(pooled_variance[spread])
    return g


def _subject_sex(trials: pd.DataFrame, sex_column: str) -> pd.Series:
    """One sex value per subject (sorted by SUBJECT_ID), NaN where unknown."""
    sex = pd.Series(numeric_column(trials, sex_column), index=trials["SUBJECT_ID"].to_numpy())
    grouped = sex.groupby(level=0, sort=True)
    conflicting = grouped.nunique(dropna=True)
    conflicting = conflicting[conflicting > 1]
    if not conflicting.empty:
        raise ValueError(
            f"trials column {sex_column!r} differs within subject(s) {conflicting.index[:5].tolist()}; "
            "use a per-subject column such as 'SUBJECT_SEX'"
        )
    per_subject = grouped.first()
    unexpected = sorted(set(per_subject.dropna().unique()) - {0.0, 1.0})
    if unexpected:
        raise ValueError(f"trials column {sex_column!r} must be 0 (female) or 1 (male), found {unexpected}")
    return per_subject


def sex_differences(
    codes: np.ndarray,
    trials: pd.DataFrame,
    sex_column: str = "SUBJECT_SEX",
    n_boot: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """Per feature Hedges' g (male − female) on subject means, with a 95 % CI.

    One value per person: each subject's codes are averaged over trials first,
    so people with many trials do not dominate. The interval is a percentile
    bootstrap that resamples subjects within each sex (deterministic for a
    given ``seed``). Subjects of unknown sex are left out. Columns: feature,
    g, ci_low, ci_high, mean_male, mean_female, n_male, n_female.
    """
    if n_boot < 1:
        raise ValueError(f"n_boot must be at least 1, got {n_boot}")
    array = as_codes(codes)
    check_rows(array, trials)
    require_columns(trials, ["SUBJECT_ID", sex_column])
    subject_codes, _ = level_means(array, trials, "subject")
    sex = _subject_sex(trials, sex_column).to_numpy()
    male = subject_codes[sex == 1]
    female = subject_codes[sex == 0]
    if len(male) < 2 or len(female) < 2:
        raise ValueError(f"need at least 2 subjects of each sex, got {len(male)} male and {len(female)} female")
    g = _hedges_g(male, female)
    rng = np.random.default_rng(seed)
    boot = np.empty((n_boot, array.shape[1]))
    for index in range(n_boot):
        boot[index] = _hedges_g(
            male[rng.integers(0, len(male), len(male))],
            female[rng.integers(0, len(female), len(female))],
        )
    ci_low = np.full(array.shape[1], np.nan)
    ci_high = np.full(array.shape[1], np.nan)
    for feature in range(array.shape[1]):
        finite = boot[np.isfinite(boot[:, feature]), feature]
        if np.isfinite(g[feature]) and finite.size:
            ci_low[feature], ci_high[feature] = np.percentile(finite, [2.5, 97.5])
    return pd.DataFrame(
        {
            "feature": np.arange(array.shape[1]),
            "g": g,
            "ci_low": ci_low,
            "ci_high": ci_high,
            "mean_male": male.mean(axis=0),
            "mean_female": female.mean(axis=0),
            "n_male": len(male),
            "n_female": len(female),
        }
    )
