"""Relative quantities of vertical GRF curves that any two sources can be compared on.

Real curves that ship with a package are in arbitrary force units, walked at
speeds unlike the Gutenberg cohort's, by ten people rather than 350. What can
still be compared is relative: the shape of a curve divided by its stance
mean; how each landmark (first peak, valley, second peak of that scaled
curve) changes per m/s of walking speed relative to its mean; how much of a
landmark's variation lies between people; and how much a curve varies from
trial to trial within a person. Every quantity comes with a 95 % interval
from a bootstrap over subjects (subjects resampled with replacement, all
their trials kept), because subjects, not trials, are the independent units.

Speed effects are estimated within subjects (each subject's speeds and
landmarks centred on their own means, one pooled slope), so differences
between people's usual speeds do not masquerade as a speed effect. Variance
shares and trial-to-trial SDs are computed on values moved to a common speed
with that slope, so neither source's spread of speeds inflates them.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from analysis.evaluation.landmarks import LITERATURE_LANDMARKS, WINDOWS, extreme_in_window

LANDMARKS: tuple[str, ...] = ("v_first_peak", "v_valley", "v_second_peak")
LANDMARK_LABELS: dict[str, str] = {
    "v_first_peak": "first peak",
    "v_valley": "valley",
    "v_second_peak": "second peak",
}
SLOPE = "relative speed slope (per m/s)"
SHARE = "between-subject share"
WITHIN_SD = "within-subject SD at a common speed (relative)"
WITHIN_SD_SELF = "within-subject SD at self-selected speed (relative)"
CURVE_SD = "trial-to-trial SD of the scaled curve"
CONFIDENCE = 0.95
N_BOOTSTRAP = 1000


def scaled_by_stance_mean(curves: np.ndarray) -> np.ndarray:
    """Each curve divided by its own mean over stance: a unit-free shape."""
    array = np.asarray(curves, dtype=np.float64)
    if array.ndim != 2 or array.shape[1] < 3:
        raise ValueError(f"curves must be (trials, samples) with at least 3 samples, got shape {array.shape}")
    means = array.mean(axis=1, keepdims=True)
    if not (np.isfinite(means).all() and (means > 0).all()):
        raise ValueError("every vertical force curve needs a positive, finite mean over stance")
    return array / means


def vertical_landmarks(scaled: np.ndarray) -> pd.DataFrame:
    """First peak, valley and second peak of each scaled curve (the windows of :mod:`landmarks`)."""
    columns = {}
    for name, largest in (("v_first_peak", True), ("v_valley", False), ("v_second_peak", True)):
        columns[name], _ = extreme_in_window(np.asarray(scaled), WINDOWS[name], largest)
    return pd.DataFrame(columns)


# ---------------------------------------------------------------------------
# Estimators (one value from trials of several subjects)


def _centred_within(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    frame = pd.Series(values)
    return (frame - frame.groupby(groups).transform("mean")).to_numpy()


def relative_speed_slope(values: np.ndarray, speeds: np.ndarray, subjects: np.ndarray) -> float:
    """Pooled within-subject slope of ``values`` on speed, per m/s, as a fraction of the mean value."""
    speed_deviation = _centred_within(speeds, subjects)
    value_deviation = _centred_within(values, subjects)
    denominator = float(np.dot(speed_deviation, speed_deviation))
    if denominator == 0.0:
        return float("nan")
    return float(np.dot(speed_deviation, value_deviation) / denominator) / float(np.mean(values))


def at_common_speed(values: np.ndarray, speeds: np.ndarray, subjects: np.ndarray, reference: float) -> np.ndarray:
    """Values moved along the pooled within-subject speed slope to walking at ``reference`` m/s."""
    slope = relative_speed_slope(values, speeds, subjects) * float(np.mean(values))
    if not np.isfinite(slope):
        return np.asarray(values, dtype=np.float64)
    return np.asarray(values, dtype=np.float64) - slope * (np.asarray(speeds) - reference)


def between_subject_share(values: np.ndarray, subjects: np.ndarray) -> float:
    """ICC(1) from a one-way ANOVA: the share of variance that lies between subjects (0 when negative)."""
    frame = pd.DataFrame({"value": values, "subject": subjects})
    groups = frame.groupby("subject")["value"]
    counts = groups.count().to_numpy(dtype=np.float64)
    n_groups, n_total = len(counts), counts.sum()
    if n_groups < 2 or n_total <= n_groups:
        return float("nan")
    grand = frame["value"].mean()
    between = float((counts * (groups.mean().to_numpy() - grand) ** 2).sum() / (n_groups - 1))
    within = float(((frame["value"] - groups.transform("mean")) ** 2).sum() / (n_total - n_groups))
    size = (n_total - (counts**2).sum() / n_total) / (n_groups - 1)  # mean group size for unequal groups
    share = (between - within) / (between + (size - 1) * within)
    return float(max(0.0, share))


def relative_within_sd(values: np.ndarray, subjects: np.ndarray) -> float:
    """Pooled within-subject SD of ``values`` as a fraction of their mean."""
    deviation = _centred_within(values, subjects)
    n_subjects = len(np.unique(subjects))
    degrees = len(values) - n_subjects
    if degrees < 1:
        return float("nan")
    return float(np.sqrt(np.dot(deviation, deviation) / degrees) / np.mean(values))


def curve_trial_sd(scaled: np.ndarray, subjects: np.ndarray) -> float:
    """Within-subject SD of the scaled curve, pooled over subjects and averaged over stance."""
    array = np.asarray(scaled, dtype=np.float64)
    deviation = array - pd.DataFrame(array).groupby(subjects).transform("mean").to_numpy()
    degrees = array.shape[0] - len(np.unique(subjects))
    if degrees < 1:
        return float("nan")
    return float(np.sqrt((deviation**2).sum(axis=0) / degrees).mean())


# ---------------------------------------------------------------------------
# The comparison table


def subject_bootstrap(
    statistic: Callable[[np.ndarray, np.ndarray], float], subjects: np.ndarray, n_bootstrap: int = N_BOOTSTRAP, seed: int = 0
) -> tuple[float, float]:
    """Percentile interval of ``statistic(rows, groups)`` over resamples of whole subjects.

    ``rows`` are the integer positions of the drawn subjects' trials and
    ``groups`` their subject labels, a new label for each draw, so a subject
    drawn twice counts as two subjects.
    """
    subjects = np.asarray(subjects)
    labels, codes = np.unique(subjects, return_inverse=True)
    order = np.argsort(codes, kind="stable")
    counts = np.bincount(codes, minlength=len(labels))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(n_bootstrap):
        drawn = rng.integers(0, len(labels), size=len(labels))
        rows = np.concatenate([order[starts[index] : starts[index] + counts[index]] for index in drawn])
        values.append(statistic(rows, np.repeat(np.arange(len(drawn)), counts[drawn])))
    finite = np.asarray([value for value in values if np.isfinite(value)])
    if finite.size == 0:
        return float("nan"), float("nan")
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(finite, [tail, 100 - tail])
    return float(low), float(high)


def yardstick_table(
    curves: np.ndarray,
    speeds: np.ndarray,
    subjects: np.ndarray,
    reference_speed: float,
    n_bootstrap: int = N_BOOTSTRAP,
    seed: int = 0,
    self_selected: bool = False,
) -> pd.DataFrame:
    """Every relative quantity of one source, with its subject-bootstrap interval.

    Rows: (quantity, landmark, estimate, low, high) for the relative speed
    slope, the between-subject share (ICC(1) of the scaled shape's landmark)
    and the within-subject SD of each landmark, and the trial-to-trial SD of
    the whole scaled curve. ``reference_speed`` is the common speed that
    values are moved to before their spread is measured. ``self_selected``
    (for data walked at self-selected speeds, like Gutenberg's) adds the
    within-subject SD without that move, which is how published SDs at
    self-selected speed were measured; data with speeds varied on purpose
    have no such value.
    """
    speeds = np.asarray(speeds, dtype=np.float64)
    subjects = np.asarray(subjects)
    if not (len(curves) == len(speeds) == len(subjects)):
        raise ValueError(f"curves, speeds and subjects must align: {len(curves)}, {len(speeds)}, {len(subjects)} rows")
    scaled = scaled_by_stance_mean(curves)
    # Slopes and within-subject SDs are ratios within a person, so the curves' own units cancel;
    # the between-subject share uses the scaled shapes, so units that differ between people cannot inflate it.
    raw = vertical_landmarks(np.asarray(curves, dtype=np.float64))
    shape = vertical_landmarks(scaled)
    rows = []

    def add(quantity: str, landmark: str, statistic: Callable[[np.ndarray, np.ndarray], float]) -> None:
        estimate = statistic(np.arange(len(speeds)), subjects)
        low, high = subject_bootstrap(statistic, subjects, n_bootstrap, seed)
        rows.append({"quantity": quantity, "landmark": landmark, "estimate": estimate, "low": low, "high": high})

    for landmark in LANDMARKS:
        values, shaped = raw[landmark].to_numpy(), shape[landmark].to_numpy()
        add(SLOPE, landmark, lambda r, g, v=values: relative_speed_slope(v[r], speeds[r], g))
        add(
            SHARE,
            landmark,
            lambda r, g, v=shaped: between_subject_share(at_common_speed(v[r], speeds[r], g, reference_speed), g),
        )
        add(
            WITHIN_SD,
            landmark,
            lambda r, g, v=values: relative_within_sd(at_common_speed(v[r], speeds[r], g, reference_speed), g),
        )
        if self_selected:
            add(WITHIN_SD_SELF, landmark, lambda r, g, v=values: relative_within_sd(v[r], g))
    add(CURVE_SD, "whole stance", lambda r, g: curve_trial_sd(scaled[r], g))
    return pd.DataFrame(rows)


def mean_shape(curves: np.ndarray, subjects: np.ndarray) -> pd.DataFrame:
    """Mean scaled curve over subject means, with a 95 % t-interval over subjects, per sample."""
    from scipy import stats

    scaled = scaled_by_stance_mean(curves)
    subject_means = pd.DataFrame(scaled).groupby(np.asarray(subjects)).mean().to_numpy()
    n_subjects = subject_means.shape[0]
    if n_subjects < 2:
        raise ValueError("a mean shape with an interval needs at least two subjects")
    mean = subject_means.mean(axis=0)
    half = stats.t.ppf(0.5 + CONFIDENCE / 2, n_subjects - 1) * subject_means.std(axis=0, ddof=1) / np.sqrt(n_subjects)
    return pd.DataFrame({"sample": np.arange(scaled.shape[1]), "mean": mean, "low": mean - half, "high": mean + half})


# ---------------------------------------------------------------------------
# Second real source: published values (grf-facts, see analysis.evaluation.landmarks)

# GaitRec controls walking fast vs at self-selected speed, paired within subject
# (BW); the categories' speeds in m/s are not published, so these give a
# direction and a size relative to the landmark, not a slope per m/s.
GAITREC_FAST_DIFFERENCE_BW: dict[str, tuple[float, float]] = {
    "v_first_peak": (0.07, 0.11),
    "v_valley": (-0.10, -0.07),
    "v_second_peak": (0.01, 0.02),
}
CONSISTENT = "consistent"
RECALIBRATE_UP = "generator too low: recalibrate"
RECALIBRATE_DOWN = "generator too high: recalibrate"
DISAGREE = "real sources disagree: generator value kept as a parameter"
ONE_SOURCE = "one real source only: generator value kept as a parameter"
ONE_SOURCE_CONSISTENT = "consistent with the one real source"
DIRECTION_AGREES = "same direction in all sources; size per m/s has one real source: kept as a parameter"
DIRECTION_DIFFERS = "generator's direction differs from the real sources': recalibrate"
DIRECTION_UNRESOLVED = "generator's interval includes zero: direction not resolved, kept as a parameter"


def literature_intervals() -> pd.DataFrame:
    """The published second source for each comparable quantity, as (quantity, landmark, low, high, source)."""
    by_name = {landmark.name: landmark for landmark in LITERATURE_LANDMARKS}
    rows = []
    for landmark in LANDMARKS:
        published = by_name[landmark]
        icc = published.between_sd**2 / (published.between_sd**2 + published.within_sd**2)
        within = published.within_sd / published.mean
        low, high = (value / published.mean for value in GAITREC_FAST_DIFFERENCE_BW[landmark])
        rows += [
            (SLOPE, landmark, low, high, "GaitRec, fast − self-selected (relative, not per m/s)"),
            (SHARE, landmark, icc, icc, "healthy adults, BW-normalised landmark"),
            (WITHIN_SD_SELF, landmark, within, within, "healthy adults at self-selected speed, BW-normalised landmark"),
        ]
    return pd.DataFrame(rows, columns=["quantity", "landmark", "low", "high", "source"])


def _sign(low: float, high: float) -> int:
    """+1 or −1 when an interval excludes zero, 0 when it does not."""
    return 1 if low > 0 else (-1 if high < 0 else 0)


def verdict(quantity: str, generator: tuple[float, float], real: list[tuple[float, float]]) -> str:
    """The written rule for one quantity; intervals are (low, high).

    * Speed slopes: the second real source gives a direction only, so the
      rule checks that every source points the same way; a different
      direction of the generator calls for recalibration.
    * Other quantities: with one real source the generator value is kept.
      With two, when every real interval lies above the generator's (or every
      one below) the generator is recalibrated towards the nearest real
      value; when the generator's interval meets every real interval it is
      consistent; otherwise the real sources disagree and the value is kept.
    """
    if quantity == SLOPE:
        real_signs = {_sign(*interval) for interval in real}
        if len(real_signs) != 1 or 0 in real_signs:
            return DISAGREE
        generator_sign = _sign(*generator)
        if generator_sign == 0:
            return DIRECTION_UNRESOLVED
        return DIRECTION_AGREES if generator_sign in real_signs else DIRECTION_DIFFERS
    generator_low, generator_high = generator
    if len(real) < 2:
        if len(real) == 1 and real[0][0] <= generator_high and real[0][1] >= generator_low:
            return ONE_SOURCE_CONSISTENT
        return ONE_SOURCE
    if all(low > generator_high for low, _ in real):
        return RECALIBRATE_UP
    if all(high < generator_low for _, high in real):
        return RECALIBRATE_DOWN
    if all(low <= generator_high and high >= generator_low for low, high in real):
        return CONSISTENT
    return DISAGREE


def comparison(real: pd.DataFrame, generator: pd.DataFrame) -> pd.DataFrame:
    """Real (spm1d) and generator yardstick tables side by side, the published source beside them, and each verdict.

    A quantity the real curves cannot give (e.g. the SD at self-selected
    speed) is judged on the published source alone.
    """
    published = literature_intervals().set_index(["quantity", "landmark"])
    merged = generator.merge(real, on=["quantity", "landmark"], how="left", suffixes=("_generator", "_real"))
    rows = []
    for _, row in merged.iterrows():
        key = (row["quantity"], row["landmark"])
        real_intervals = [] if pd.isna(row["estimate_real"]) else [(row["low_real"], row["high_real"])]
        second = published.loc[key] if key in published.index else None
        if second is not None:
            real_intervals.append((float(second["low"]), float(second["high"])))
        rows.append(
            {
                "quantity": row["quantity"],
                "landmark": LANDMARK_LABELS.get(row["landmark"], row["landmark"]),
                "real curves": "–" if pd.isna(row["estimate_real"]) else _interval_text(row["estimate_real"], row["low_real"], row["high_real"]),
                "published": "–" if second is None else _range_text(float(second["low"]), float(second["high"])),
                "generator": _interval_text(row["estimate_generator"], row["low_generator"], row["high_generator"]),
                "verdict": verdict(row["quantity"], (row["low_generator"], row["high_generator"]), real_intervals),
            }
        )
    return pd.DataFrame(rows)


def _interval_text(estimate: float, low: float, high: float) -> str:
    return f"{estimate:.3f} [{low:.3f}, {high:.3f}]"


def _range_text(low: float, high: float) -> str:
    return f"{low:.3f}" if np.isclose(low, high) else f"{low:.3f} to {high:.3f}"
