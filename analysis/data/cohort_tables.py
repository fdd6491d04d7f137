"""Who is in a cohort: counts per sub-dataset, demographics, speed groups.

People, not trials, are the unit a reader cares about when judging a
cohort, so demographics are summarised per subject: a subject's age, height
and body mass are the means over their sessions (values can change between
sessions recorded months apart), and sex is the value most of their sessions
record (``SUBJECT_SEX``, see :mod:`analysis.data`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.data.gutenberg import SESSION_KEY, SPEED_COLUMN, SUBJECT_COLUMN, SUBJECT_SEX_COLUMN

DATASET_COLUMN = "DATASET_ID"
# (column, label with unit, decimals) of the numeric demographics.
DEMOGRAPHICS: tuple[tuple[str, str, int], ...] = (
    ("AGE", "age (years)", 1),
    ("HEIGHT", "height (cm)", 1),
    ("BODY_MASS", "body mass (kg)", 1),
)
SPEED_GROUP_NAMES: tuple[str, ...] = ("slow", "medium", "fast")


def _require(trials: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [column for column in columns if column not in trials.columns]
    if missing:
        raise ValueError(f"the trial table lacks the column(s) {missing}")


def cohort_counts(trials: pd.DataFrame) -> pd.DataFrame:
    """Subjects, sessions, trials and trials with a walking speed per DATASET_ID, plus a total row."""
    _require(trials, [*SESSION_KEY, SPEED_COLUMN])
    if trials.empty:
        raise ValueError("the trial table is empty")

    def counts(rows: pd.DataFrame) -> dict[str, int]:
        return {
            "subjects": int(rows[SUBJECT_COLUMN].nunique()),
            "sessions": len(rows[list(SESSION_KEY)].drop_duplicates()),
            "trials": len(rows),
            "trials with speed": int(rows[SPEED_COLUMN].notna().sum()),
        }

    table = [{DATASET_COLUMN: str(dataset), **counts(rows)} for dataset, rows in trials.groupby(DATASET_COLUMN, sort=True)]
    table.append({DATASET_COLUMN: "all", **counts(trials)})
    return pd.DataFrame(table)


def subject_table(trials: pd.DataFrame) -> pd.DataFrame:
    """One row per subject: mean age, height and body mass over sessions, and SUBJECT_SEX."""
    columns = [column for column, _, _ in DEMOGRAPHICS]
    _require(trials, [*SESSION_KEY, *columns, SUBJECT_SEX_COLUMN])
    sessions = trials.drop_duplicates(list(SESSION_KEY))
    numbers = sessions[columns].apply(pd.to_numeric, errors="raise")
    subjects = numbers.groupby(sessions[SUBJECT_COLUMN].to_numpy()).mean()
    subjects[SUBJECT_SEX_COLUMN] = sessions.groupby(SUBJECT_COLUMN)[SUBJECT_SEX_COLUMN].first()
    subjects["sex_disagrees"] = sessions.groupby(SUBJECT_COLUMN)["SEX"].nunique() > 1 if "SEX" in sessions else False
    subjects.index.name = SUBJECT_COLUMN
    return subjects


def demographics(trials: pd.DataFrame) -> pd.DataFrame:
    """Subject-level summary: subjects with a value, mean ± SD and range of each attribute; sex shares."""
    subjects = subject_table(trials)
    rows = []
    for column, label, digits in DEMOGRAPHICS:
        values = subjects[column].dropna()
        if values.empty:
            summary, spread = "–", "–"
        else:
            sd = values.std(ddof=1) if values.size > 1 else np.nan
            summary = f"{values.mean():.{digits}f} ± {sd:.{digits}f}" if np.isfinite(sd) else f"{values.mean():.{digits}f}"
            spread = f"{values.min():.{digits}f}–{values.max():.{digits}f}"
        rows.append({"attribute": label, "subjects with a value": int(values.size), "mean ± SD": summary, "range": spread})
    sex = subjects[SUBJECT_SEX_COLUMN].dropna()
    male = int((sex == 1).sum())
    rows.append(
        {
            "attribute": "sex (men / women)",
            "subjects with a value": int(sex.size),
            "mean ± SD": f"{male} / {int(sex.size) - male}" + (f" ({male / sex.size:.0%} men)" if sex.size else ""),
            "range": f"{int(subjects['sex_disagrees'].sum())} subject(s) with sessions that disagree on sex",
        }
    )
    return pd.DataFrame(rows)


def share_male(trials: pd.DataFrame) -> float:
    """Share of men among subjects of known sex (NaN when no subject's sex is known)."""
    sex = subject_table(trials)[SUBJECT_SEX_COLUMN].dropna()
    return float((sex == 1).mean()) if sex.size else float("nan")


def speed_groups(trials: pd.DataFrame, n_groups: int = 3) -> tuple[np.ndarray, dict[int, str]]:
    """Walking-speed quantile group of every trial (NaN without a speed) and legend labels.

    Groups are trial-level quantiles (tertiles by default) numbered from the
    slowest; labels name the speed range, e.g. ``"slow (0.36–1.40 m/s)"``.
    Tied speeds can merge groups, so fewer than ``n_groups`` may come back.
    """
    _require(trials, [SPEED_COLUMN])
    if n_groups < 2:
        raise ValueError(f"n_groups must be at least 2, got {n_groups}")
    speed = pd.to_numeric(trials[SPEED_COLUMN], errors="raise").to_numpy(dtype=float)
    present = np.isfinite(speed)
    if present.sum() < n_groups:
        raise ValueError(f"{int(present.sum())} trials have a walking speed; {n_groups} speed groups need at least as many")
    codes = np.full(speed.shape, np.nan)
    codes[present] = pd.qcut(speed[present], n_groups, labels=False, duplicates="drop")
    names = SPEED_GROUP_NAMES if n_groups == len(SPEED_GROUP_NAMES) else tuple(f"group {i + 1}" for i in range(n_groups))
    found = sorted(int(code) for code in np.unique(codes[present]))
    labels = {}
    for code in found:
        members = speed[codes == code]
        name = names[code] if len(found) == n_groups else f"group {code + 1}"
        labels[code] = f"{name} ({members.min():.2f}–{members.max():.2f} m/s)"
    return codes, labels
