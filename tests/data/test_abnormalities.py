"""Planted abnormalities: the requested dose, only where intended, plausible curves, exact ground truth.

Tolerances (stated once): on the synthetic cohort every kind moves its target
landmark by the requested severity to within 0.02 healthy SDs on average, and
at least 97 % of edited trial-sides to within 0.05 SDs (a trial whose first
hump is flat has no well-defined peak time, the one place calibration can
miss).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from analysis import data  # noqa: E402
from analysis.data import abnormalities as ab  # noqa: E402
from analysis.data import abnormality_shapes as shapes  # noqa: E402
from analysis.data.abnormality_operators import FLAT_FOOT_TEMPLATE, LANDMARKS  # noqa: E402
from analysis.data.figures_abnormalities import abnormality_gallery  # noqa: E402
from analysis.data.synthetic import SyntheticParameters, synthesize  # noqa: E402
from analysis.evaluation import landmarks as evaluation_landmarks  # noqa: E402

from figure_inputs import no_pyplot_figures_left, render  # noqa: E402, F401

N_SUBJECTS = 30
EDITED = 10  # the first EDITED subjects (sorted) are edited; the rest are the healthy reference
KINDS = [kind for kind in ab.KINDS if kind != "none"]
MEAN_TOLERANCE = 0.02
TRIAL_TOLERANCE = 0.05
TRIAL_SHARE = 0.97


def side_for(kind: str) -> str:
    return "right" if kind == "antalgic" else "both"


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> data.Cohort:
    out = tmp_path_factory.mktemp("abnormal") / "cohort"
    synthesize(out, seed=11, n_subjects=N_SUBJECTS)
    return data.load(out)


@pytest.fixture(scope="module")
def subjects(cohort: data.Cohort) -> list[int]:
    return sorted(cohort.trials["SUBJECT_ID"].unique())[:EDITED]


@pytest.fixture(scope="module")
def strongest(cohort: data.Cohort, subjects: list[int]) -> dict[str, ab.Injection]:
    return {kind: ab.inject(cohort, kind, 3.0, side_for(kind), subjects) for kind in KINDS}


def edited_rows(cohort: data.Cohort, subjects: list[int]) -> np.ndarray:
    return cohort.trials["SUBJECT_ID"].isin(subjects).to_numpy()


def edited_channels(kind: str, side: str) -> list[str]:
    sides = data.SIDES if side == "both" else (side,)
    return [f"{component}_{each}" for component in ab.ABNORMALITIES[kind].components for each in sides]


# ---------------------------------------------------------------------------
# Identity


def test_none_is_the_identity(cohort: data.Cohort, subjects: list[int]) -> None:
    injection = ab.inject(cohort, "none", 2.0, "both", subjects)
    assert injection.cohort.curves.tobytes() == cohort.curves.tobytes()
    assert injection.cohort.curves is not cohort.curves
    assert not injection.mask.any() and injection.mask.shape == cohort.curves.shape
    assert injection.severity == 0.0 and np.isnan(injection.healthy_sd)
    assert (injection.cohort.trials[ab.KIND_COLUMN] == "none").all()
    pd.testing.assert_frame_equal(injection.cohort.trials[cohort.trials.columns], cohort.trials)


@pytest.mark.parametrize("kind", KINDS)
def test_severity_zero_is_the_identity(cohort: data.Cohort, subjects: list[int], kind: str) -> None:
    injection = ab.inject(cohort, kind, 0.0, side_for(kind), subjects)
    assert injection.cohort.curves.tobytes() == cohort.curves.tobytes()
    assert not injection.mask.any() and injection.severity == 0.0
    assert (injection.cohort.trials.loc[edited_rows(cohort, subjects), ab.KIND_COLUMN] == kind).all()


# ---------------------------------------------------------------------------
# The requested dose, in the intended direction


@pytest.mark.parametrize("severity", [1.0, 3.0])
@pytest.mark.parametrize("kind", KINDS)
def test_target_moves_by_the_requested_sds(cohort: data.Cohort, subjects: list[int], kind: str, severity: float) -> None:
    abnormality = ab.ABNORMALITIES[kind]
    injection = ab.inject(cohort, kind, severity, side_for(kind), subjects)
    landmark = LANDMARKS[abnormality.target]
    rows = edited_rows(cohort, subjects)
    lateral = ab.lateral_signs(cohort)
    shifts = []
    for side in data.SIDES if side_for(kind) == "both" else (side_for(kind),):
        position = cohort.channels.index(f"{landmark.component}_{side}")
        sign = np.full(rows.sum(), lateral[side])
        before = landmark.read(cohort.curves[rows, position], sign)
        after = landmark.read(injection.cohort.curves[rows, position], sign)
        shifts.append(abnormality.direction * (after - before) / injection.healthy_sd)
    shift = np.concatenate(shifts)
    assert abs(shift.mean() - severity) <= MEAN_TOLERANCE
    assert np.mean(np.abs(shift - severity) <= TRIAL_TOLERANCE) >= TRIAL_SHARE
    assert injection.severity == pytest.approx(shift.mean())
    assert injection.requested_severity == severity


def test_healthy_sd_is_the_sd_of_subject_means_of_the_untouched_subjects(cohort: data.Cohort, subjects: list[int]) -> None:
    injection = ab.inject(cohort, "antalgic", 1.0, "left", subjects)
    reference = ~edited_rows(cohort, subjects)
    table = evaluation_landmarks.landmarks(cohort.curves[reference], cohort.channels, cohort.trials[reference])
    expected = table.groupby("SUBJECT_ID")["v_first_peak"].mean().std(ddof=1)
    assert injection.healthy_sd == pytest.approx(expected, rel=1e-12)
    assert injection.reference_subjects == N_SUBJECTS - EDITED


def test_project_landmark_table_sees_the_same_shifts(cohort: data.Cohort, subjects: list[int]) -> None:
    """The evaluation layer's landmark table, computed independently, agrees on direction and size."""
    rows = edited_rows(cohort, subjects)
    for kind, column in (("antalgic", "v_first_peak"), ("reduced_push_off", "ap_propulsive_max"), ("prolonged_braking", "ap_braking_min")):
        injection = ab.inject(cohort, kind, 2.0, "right", subjects)
        before = evaluation_landmarks.landmarks(cohort.curves[rows], cohort.channels)
        after = evaluation_landmarks.landmarks(injection.cohort.curves[rows], cohort.channels)
        right = before["side"] == "right"
        change = (after.loc[right, column] - before.loc[right, column]) / injection.healthy_sd
        assert change.mean() == pytest.approx(-2.0, abs=MEAN_TOLERANCE)
        assert np.array_equal(after.loc[~right, column], before.loc[~right, column])


@pytest.mark.parametrize("kind", KINDS)
def test_dose_response_is_monotone(cohort: data.Cohort, subjects: list[int], kind: str) -> None:
    side = side_for(kind)
    injections = [ab.inject(cohort, kind, severity, side, subjects) for severity in ab.STANDARD_SEVERITIES]
    applied = np.array([injection.severity for injection in injections])
    assert np.all(np.diff(applied) > 0.4)
    per_trial = np.stack([injection.trial_severity for injection in injections])
    finite = np.isfinite(per_trial).all(axis=0)
    assert np.mean(np.all(np.diff(per_trial[:, finite], axis=0) > 0, axis=0)) >= TRIAL_SHARE
    sizes = [np.abs(injection.cohort.curves - cohort.curves).sum() for injection in injections]
    assert np.all(np.diff(sizes) > 0)


# ---------------------------------------------------------------------------
# Only where intended, and the mask says exactly where


@pytest.mark.parametrize("kind", KINDS)
def test_untouched_channels_sides_and_subjects_keep_their_bytes(
    cohort: data.Cohort, subjects: list[int], strongest: dict[str, ab.Injection], kind: str
) -> None:
    injection = strongest[kind]
    rows = edited_rows(cohort, subjects)
    assert injection.cohort.curves[~rows].tobytes() == cohort.curves[~rows].tobytes()
    untouched = [index for index, channel in enumerate(cohort.channels) if channel not in edited_channels(kind, side_for(kind))]
    assert injection.cohort.curves[:, untouched].tobytes() == cohort.curves[:, untouched].tobytes()
    if side_for(kind) == "right":
        left = [index for index, channel in enumerate(cohort.channels) if channel.endswith("_left")]
        assert injection.cohort.curves[:, left].tobytes() == cohort.curves[:, left].tobytes()


@pytest.mark.parametrize("kind", KINDS)
def test_mask_is_exactly_the_changed_samples_inside_the_window(
    cohort: data.Cohort, subjects: list[int], strongest: dict[str, ab.Injection], kind: str
) -> None:
    injection = strongest[kind]
    np.testing.assert_array_equal(injection.mask, injection.cohort.curves != cohort.curves)
    rows = edited_rows(cohort, subjects)
    channels = [cohort.channels.index(channel) for channel in edited_channels(kind, side_for(kind))]
    assert injection.mask[rows][:, channels].any(axis=2).mean() > 0.9  # edited channels of edited trials change
    first, last = ab.ABNORMALITIES[kind].window
    recentred = kind == "lateral_cop"  # the synthetic COP_ML is mean-centred: every sample moves by a constant
    if not recentred:
        assert not injection.mask[..., :first].any() and not injection.mask[..., last + 1 :].any()


def test_recentred_cop_keeps_its_mean_and_its_shape_outside_the_bow(cohort: data.Cohort, strongest: dict[str, ab.Injection]) -> None:
    injection = strongest["lateral_cop"]
    position = cohort.channels.index("COP_ML_right")
    rows = injection.mask[:, position].any(axis=1)
    before, after = cohort.curves[rows, position], injection.cohort.curves[rows, position]
    np.testing.assert_allclose(after.mean(axis=1), before.mean(axis=1), atol=1e-15)
    change = after - before
    first, last = ab.ABNORMALITIES["lateral_cop"].window
    outside = np.r_[0:first, last + 1 : data.N_SAMPLES]
    np.testing.assert_allclose(change[:, outside], np.broadcast_to(change[:, :1], (len(change), outside.size)), atol=1e-15)


def test_lateral_cop_on_a_start_origin_channel_keeps_its_end_points(tmp_path: Path) -> None:
    parameters = SyntheticParameters(cop_ml_centred=False, cop_ml_sign_right=-1)
    other = data.load(synthesize(tmp_path / "origin", seed=5, n_subjects=12, parameters=parameters).out)
    chosen = sorted(other.trials["SUBJECT_ID"].unique())[:4]
    injection = ab.inject(other, "lateral_cop", 2.0, "both", chosen)
    assert ab.lateral_signs(other) == {"left": -1, "right": 1}  # the flipped side is recognised
    first, last = ab.ABNORMALITIES["lateral_cop"].window
    assert not injection.mask[..., :first].any() and not injection.mask[..., last + 1 :].any()
    assert injection.severity == pytest.approx(2.0, abs=MEAN_TOLERANCE)
    rows = edited_rows(other, chosen)
    for side, sign in ab.lateral_signs(other).items():
        position = other.channels.index(f"COP_ML_{side}")
        moved = (injection.cohort.curves[rows, position, 40] - other.curves[rows, position, 40]) * sign
        assert np.all(moved > 0)  # mid-stance moved laterally in this side's own convention


# ---------------------------------------------------------------------------
# Plausible curves


@pytest.mark.parametrize("kind", KINDS)
def test_edits_are_smooth_keep_end_points_and_non_negative_load(
    cohort: data.Cohort, strongest: dict[str, ab.Injection], kind: str
) -> None:
    injection = strongest[kind]
    for position, channel in enumerate(cohort.channels):
        rows = injection.mask[:, position].any(axis=1)
        if not rows.any():
            continue
        before, after = cohort.curves[rows, position], injection.cohort.curves[rows, position]
        change = after - before
        # No jumps: the steepest step of the edited curve is bounded by the original's plus a smooth window's share.
        steepest = np.abs(np.diff(after, axis=1)).max(axis=1)
        allowed = 3.0 * np.abs(np.diff(before, axis=1)).max(axis=1) + 0.35 * np.abs(change).max(axis=1)
        assert np.all(steepest <= allowed), channel
        if kind != "lateral_cop":
            assert np.all(change[:, [0, -1]] == 0.0), channel
        if channel.startswith("F_V"):
            assert after.min() >= 0.0


def test_coupled_channels_move_together(cohort: data.Cohort, subjects: list[int], strongest: dict[str, ab.Injection]) -> None:
    rows = edited_rows(cohort, subjects)
    index = {channel: position for position, channel in enumerate(cohort.channels)}

    def curves(injection: ab.Injection | None, channel: str) -> np.ndarray:
        return (cohort if injection is None else injection.cohort).curves[rows, index[channel]]

    # Reduced push-off lowers the second vertical peak with the propulsive peak.
    push_off = strongest["reduced_push_off"]
    for side in data.SIDES:
        for channel, window in ((f"F_V_{side}", (60, 90)), (f"F_AP_{side}", (50, 100))):
            peak_before = curves(None, channel)[:, window[0] : window[1] + 1].max(axis=1)
            peak_after = curves(push_off, channel)[:, window[0] : window[1] + 1].max(axis=1)
            assert np.all(peak_after < peak_before)
    # Antalgic unloading keeps the shear-to-load ratio (the utilised friction).
    antalgic = strongest["antalgic"]
    ratio_before = curves(None, "F_AP_right") / curves(None, "F_V_right")
    ratio_after = curves(antalgic, "F_AP_right") / curves(antalgic, "F_V_right")
    np.testing.assert_allclose(ratio_after, ratio_before, rtol=1e-9, atol=1e-12)
    # The heel-strike spike brings a braking (negative AP) spike where the foot is braking.
    heel = strongest["heel_strike"]
    braking = curves(None, "F_AP_left")[:, 4] < 0
    assert np.all(curves(heel, "F_AP_left")[braking, 4] < curves(None, "F_AP_left")[braking, 4])


def test_delayed_loading_delays_the_braking_too(cohort: data.Cohort, subjects: list[int], strongest: dict[str, ab.Injection]) -> None:
    rows = edited_rows(cohort, subjects)
    position = cohort.channels.index("F_AP_left")
    before = np.argmin(cohort.curves[rows, position, :50], axis=1)
    after = np.argmin(strongest["delayed_loading"].cohort.curves[rows, position, :50], axis=1)
    # The braking minimum moves later on average and almost never earlier; on the coupled cohort a flat
    # braking trough lets the arg-min of a few trials jump by a sample or two either way.
    assert np.mean(after - before) > 0.5 and np.mean(after >= before) >= 0.95


# ---------------------------------------------------------------------------
# Bookkeeping


def test_input_is_never_modified(cohort: data.Cohort, subjects: list[int]) -> None:
    curves, trials = cohort.curves.copy(), cohort.trials.copy()
    for kind in KINDS:
        ab.inject(cohort, kind, 2.0, side_for(kind), subjects)
    assert cohort.curves.tobytes() == curves.tobytes()
    pd.testing.assert_frame_equal(cohort.trials, trials)


def test_labels_and_per_trial_severity(cohort: data.Cohort, subjects: list[int]) -> None:
    injection = ab.inject(cohort, "flat_foot", 2.0, "left", subjects)
    trials, rows = injection.cohort.trials, edited_rows(cohort, subjects)
    assert (trials.loc[rows, ab.KIND_COLUMN] == "flat_foot").all() and (trials.loc[~rows, ab.KIND_COLUMN] == "none").all()
    assert (trials.loc[rows, ab.SIDE_COLUMN] == "left").all() and (trials.loc[~rows, ab.SIDE_COLUMN] == "").all()
    np.testing.assert_allclose(trials.loc[rows, ab.SEVERITY_COLUMN], injection.trial_severity[rows, 0])
    assert np.isnan(injection.trial_severity[rows, 1]).all() and np.isnan(injection.trial_severity[~rows]).all()


def test_same_seed_same_curves_other_seed_other_widths(cohort: data.Cohort, subjects: list[int]) -> None:
    first = ab.inject(cohort, "heel_strike", 2.0, "right", subjects, seed=3)
    again = ab.inject(cohort, "heel_strike", 2.0, "right", list(reversed(subjects)), seed=3)
    other = ab.inject(cohort, "heel_strike", 2.0, "right", subjects, seed=4)
    assert first.cohort.curves.tobytes() == again.cohort.curves.tobytes()
    assert first.cohort.curves.tobytes() != other.cohort.curves.tobytes()


def test_injections_into_other_subjects_chain(cohort: data.Cohort, subjects: list[int]) -> None:
    first = ab.inject(cohort, "antalgic", 2.0, "left", subjects[:5])
    second = ab.inject(first.cohort, "lateral_cop", 2.0, "both", subjects[5:])
    assert second.reference_subjects == N_SUBJECTS - EDITED  # neither edited group is taken as healthy
    kinds = second.cohort.trials.set_index("SUBJECT_ID")[ab.KIND_COLUMN]
    assert set(kinds.loc[subjects[:5]]) == {"antalgic"} and set(kinds.loc[subjects[5:]]) == {"lateral_cop"}
    with pytest.raises(ValueError, match=r"already carry an abnormality"):
        ab.inject(first.cohort, "heel_strike", 1.0, "left", subjects[:2])


def test_reference_cohort_and_small_cohorts(cohort: data.Cohort, subjects: list[int]) -> None:
    everyone = sorted(cohort.trials["SUBJECT_ID"].unique())
    alone = ab.inject(cohort, "heel_strike", 1.0, "left", everyone)  # nobody left untouched: the input's curves serve
    assert alone.reference_subjects == N_SUBJECTS
    healthy = cohort.select(~edited_rows(cohort, subjects))
    given = ab.inject(cohort.select(edited_rows(cohort, subjects)), "heel_strike", 1.0, "left", subjects, reference=healthy)
    assert given.healthy_sd == pytest.approx(ab.healthy_sds(healthy, ["v_heel_strike"])["v_heel_strike"])
    assert given.reference_subjects == N_SUBJECTS - EDITED


# ---------------------------------------------------------------------------
# Bad input


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"kind": "limp"}, r"kind must be one of \['none', 'antalgic', .*'delayed_loading'\], got 'limp'"),
        ({"severity": 3.5}, r"severity must be a number of healthy between-subject SDs in \[0, 3\] \(standard steps 0.5, 1, 2, 3\), got 3.5"),
        ({"severity": -0.5}, r"severity must be .* got -0.5"),
        ({"severity": float("nan")}, r"severity must be .* got nan"),
        ({"severity": "1"}, r"severity must be .* got '1'"),
        ({"severity": True}, r"severity must be .* got True"),
        ({"side": "up"}, r"side must be one of \['left', 'right', 'both'\] for kind 'heel_strike', got 'up'"),
        ({"kind": "antalgic", "side": "both"}, r"side must be one of \['left', 'right'\] for kind 'antalgic' \(unloading both sides at once is not antalgic\), got 'both'"),
        ({"subjects": [10**6]}, r"subjects names subject\(s\) not in the cohort: \[1000000\]; allowed values are the cohort's SUBJECT_IDs: 1, 2, 3"),
        ({"subjects": []}, r"subjects is empty; allowed values are the cohort's SUBJECT_IDs"),
        ({"seed": -1}, r"seed must be a non-negative integer, got -1"),
        ({"reference": "cohort"}, r"reference must be a Cohort or None, got str"),
    ],
)
def test_bad_arguments_name_the_argument_and_allowed_values(cohort: data.Cohort, arguments: dict[str, object], message: str) -> None:
    call = {"kind": "heel_strike", "severity": 1.0, "side": "left", "subjects": [1]} | arguments
    with pytest.raises(ValueError, match=message):
        ab.inject(cohort, **call)


def test_missing_channels_and_samples_are_refused(cohort: data.Cohort, subjects: list[int]) -> None:
    keep = [index for index, channel in enumerate(cohort.channels) if channel != "COP_ML_left"]
    partial = dataclasses.replace(cohort, curves=cohort.curves[:, keep], channels=tuple(cohort.channels[i] for i in keep))
    with pytest.raises(ValueError, match=r"the cohort lacks the channel\(s\) \['COP_ML_left'\]"):
        ab.inject(partial, "lateral_cop", 1.0, "both", subjects)
    ab.inject(partial, "heel_strike", 1.0, "right", subjects)  # kinds that do not need it still work
    broken = cohort.curves.copy()
    broken[edited_rows(cohort, subjects).argmax(), cohort.channels.index("F_V_left"), 30] = np.nan
    with pytest.raises(ValueError, match="missing or infinite samples"):
        ab.inject(dataclasses.replace(cohort, curves=broken), "antalgic", 1.0, "left", subjects)


def test_mask_runs() -> None:
    mask = np.zeros(data.N_SAMPLES, dtype=bool)
    mask[[0, 1, 5, 99, 100]] = True
    assert ab.mask_runs(mask) == [(0, 1), (5, 5), (99, 100)]
    with pytest.raises(ValueError, match="mask must be 1-D with 101 samples"):
        ab.mask_runs(np.zeros((2, 3)))


# ---------------------------------------------------------------------------
# The figure


def test_gallery_renders_every_kind_legibly(cohort: data.Cohort, subjects: list[int]) -> None:
    figure = render(abnormality_gallery(cohort, subjects[0], trial=1, side="left", severities=(1.0, 3.0)))
    assert figure.get_figwidth() <= 7.5
    titles = [axis.get_title() for axis in figure.axes]
    assert titles[0] == "antalgic unloading: vertical force" and len(figure.axes) == 2 * len(KINDS)
    assert [text.get_text() for text in figure.legends[0].get_texts()] == ["untouched", "1 SD", "3 SD", "mask at 3 SD"]
    shaded = figure.axes[0].patches
    assert shaded and all(patch.get_facecolor()[:3] != (0, 0, 0) for patch in shaded)


def test_gallery_rejects_bad_arguments(cohort: data.Cohort, subjects: list[int]) -> None:
    with pytest.raises(ValueError, match=r"side must be one of \['left', 'right'\] for the gallery"):
        abnormality_gallery(cohort, subjects[0], side="both")
    with pytest.raises(ValueError, match=r"kinds must be a non-empty selection of \['antalgic'"):
        abnormality_gallery(cohort, subjects[0], kinds=["none"])
    with pytest.raises(ValueError, match=r"trial must be in 0\.\.\d+ for subject"):
        abnormality_gallery(cohort, subjects[0], trial=10**4)
    with pytest.raises(ValueError, match=r"subjects names subject\(s\) not in the cohort"):
        abnormality_gallery(cohort, 10**6)


def test_dose_table_lists_every_kind_and_severity(cohort: data.Cohort, subjects: list[int]) -> None:
    table = ab.dose_table(cohort, subjects, severities=(1.0, 2.0), side="left")
    assert list(table["kind"]) == [kind for kind in KINDS for _ in range(2)]
    np.testing.assert_allclose(table["applied"], table["requested"], atol=MEAN_TOLERANCE)
    assert table.loc[table["kind"] == "heel_strike", "channels"].iat[0] == "F_V_left, F_AP_left, F_ML_left"
    assert (table["first_sample"] >= 0).all() and (table["applied_p05"] <= table["applied_p95"]).all()


# ---------------------------------------------------------------------------
# Building blocks


def test_windows_are_compact_flat_topped_and_zero_at_both_ends() -> None:
    centre = np.array([23.0, 50.0, 80.0])
    window = shapes.plateau(centre, 3.0, 10.0, 40.0, 3)
    assert np.all(window[:, [0, -1]] == 0.0) and np.all((window >= 0) & (window <= 1))
    np.testing.assert_array_equal(window[0, 20:27], 1.0)
    assert np.all(window[0, :10] == 0.0) and np.all(window[0, 67:] == 0.0)
    # Tapers are half cosines: slope at most π/2 per taper length, so no step anywhere.
    assert np.abs(np.diff(window[0, :20])).max() <= np.pi / 2 / 10 + 1e-12
    pulse = shapes.spike(4.0, 2.5, 1)[0]
    assert pulse[4] == 1.0 and np.flatnonzero(pulse).tolist() == [2, 3, 4, 5, 6]
    ramp = shapes.ramp_up(np.array([60.0]), np.array([70.0]), 1)[0]
    assert np.all(ramp[:61] == 0.0) and np.all(ramp[70:] == 1.0)


def test_warps_are_increasing_and_keep_the_end_points() -> None:
    old = np.array([23.0, 55.0])
    warp = shapes.delay_warp(old, np.array([5.0, 6.0]), np.array([48.0, 87.0]))
    assert np.all(np.diff(warp, axis=1) > 0) and np.all(warp[:, 0] == 0.0) and np.all(warp[:, -1] == 100.0)
    np.testing.assert_allclose(shapes.new_time_of(warp, old), old + [5.0, 6.0], atol=0.05)
    assert np.all(warp[0, 48:] == shapes.STANCE[48:])  # the identity after its end
    flat = shapes.blend_warp(FLAT_FOOT_TEMPLATE, np.array([0.0, 0.5, 1.0]))
    assert np.all(np.diff(flat, axis=1) > 0) and np.all(flat[0] == shapes.STANCE)


def test_resampler_is_exact_at_its_own_samples_and_never_overshoots() -> None:
    curves = np.vstack([np.sin(np.linspace(0, np.pi, data.N_SAMPLES)), np.linspace(0, 1, data.N_SAMPLES) ** 3])
    resample = shapes.Resampler(curves)
    identity = np.broadcast_to(shapes.STANCE, curves.shape)
    assert resample(identity).tobytes() == curves.tobytes()
    between = resample(np.clip(identity + 0.5, 0, 100))
    assert between.min() >= 0.0 and between.max() <= 1.0
    assert resample(identity[:1] + 0.0, np.array([1])).shape == (1, data.N_SAMPLES)


def test_calibration_reaches_targets_and_stops_at_bounds() -> None:
    slopes = np.array([[0.5], [1.5], [0.2]])

    def render(parameters: np.ndarray, rows: np.ndarray) -> np.ndarray:
        return slopes[rows] * parameters

    target = np.array([[1.0], [1.0], [1.0]])
    found = shapes.calibrate(render, target, np.ones_like(target), 0.0, np.array([[10.0], [10.0], [3.0]]), 1e-9)
    np.testing.assert_allclose(found[:2, 0], [2.0, 2 / 3], rtol=1e-6)
    assert found[2, 0] == 3.0  # 0.2 × 3 < 1: the bound holds, the caller reports the shortfall
