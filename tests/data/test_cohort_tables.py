"""Cohort counts, subject-level demographics and speed groups on hand-made trial tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.data.cohort_tables import cohort_counts, demographics, share_male, speed_groups, subject_table


def trial_table() -> pd.DataFrame:
    """Dataset 1: subject 1 (2 sessions × 2 trials), subject 2 (1 × 3); dataset 2: subject 3 (1 × 1)."""
    rows = [
        # DATASET, SUBJECT, SESSION, TRIAL, speed, SEX, AGE, HEIGHT, BODY_MASS, SUBJECT_SEX
        (1, 1, 1, 1, 1.2, 1, 30.0, 180.0, 80.0, 1.0),
        (1, 1, 1, 2, 1.3, 1, 30.0, 180.0, 80.0, 1.0),
        (1, 1, 2, 1, 1.4, 0, 32.0, 180.0, 82.0, 1.0),
        (1, 1, 2, 2, np.nan, 0, 32.0, 180.0, 82.0, 1.0),
        (1, 2, 3, 1, 1.5, 0, 20.0, 160.0, 55.0, 0.0),
        (1, 2, 3, 2, 1.6, 0, 20.0, 160.0, 55.0, 0.0),
        (1, 2, 3, 3, 1.7, 0, 20.0, 160.0, 55.0, 0.0),
        (2, 3, 4, 1, np.nan, 1, np.nan, 170.0, 70.0, np.nan),
    ]
    columns = ["DATASET_ID", "SUBJECT_ID", "SESSION_ID", "TRIAL_ID", "WALKING_SPEED", "SEX", "AGE", "HEIGHT", "BODY_MASS", "SUBJECT_SEX"]
    return pd.DataFrame(rows, columns=columns)


def test_counts_per_dataset_and_in_total() -> None:
    counts = cohort_counts(trial_table()).set_index("DATASET_ID")
    assert counts.loc["1"].to_dict() == {"subjects": 2, "sessions": 3, "trials": 7, "trials with speed": 6}
    assert counts.loc["2"].to_dict() == {"subjects": 1, "sessions": 1, "trials": 1, "trials with speed": 0}
    assert counts.loc["all"].to_dict() == {"subjects": 3, "sessions": 4, "trials": 8, "trials with speed": 6}


def test_subjects_are_averaged_over_their_sessions_not_trials() -> None:
    subjects = subject_table(trial_table())
    assert subjects.loc[1, "AGE"] == pytest.approx(31.0)
    assert subjects.loc[1, "BODY_MASS"] == pytest.approx(81.0)
    assert bool(subjects.loc[1, "sex_disagrees"]) and not bool(subjects.loc[2, "sex_disagrees"])
    assert np.isnan(subjects.loc[3, "AGE"])


def test_demographics_table() -> None:
    table = demographics(trial_table()).set_index("attribute")
    age = table.loc["age (years)"]
    assert age["subjects with a value"] == 2
    assert age["mean ± SD"] == f"25.5 ± {np.std([31.0, 20.0], ddof=1):.1f}"
    assert age["range"] == "20.0–31.0"
    assert table.loc["height (cm)", "subjects with a value"] == 3
    sex = table.loc["sex (men / women)"]
    assert sex["subjects with a value"] == 2
    assert sex["mean ± SD"] == "1 / 1 (50% men)"
    assert sex["range"] == "1 subject(s) with sessions that disagree on sex"
    assert share_male(trial_table()) == pytest.approx(0.5)


def test_missing_column_is_named() -> None:
    with pytest.raises(ValueError, match=r"lacks the column\(s\) \['WALKING_SPEED'\]"):
        cohort_counts(trial_table().drop(columns="WALKING_SPEED"))


def test_speed_tertiles_leave_missing_speeds_out() -> None:
    codes, labels = speed_groups(trial_table())
    assert np.isnan(codes[3]) and np.isnan(codes[7])
    np.testing.assert_array_equal(codes[[0, 1, 2, 4, 5, 6]], [0, 0, 1, 1, 2, 2])
    assert labels == {0: "slow (1.20–1.30 m/s)", 1: "medium (1.40–1.50 m/s)", 2: "fast (1.60–1.70 m/s)"}


def test_speed_groups_need_enough_speeds() -> None:
    table = trial_table().assign(WALKING_SPEED=[1.0, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, 1.1])
    with pytest.raises(ValueError, match="2 trials have a walking speed; 3 speed groups need at least as many"):
        speed_groups(table)
