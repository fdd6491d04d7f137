"""Classic landmarks of the stance-phase curves, and how they compare with the literature.

Peaks, valleys and ranges are what gait laboratories have reported for
decades, so they are the most direct check that a cohort's curves (real or
synthetic) look like healthy walking. Every landmark is searched inside a
fixed window of stance (:data:`WINDOWS`); timings are in % stance, with the
101 samples at 0, 1, ..., 100 %.

Medio-lateral force. Healthy ML force is mostly medial during stance, after a
short lateral dip at heel strike. Whether a side's file reports medial as
positive is not verified for the Gutenberg files, so by default each side's
orientation is inferred from the cohort: a side whose mean ML force over all
trials and samples is negative is taken to use the opposite sign and is
negated before the ML landmarks are read. The sign used is kept in the
``ml_sign`` column. COP ranges do not depend on sign.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.data import CHANNELS, ID_COLUMNS, N_SAMPLES, SIDES, SUBJECT_COLUMN
from analysis.data.stance import LANDMARK_WINDOWS
from analysis.evaluation.seed_summary import format_mean_sd

# Search windows in % stance (= sample index), both ends included.
WINDOWS: dict[str, tuple[int, int]] = LANDMARK_WINDOWS
# The force and COP components a landmark table needs, for each side.
REQUIRED_COMPONENTS: tuple[str, ...] = ("F_V", "F_AP", "F_ML", "COP_AP", "COP_ML")
ML_ORIENTATIONS: tuple[str, ...] = ("infer", "as_is")
# Value columns of :func:`landmarks`, in table order. All but the two COP ranges
# have a "_time" partner in TIME_COLUMNS, which also holds the AP zero crossing
# (a timing only).
VALUE_COLUMNS: tuple[str, ...] = (
    "v_first_peak",
    "v_valley",
    "v_second_peak",
    "ap_braking_min",
    "ap_propulsive_max",
    "ml_early_min",
    "ml_medial_max",
    "cop_ap_range",
    "cop_ml_range",
)
TIME_COLUMNS: tuple[str, ...] = (
    "v_first_peak_time",
    "v_valley_time",
    "v_second_peak_time",
    "ap_braking_min_time",
    "ap_zero_crossing_time",
    "ap_propulsive_max_time",
    "ml_early_min_time",
    "ml_medial_max_time",
)
LITERATURE_SOURCE = (
    "trial-level data of 62 healthy adults at self-selected speed, "
    "checked against 211 GaitRec healthy controls"
)


@dataclass(frozen=True)
class LiteratureLandmark:
    """A published reference value of healthy walking at self-selected speed.

    ``mean`` is ``None`` for a landmark that is only a timing (the AP zero
    crossing); ``timing`` is ``None`` where no single timing is published.
    """

    name: str
    label: str
    unit: str
    value_column: str | None
    time_column: str | None
    mean: float | None
    between_sd: float | None
    within_sd: float | None
    timing: float | None
    source: str = LITERATURE_SOURCE
    note: str = ""


LITERATURE_LANDMARKS: tuple[LiteratureLandmark, ...] = (
    LiteratureLandmark("v_first_peak", "vertical first peak", "BW", "v_first_peak", "v_first_peak_time", 1.08, 0.061, 0.035, 23.0),
    LiteratureLandmark("v_valley", "vertical valley", "BW", "v_valley", "v_valley_time", 0.77, 0.056, 0.027, 48.0),
    LiteratureLandmark("v_second_peak", "vertical second peak", "BW", "v_second_peak", "v_second_peak_time", 1.13, 0.067, 0.027, 76.5),
    LiteratureLandmark("ap_braking_min", "AP braking minimum", "BW", "ap_braking_min", "ap_braking_min_time", -0.175, 0.031, 0.028, 16.0),
    LiteratureLandmark("ap_zero_crossing", "AP zero crossing", "% stance", None, "ap_zero_crossing_time", None, None, None, 55.0),
    LiteratureLandmark("ap_propulsive_max", "AP propulsive maximum", "BW", "ap_propulsive_max", "ap_propulsive_max_time", 0.219, 0.031, 0.018, 87.0),
    LiteratureLandmark("ml_early_min", "ML early lateral minimum", "BW", "ml_early_min", "ml_early_min_time", -0.044, 0.015, 0.009, 4.0),
    LiteratureLandmark(
        "ml_medial_max", "ML medial maximum", "BW", "ml_medial_max", "ml_medial_max_time", 0.050, 0.011, 0.009, None,
        note="two medial humps, at about 27 % and 70 % stance",
    ),
    LiteratureLandmark("cop_ap_range_barefoot", "COP AP range, barefoot", "m", "cop_ap_range", None, 0.21, 0.02, None, None),
    LiteratureLandmark("cop_ap_range_shod", "COP AP range, shod", "m", "cop_ap_range", None, 0.25, 0.02, None, None),
    LiteratureLandmark("cop_ml_range", "COP ML range", "m", "cop_ml_range", None, 0.03, 0.008, None, None),
)  # fmt: skip


# ---------------------------------------------------------------------------
# Extraction


def _channel_index(channels: Sequence[str]) -> dict[tuple[str, str], int]:
    """(component, side) -> position in ``channels``; every required pair must exist."""
    index = {}
    for position, channel in enumerate(channels):
        component, _, side = channel.rpartition("_")
        index[(component, side)] = position
    missing = [f"{component}_{side}" for side in SIDES for component in REQUIRED_COMPONENTS if (component, side) not in index]
    if missing:
        raise ValueError(f"landmarks need the channel(s) {', '.join(missing)}; got {list(channels)}")
    return index


def _checked_curves(curves: np.ndarray, channels: Sequence[str]) -> np.ndarray:
    array = np.asarray(curves, dtype=np.float64)
    if array.ndim != 3 or array.shape[1] != len(channels) or array.shape[2] != N_SAMPLES:
        raise ValueError(
            f"curves must have shape (n_trials, {len(channels)} channels, {N_SAMPLES} samples), got {array.shape}"
        )
    if array.shape[0] == 0:
        raise ValueError("curves hold no trials")
    bad = np.argwhere(~np.isfinite(array))
    if bad.size:
        trial, channel, sample = (int(value) for value in bad[0])
        raise ValueError(
            f"curves contain a non-finite value (trial {trial}, channel {channels[channel]}, sample {sample + 1})"
        )
    return array


def extreme_in_window(signal: np.ndarray, window: tuple[int, int], largest: bool) -> tuple[np.ndarray, np.ndarray]:
    """(value, time in % stance) of the max (or min) of each row inside ``window``."""
    start, stop = window
    part = signal[:, start : stop + 1]
    position = np.argmax(part, axis=1) if largest else np.argmin(part, axis=1)
    values = part[np.arange(part.shape[0]), position]
    return values, (position + start).astype(np.float64)


def zero_crossing_time(signal: np.ndarray, after: np.ndarray) -> np.ndarray:
    """First change from negative to non-negative at or after sample ``after``, per row.

    The crossing is placed by linear interpolation between the two samples
    around it, in % stance; NaN where the signal never crosses upward.
    """
    values = np.asarray(signal, dtype=np.float64)
    start = np.asarray(after)
    upward = (values[:, :-1] < 0) & (values[:, 1:] >= 0)
    upward &= np.arange(values.shape[1] - 1)[None, :] >= start[:, None]
    found = upward.any(axis=1)
    first = np.argmax(upward, axis=1)
    rows = np.arange(values.shape[0])
    before, after_value = values[rows, first], values[rows, first + 1]
    times = np.full(values.shape[0], np.nan)
    times[found] = first[found] + before[found] / (before[found] - after_value[found])
    return times


def ml_signs(curves: np.ndarray, channels: Sequence[str] = CHANNELS) -> dict[str, int]:
    """Per side, +1 if the mean ML force is medial-positive as given, else -1."""
    array = _checked_curves(curves, channels)
    index = _channel_index(channels)
    return {side: 1 if array[:, index[("F_ML", side)], :].mean() >= 0 else -1 for side in SIDES}


def landmarks(
    curves: np.ndarray,
    channels: Sequence[str] = CHANNELS,
    trials: pd.DataFrame | None = None,
    ml_orientation: str = "infer",
) -> pd.DataFrame:
    """One row per trial and side with every landmark and its timing.

    ``curves`` is ``(n_trials, n_channels, 101)`` in ``channels`` order, with
    forces in BW and COP in m. With ``trials`` (aligned row by row) its ID
    columns are copied in, which :func:`compare_with_literature` needs to
    average within subjects. ``ml_orientation="as_is"`` reads the ML force
    without the sign inference described in the module docstring.
    """
    array = _checked_curves(curves, channels)
    if ml_orientation not in ML_ORIENTATIONS:
        raise ValueError(f"ml_orientation must be one of {ML_ORIENTATIONS}, got {ml_orientation!r}")
    if trials is not None and len(trials) != array.shape[0]:
        raise ValueError(f"trials has {len(trials)} rows but curves hold {array.shape[0]} trials")
    index = _channel_index(channels)
    signs = ml_signs(array, channels) if ml_orientation == "infer" else dict.fromkeys(SIDES, 1)
    n_trials = array.shape[0]
    frames = []
    for side in SIDES:
        vertical = array[:, index[("F_V", side)]]
        anterior = array[:, index[("F_AP", side)]]
        medial = array[:, index[("F_ML", side)]] * signs[side]
        columns: dict[str, np.ndarray] = {}
        for name, signal, largest in (
            ("v_first_peak", vertical, True),
            ("v_valley", vertical, False),
            ("v_second_peak", vertical, True),
            ("ap_braking_min", anterior, False),
            ("ap_propulsive_max", anterior, True),
            ("ml_early_min", medial, False),
            ("ml_medial_max", medial, True),
        ):
            columns[name], columns[f"{name}_time"] = extreme_in_window(signal, WINDOWS[name], largest)
        columns["ap_zero_crossing_time"] = zero_crossing_time(anterior, columns["ap_braking_min_time"].astype(int))
        columns["cop_ap_range"] = np.ptp(array[:, index[("COP_AP", side)]], axis=1)
        columns["cop_ml_range"] = np.ptp(array[:, index[("COP_ML", side)]], axis=1)
        frame = pd.DataFrame({"trial": np.arange(n_trials), "side": side, "ml_sign": signs[side]})
        if trials is not None:
            for column in ID_COLUMNS:
                if column in trials.columns:
                    frame[column] = trials[column].to_numpy()
        for column in (*VALUE_COLUMNS, *TIME_COLUMNS):
            frame[column] = columns[column]
        frames.append(frame)
    return pd.concat(frames, ignore_index=True).sort_values(["trial", "side"], kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------
# Comparison with the literature


def _subject_statistics(table: pd.DataFrame, column: str) -> dict[str, float]:
    """Mean and SD of subject means, and the pooled SD of trials within subject and side."""
    values = pd.to_numeric(table[column], errors="coerce")
    present = table.assign(_value=values).dropna(subset=["_value"])
    subject_means = present.groupby(SUBJECT_COLUMN)["_value"].mean()
    groups = present.groupby([SUBJECT_COLUMN, "side"])["_value"]
    variances, counts = groups.var(ddof=1), groups.count()
    usable = counts > 1
    degrees = (counts[usable] - 1).sum()
    within = float(np.sqrt((variances[usable] * (counts[usable] - 1)).sum() / degrees)) if degrees > 0 else np.nan
    return {
        "n_subjects": int(subject_means.size),
        "mean": float(subject_means.mean()) if subject_means.size else np.nan,
        "between_sd": float(subject_means.std(ddof=1)) if subject_means.size > 1 else np.nan,
        "within_sd": within,
    }


def _value(number: float | None) -> float:
    return np.nan if number is None else float(number)


def compare_with_literature(
    table: pd.DataFrame,
    literature: Sequence[LiteratureLandmark] = LITERATURE_LANDMARKS,
) -> pd.DataFrame:
    """This cohort's landmarks beside the published values, one row per landmark.

    Subjects count once: trial values (both sides) are averaged within each
    subject first, then the cohort mean and between-subject SD are taken over
    subject means. The within-subject SD pools the trial-to-trial variance
    within each subject and side. ``difference_in_sd`` is (cohort mean −
    literature mean) / literature between-subject SD; the same is given for
    timings in % stance (``timing_difference``, no published SD per timing).
    """
    required = [SUBJECT_COLUMN, "side"]
    missing = [column for column in required if column not in table.columns]
    if missing:
        raise ValueError(
            f"the landmark table lacks the column(s) {missing}; build it with landmarks(..., trials=cohort.trials)"
        )
    rows = []
    for reference in literature:
        row: dict[str, object] = {
            "landmark": reference.name,
            "label": reference.label,
            "unit": reference.unit,
            "literature_mean": _value(reference.mean),
            "literature_between_sd": _value(reference.between_sd),
            "literature_within_sd": _value(reference.within_sd),
            "literature_timing": _value(reference.timing),
        }
        values = _subject_statistics(table, reference.value_column) if reference.value_column else None
        timings = _subject_statistics(table, reference.time_column) if reference.time_column else None
        main = values or timings
        row["n_subjects"] = main["n_subjects"] if main else 0
        row["cohort_mean"] = values["mean"] if values else np.nan
        row["cohort_between_sd"] = values["between_sd"] if values else np.nan
        row["cohort_within_sd"] = values["within_sd"] if values else np.nan
        row["cohort_timing"] = timings["mean"] if timings else np.nan
        row["cohort_timing_sd"] = timings["between_sd"] if timings else np.nan
        scale = _value(reference.between_sd)
        row["difference_in_sd"] = (row["cohort_mean"] - row["literature_mean"]) / scale if scale > 0 else np.nan
        row["timing_difference"] = row["cohort_timing"] - row["literature_timing"]
        row["source"] = reference.source
        row["note"] = reference.note
        rows.append(row)
    return pd.DataFrame(rows)


def _number(value: float, digits: int) -> str:
    return "–" if not np.isfinite(value) else f"{value:.{digits}f}"


def format_comparison(comparison: pd.DataFrame) -> pd.DataFrame:
    """The comparison as readable text columns (mean ± SD), for a book table."""
    rows = []
    for row in comparison.itertuples(index=False):
        digits = 1 if row.unit == "% stance" else 3
        has_value = np.isfinite(row.literature_mean)
        literature_value = format_mean_sd(row.literature_mean, row.literature_between_sd, digits) if has_value else "–"
        cohort_value = format_mean_sd(row.cohort_mean, row.cohort_between_sd, digits) if has_value else "–"
        rows.append(
            {
                "landmark": f"{row.label} ({row.unit})" if has_value else row.label,
                "literature": literature_value,
                "this cohort": cohort_value,
                "difference (literature SDs)": _number(row.difference_in_sd, 2),
                "within-subject SD: literature / cohort": (
                    f"{_number(row.literature_within_sd, digits)} / {_number(row.cohort_within_sd, digits)}"
                    if has_value
                    else "–"
                ),
                "timing, % stance: literature": row.note or _number(row.literature_timing, 1),
                "timing, % stance: this cohort": (
                    format_mean_sd(row.cohort_timing, row.cohort_timing_sd, 1) if np.isfinite(row.cohort_timing) else "–"
                ),
            }
        )
    return pd.DataFrame(rows)
