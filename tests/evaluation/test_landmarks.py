"""Landmarks read from curves built with known peaks, valleys, crossings and ranges."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.data import CHANNELS, N_SAMPLES
from analysis.evaluation.landmarks import (
    LITERATURE_LANDMARKS,
    TIME_COLUMNS,
    VALUE_COLUMNS,
    compare_with_literature,
    format_comparison,
    landmarks,
    ml_signs,
    zero_crossing_time,
)

STANCE = np.arange(N_SAMPLES, dtype=np.float64)


def polyline(*knots: tuple[float, float]) -> np.ndarray:
    """A curve through (percent stance, value) knots; its extrema sit on knots."""
    times, values = zip(*knots)
    return np.interp(STANCE, times, values)


def trial_curves(
    first_peak: float = 1.08,
    first_peak_time: float = 23,
    valley: float = 0.77,
    second_peak: float = 1.13,
    braking: float = -0.175,
    propulsion: float = 0.219,
    lateral: float = -0.044,
    medial: float = 0.05,
    cop_ap_length: float = 0.23,
    cop_ml_range: float = 0.03,
    right_ml_sign: float = 1.0,
) -> np.ndarray:
    """(10, 101) curves of one trial, both sides alike except for the right ML sign."""
    by_component = {
        "F_V": polyline((0, 0.07), (first_peak_time, first_peak), (48, valley), (76, second_peak), (100, 0.05)),
        "F_AP": polyline((0, 0.0), (16, braking), (55, 0.0), (87, propulsion), (100, 0.0)),
        "F_ML": polyline((0, 0.0), (4, lateral), (27, medial), (50, 0.6 * medial), (70, 0.9 * medial), (100, 0.0)),
        "COP_AP": np.linspace(0.0, cop_ap_length, N_SAMPLES),
        "COP_ML": np.linspace(-cop_ml_range / 3, 2 * cop_ml_range / 3, N_SAMPLES),
    }
    rows = []
    for channel in CHANNELS:
        component, _, side = channel.rpartition("_")
        curve = by_component[component]
        rows.append(curve * right_ml_sign if (component == "F_ML" and side == "right") else curve)
    return np.stack(rows)


def test_landmarks_of_a_constructed_trial_are_exact() -> None:
    table = landmarks(trial_curves()[None])
    assert list(table["side"]) == ["left", "right"]
    for _, row in table.iterrows():
        assert row["v_first_peak"] == pytest.approx(1.08)
        assert row["v_first_peak_time"] == 23
        assert row["v_valley"] == pytest.approx(0.77)
        assert row["v_valley_time"] == 48
        assert row["v_second_peak"] == pytest.approx(1.13)
        assert row["v_second_peak_time"] == 76
        assert row["ap_braking_min"] == pytest.approx(-0.175)
        assert row["ap_braking_min_time"] == 16
        assert row["ap_zero_crossing_time"] == pytest.approx(55.0)
        assert row["ap_propulsive_max"] == pytest.approx(0.219)
        assert row["ap_propulsive_max_time"] == 87
        assert row["ml_early_min"] == pytest.approx(-0.044)
        assert row["ml_early_min_time"] == 4
        assert row["ml_medial_max"] == pytest.approx(0.05)
        assert row["ml_medial_max_time"] == 27
        assert row["cop_ap_range"] == pytest.approx(0.23)
        assert row["cop_ml_range"] == pytest.approx(0.03)
        assert row["ml_sign"] == 1


def test_table_has_one_row_per_trial_and_side_with_every_column() -> None:
    curves = np.stack([trial_curves(first_peak=1.0 + 0.05 * i, first_peak_time=15 + 5 * i) for i in range(4)])
    table = landmarks(curves)
    assert len(table) == 8
    assert set(VALUE_COLUMNS) | set(TIME_COLUMNS) <= set(table.columns)
    left = table[table["side"] == "left"].set_index("trial")
    np.testing.assert_allclose(left["v_first_peak"], [1.0, 1.05, 1.1, 1.15])
    np.testing.assert_array_equal(left["v_first_peak_time"], [15, 20, 25, 30])


def test_a_peak_outside_its_window_is_not_found() -> None:
    # A first peak at 8 % lies before the 10–40 % window: the window's own maximum is read.
    table = landmarks(trial_curves(first_peak_time=8)[None])
    assert table.loc[0, "v_first_peak_time"] == 10
    assert table.loc[0, "v_first_peak"] < 1.08


def test_ml_sign_is_inferred_per_side() -> None:
    curves = trial_curves(right_ml_sign=-1.0)[None]
    assert ml_signs(curves) == {"left": 1, "right": -1}
    inferred = landmarks(curves).set_index("side")
    assert inferred.loc["right", "ml_sign"] == -1
    assert inferred.loc["right", "ml_medial_max"] == pytest.approx(0.05)
    assert inferred.loc["right", "ml_early_min"] == pytest.approx(-0.044)

    as_is = landmarks(curves, ml_orientation="as_is").set_index("side")
    right_ml = curves[0, CHANNELS.index("F_ML_right")]
    assert as_is.loc["right", "ml_sign"] == 1
    assert as_is.loc["right", "ml_medial_max"] == pytest.approx(right_ml[10:].max())
    assert as_is.loc["left", "ml_medial_max"] == pytest.approx(0.05)


def test_zero_crossing_is_interpolated_and_missing_when_absent() -> None:
    ramp = (STANCE - 55.25) * 0.01
    never = -np.ones(N_SAMPLES)
    times = zero_crossing_time(np.stack([ramp, never]), after=np.array([16, 16]))
    assert times[0] == pytest.approx(55.25)
    assert np.isnan(times[1])


def test_zero_crossing_before_the_braking_minimum_is_skipped() -> None:
    # Down through zero at 5.5 %, up at 29.5 %, down at 39–40 %, up again at 60.5 %.
    signal = np.where(STANCE < 40, np.abs(STANCE - 17.5) - 12.0, STANCE - 60.5)
    assert zero_crossing_time(signal[None], after=np.array([0]))[0] == pytest.approx(29.5)
    assert zero_crossing_time(signal[None], after=np.array([30]))[0] == pytest.approx(60.5)


def test_trial_ids_are_copied_from_the_trial_table() -> None:
    curves = np.stack([trial_curves(), trial_curves()])
    trials = pd.DataFrame({"DATASET_ID": [1, 1], "SUBJECT_ID": [7, 8], "SESSION_ID": [1, 1], "TRIAL_ID": [1, 2]})
    table = landmarks(curves, trials=trials)
    assert list(table["SUBJECT_ID"]) == [7, 7, 8, 8]
    assert list(table["TRIAL_ID"]) == [1, 1, 2, 2]


def test_bad_input_is_named() -> None:
    with pytest.raises(ValueError, match=r"landmarks need the channel\(s\) COP_ML_left, COP_ML_right"):
        landmarks(trial_curves()[None, :8], channels=CHANNELS[:8])
    with pytest.raises(ValueError, match=r"curves must have shape \(n_trials, 10 channels, 101 samples\), got \(10, 101\)"):
        landmarks(trial_curves())
    broken = trial_curves()[None].copy()
    broken[0, CHANNELS.index("F_V_right"), 50] = np.nan
    with pytest.raises(ValueError, match="non-finite value \\(trial 0, channel F_V_right, sample 51\\)"):
        landmarks(broken)
    with pytest.raises(ValueError, match="ml_orientation must be one of"):
        landmarks(trial_curves()[None], ml_orientation="flip")
    with pytest.raises(ValueError, match="trials has 3 rows but curves hold 1 trials"):
        landmarks(trial_curves()[None], trials=pd.DataFrame({"SUBJECT_ID": [1, 2, 3]}))


def two_subject_table() -> pd.DataFrame:
    """Subject 1: first peaks 1.0, 1.2 (left), 1.1, 1.1 (right); subject 2: 1.3, 1.3 / 1.2, 1.4."""
    peaks = {1: ([1.0, 1.2], [1.1, 1.1]), 2: ([1.3, 1.3], [1.2, 1.4])}
    curves, subjects = [], []
    for subject, (left, right) in peaks.items():
        for left_peak, right_peak in zip(left, right):
            trial = trial_curves(first_peak=left_peak)
            trial[CHANNELS.index("F_V_right")] = trial_curves(first_peak=right_peak)[CHANNELS.index("F_V_right")]
            curves.append(trial)
            subjects.append(subject)
    trials = pd.DataFrame({"SUBJECT_ID": subjects, "TRIAL_ID": range(1, 5)})
    return landmarks(np.stack(curves), trials=trials)


def test_comparison_averages_within_subjects_first() -> None:
    comparison = compare_with_literature(two_subject_table()).set_index("landmark")
    first_peak = comparison.loc["v_first_peak"]
    assert first_peak["n_subjects"] == 2
    assert first_peak["cohort_mean"] == pytest.approx(1.2)
    assert first_peak["cohort_between_sd"] == pytest.approx(np.std([1.1, 1.3], ddof=1))
    # Within subject and side: variances 0.02, 0, 0, 0.02, one degree of freedom each.
    assert first_peak["cohort_within_sd"] == pytest.approx(0.1)
    assert first_peak["literature_mean"] == 1.08
    assert first_peak["difference_in_sd"] == pytest.approx((1.2 - 1.08) / 0.061)
    assert first_peak["cohort_timing"] == pytest.approx(23.0)
    assert first_peak["timing_difference"] == pytest.approx(0.0)
    # Every trial has identical COP: no spread between or within subjects.
    assert comparison.loc["cop_ap_range_barefoot", "cohort_between_sd"] == pytest.approx(0.0)
    assert comparison.loc["cop_ap_range_shod", "difference_in_sd"] == pytest.approx((0.23 - 0.25) / 0.02)


def test_zero_crossing_row_is_a_timing_only() -> None:
    row = compare_with_literature(two_subject_table()).set_index("landmark").loc["ap_zero_crossing"]
    assert np.isnan(row["cohort_mean"]) and np.isnan(row["difference_in_sd"])
    assert row["cohort_timing"] == pytest.approx(55.0)
    assert row["literature_timing"] == 55.0


def test_comparison_needs_subject_ids() -> None:
    with pytest.raises(ValueError, match=r"lacks the column\(s\) \['SUBJECT_ID'\]; build it with landmarks"):
        compare_with_literature(landmarks(trial_curves()[None]))


def test_single_subject_has_no_between_subject_sd() -> None:
    trials = pd.DataFrame({"SUBJECT_ID": [5]})
    comparison = compare_with_literature(landmarks(trial_curves()[None], trials=trials))
    assert comparison["cohort_between_sd"].isna().all()
    assert comparison["cohort_within_sd"].isna().all()  # one trial per side: no within-subject spread


def test_literature_values_point_at_existing_columns() -> None:
    columns = set(VALUE_COLUMNS) | set(TIME_COLUMNS)
    for reference in LITERATURE_LANDMARKS:
        assert reference.value_column is None or reference.value_column in columns
        assert reference.time_column is None or reference.time_column in columns
        assert (reference.mean is None) == (reference.value_column is None)
    by_name = {reference.name: reference for reference in LITERATURE_LANDMARKS}
    assert by_name["v_first_peak"].mean == 1.08 and by_name["v_first_peak"].between_sd == 0.061
    assert by_name["ap_braking_min"].mean == -0.175 and by_name["ap_braking_min"].timing == 16


def test_formatted_comparison_reads_as_mean_plus_minus_sd() -> None:
    text = format_comparison(compare_with_literature(two_subject_table())).set_index("landmark")
    assert text.loc["vertical first peak (BW)", "literature"] == "1.080 ± 0.061"
    assert text.loc["vertical first peak (BW)", "this cohort"] == "1.200 ± 0.141"
    assert text.loc["vertical first peak (BW)", "difference (literature SDs)"] == "1.97"
    assert text.loc["AP zero crossing", "this cohort"] == "–"
    assert text.loc["AP zero crossing", "timing, % stance: literature"] == "55.0"
    assert text.loc["ML medial maximum (BW)", "timing, % stance: literature"].startswith("two medial humps")
    assert text.loc["COP ML range (m)", "timing, % stance: this cohort"] == "–"
