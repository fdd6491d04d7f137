"""Counterfactual twins: the same draws as synthesize, with only the requested change."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import data
from analysis.data import CHANNELS, ID_COLUMNS, METADATA_FILE, PUBLISHED_FILES, SPEED_FILE
from analysis.data.synthetic import (
    FACTOR_RANGE,
    GROUND_TRUTH_FILE,
    SyntheticParameters,
    counterfactual,
    editable_landmarks,
    read_ground_truth,
    synthesize,
)

SEED, SUBJECTS = 7, 24  # the sampled test cohort: DATASET_ID 6 and 8, whose speeds are unpublished, included
FILES = (*PUBLISHED_FILES, GROUND_TRUTH_FILE)
# What a change of speed may reach: the covariate, the speed-scaled trial noise, landmark values and
# (through the impulse balance) the pivot's shift. Never a person's draws.
SPEED_DRIVEN = re.compile(r"^(speed|noise_scale|.*_(left|right))$")
NEVER_CHANGED = re.compile(
    r"(_subject_effect|_session_effect|_asymmetry|_time_(left|right)|^style_|^pivot_height$|^com_travel_"
    r"|^lateral_offset_change_|^net_impulse_share_)"
)


@pytest.fixture(scope="module")
def original_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthesize(tmp_path_factory.mktemp("original") / "cohort", seed=SEED, n_subjects=SUBJECTS).out


def aligned_curves(directory: Path, trials: pd.DataFrame) -> np.ndarray:
    """The curves of a written cohort in the row order of ``trials``."""
    cohort = data.load(directory)
    order = cohort.trials[list(ID_COLUMNS)].reset_index().merge(trials[list(ID_COLUMNS)], on=list(ID_COLUMNS), sort=False)
    positions = trials[list(ID_COLUMNS)].merge(order, on=list(ID_COLUMNS), how="left")["index"].to_numpy()
    return cohort.curves[positions]


def test_no_change_is_synthesize_byte_for_byte(original_dir: Path, tmp_path: Path) -> None:
    twin = counterfactual(tmp_path / "twin", seed=SEED, n_subjects=SUBJECTS)
    for name in FILES:
        assert (twin.out / name).read_bytes() == (original_dir / name).read_bytes(), name
    np.testing.assert_array_equal(twin.twin, twin.original)
    np.testing.assert_array_equal(twin.original, aligned_curves(original_dir, twin.trials))
    assert twin.changed_columns() == []
    assert twin.channels == CHANNELS


def test_no_change_holds_uncoupled_and_on_a_copied_structure(tmp_path: Path) -> None:
    like = tmp_path / "like"
    like.mkdir()
    (like / METADATA_FILE).write_bytes(
        b"DATASET_ID,SUBJECT_ID,SESSION_ID,SEX,AGE,HEIGHT,BODY_MASS,SHOD_CONDITION\r\n1,1,1,0,30,170,60,0\r\n1,2,2,NaN,NaN,NaN,80,0\r\n"
    )
    (like / SPEED_FILE).write_bytes(
        b"DATASET_ID,SUBJECT_ID,SESSION_ID,TRIAL_ID,WALKING_SPEED\r\n1,1,1,1,1.4\r\n1,1,1,2,1.5\r\n1,2,2,1,NaN\r\n"
    )
    for parameters in (SyntheticParameters(coupling=False), SyntheticParameters()):
        expected = synthesize(tmp_path / f"expected{parameters.coupling}", like=like, seed=1, parameters=parameters).out
        twin = counterfactual(tmp_path / f"twin{parameters.coupling}", like=like, seed=1, parameters=parameters)
        for name in FILES:
            assert (twin.out / name).read_bytes() == (expected / name).read_bytes(), name
    changed = counterfactual(like=like, seed=1, speed_factor=1.1, mass_factor=0.9)
    np.testing.assert_allclose(changed.trials["twin_speed"], [1.54, 1.65, np.round(changed.trials["speed"][2] * 1.1, 2)])
    np.testing.assert_allclose(changed.trials["twin_body_mass"], [54.0, 54.0, 72.0])


def test_a_speed_change_moves_only_what_speed_drives(original_dir: Path, tmp_path: Path) -> None:
    twin = counterfactual(tmp_path / "twin", seed=SEED, n_subjects=SUBJECTS, speed_factor=1.2)
    changed = twin.changed_columns()
    assert {"speed", "F_V_first_peak_left", "F_V_valley_right", "F_AP_braking_minimum_left"} <= set(changed)
    assert all(SPEED_DRIVEN.match(column) for column in changed), changed
    assert not [column for column in changed if NEVER_CHANGED.search(column)]
    assert "body_mass" not in changed
    # The diff is twin minus original, in the files as in memory.
    truth_change = read_ground_truth(twin.out).drop(columns=list(ID_COLUMNS)) - read_ground_truth(original_dir).drop(
        columns=list(ID_COLUMNS)
    )
    pd.testing.assert_frame_equal(
        truth_change, twin.truth_change.drop(columns=list(ID_COLUMNS)), check_dtype=False, rtol=1e-5, atol=1e-6
    )
    np.testing.assert_array_equal(twin.twin, aligned_curves(twin.out, twin.trials))
    np.testing.assert_allclose(twin.curve_change, twin.twin - twin.original)
    # Faster walking raises the first peak by its slope (0.09 BW per 0.40 m/s) on average.
    speed_change = (twin.trials["twin_speed"] - twin.trials["speed"]).to_numpy()
    assert (speed_change > 0).all()
    slope = twin.truth_change["F_V_first_peak_left"].to_numpy() / speed_change
    assert slope.mean() == pytest.approx(0.09 / 0.40, abs=0.03)


def test_the_twins_speed_file_carries_the_new_speeds_where_published(original_dir: Path, tmp_path: Path) -> None:
    twin = counterfactual(tmp_path / "twin", seed=SEED, n_subjects=SUBJECTS, speed_factor=0.8)
    before = pd.read_csv(original_dir / SPEED_FILE).set_index(list(ID_COLUMNS))["WALKING_SPEED"]
    after = pd.read_csv(twin.out / SPEED_FILE).set_index(list(ID_COLUMNS))["WALKING_SPEED"]
    published = before.notna()
    assert published.any() and (~published).any()
    np.testing.assert_allclose(after[published], np.round(before[published] * 0.8, 2))
    assert after[~published].isna().all()
    assert (twin.out / METADATA_FILE).read_bytes() == (original_dir / METADATA_FILE).read_bytes()


def test_a_mass_change_moves_only_what_mass_drives(original_dir: Path, tmp_path: Path) -> None:
    subject = 5
    twin = counterfactual(tmp_path / "twin", seed=SEED, n_subjects=SUBJECTS, mass_factor=1.2, subjects=[subject])
    assert set(twin.changed_columns()) == {
        "body_mass", "F_V_valley_left", "F_V_valley_right", "F_V_second_peak_left", "F_V_second_peak_right",
        "pivot_shift_left", "pivot_shift_right",
    }  # fmt: skip
    mine = (twin.trials["SUBJECT_ID"] == subject).to_numpy()
    np.testing.assert_array_equal(twin.curve_change[~mine], 0.0)  # other people are untouched
    change = twin.curve_change[mine]
    for channel in ("COP_AP_left", "COP_AP_right", "COP_ML_left", "COP_ML_right"):
        np.testing.assert_array_equal(change[:, CHANNELS.index(channel)], 0.0)
    np.testing.assert_array_equal(change[:, CHANNELS.index("F_V_left"), :15], 0.0)  # the loading phase has no mass slope
    assert np.abs(change[:, CHANNELS.index("F_AP_left")]).max() > 0  # the shear follows the vertical force
    # The valley moves by its mass slope (r = 0.24 of a 0.056 BW spread per 11.4 kg), times the symmetry share.
    truth = read_ground_truth(original_dir).set_index(list(ID_COLUMNS))
    rows = twin.truth_change[mine].set_index(list(ID_COLUMNS))
    mass_change = (twin.trials["twin_body_mass"] - twin.trials["body_mass"]).to_numpy()[mine]
    expected = 0.24 * 0.056 / 11.4 * mass_change * (1 + truth.loc[rows.index, "F_V_valley_asymmetry"].to_numpy() / 2)
    np.testing.assert_allclose(rows["F_V_valley_left"].to_numpy(), expected, rtol=1e-4)
    metadata = pd.read_csv(twin.out / METADATA_FILE)
    before = pd.read_csv(original_dir / METADATA_FILE)
    changed = metadata["SUBJECT_ID"] == subject
    np.testing.assert_allclose(metadata.loc[changed, "BODY_MASS"], np.round(before.loc[changed, "BODY_MASS"] * 1.2, 1))
    np.testing.assert_allclose(metadata["BODY_WEIGHT"], np.round(metadata["BODY_MASS"] * 9.81, 1))
    pd.testing.assert_frame_equal(metadata[~changed], before[~changed])


def test_a_twin_is_closer_to_its_original_than_to_anyone_else() -> None:
    twin = counterfactual(seed=SEED, n_subjects=SUBJECTS, speed_factor=1.25)
    scale = twin.original.std(axis=(0, 2), keepdims=True)
    original = (twin.original / scale).reshape(len(twin.trials), -1)
    changed = (twin.twin / scale).reshape(len(twin.trials), -1)
    distances = (changed**2).sum(axis=1)[:, None] + (original**2).sum(axis=1)[None, :] - 2 * changed @ original.T
    subjects = twin.trials["SUBJECT_ID"].to_numpy()
    own = np.diag(distances)
    others = np.where(subjects[:, None] != subjects[None, :], distances, np.inf).min(axis=1)
    assert (own < others).mean() > 0.99


def test_landmark_edits_move_the_landmark_and_what_mechanics_ties_to_it() -> None:
    subject = 3
    twin = counterfactual(
        seed=SEED, n_subjects=SUBJECTS, landmark_edits={"F_V.first_peak": 0.05, "F_V.second_peak.time": 2.0}, subjects=[subject]
    )
    mine = (twin.trials["SUBJECT_ID"] == subject).to_numpy()
    rows = twin.truth_change[mine]
    np.testing.assert_allclose(rows["F_V_second_peak_time_left"], 2.0)
    assert rows["F_V_first_peak_left"].to_numpy() == pytest.approx(0.05, abs=0.05 * 0.06)  # times 1 ± SI/2
    np.testing.assert_array_equal(twin.curve_change[~mine], 0.0)
    assert np.abs(twin.curve_change[mine][:, CHANNELS.index("F_AP_left")]).max() > 1e-3
    np.testing.assert_array_equal(twin.curve_change[:, CHANNELS.index("COP_AP_left")], 0.0)


def test_editable_landmarks_name_values_and_times() -> None:
    allowed = editable_landmarks(SyntheticParameters())
    assert allowed["F_V.first_peak"] == pytest.approx(5 * 0.061)
    assert allowed["F_V.first_peak.time"] == 10.0
    assert "COP_AP.length" in allowed and "COP_AP.length.time" not in allowed
    assert "F_AP.start" not in allowed  # fixed at zero for everyone


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"speed_factor": 1.5}, f"speed_factor: factor 1.5 is outside the allowed range [{FACTOR_RANGE[0]}, {FACTOR_RANGE[1]}]"),
        ({"speed_factor": "fast"}, "speed_factor: 'fast' is not a number; allowed: a factor in [0.75, 1.25]"),
        ({"speed_factor": [1.1, 1.0]}, "speed_factor: per-trial factors need one per trial"),
        ({"mass_factor": {999: 1.1}}, "mass_factor: SUBJECT_ID 999 is not in the cohort; allowed: the cohort's 24 SUBJECT_IDs (1–24)"),
        ({"mass_factor": {2: 0.5}}, "mass_factor for SUBJECT_ID 2: factor 0.5 is outside the allowed range [0.75, 1.25]"),
        ({"mass_factor": [1.1] * 3}, "mass_factor: allowed are one factor or a {SUBJECT_ID: factor} mapping"),
        ({"subjects": [999], "speed_factor": 1.1}, "subjects: 999 is not in the cohort; allowed: the cohort's 24 SUBJECT_IDs (1–24)"),
        ({"landmark_edits": {"F_V.peak": 0.1}}, "landmark_edits: unknown landmark 'F_V.peak'; allowed: F_V.start, F_V.first_peak, F_V.first_peak.time"),
        ({"landmark_edits": {"F_V.first_peak": 1.0}}, "landmark_edits: the shift of F_V.first_peak by 1.0 is outside the allowed range ±0.305"),
        ({"seed": -1}, "seed must be a non-negative integer, got -1"),
    ],
)
def test_bad_changes_are_named_and_nothing_is_written(arguments: dict[str, object], message: str, tmp_path: Path) -> None:
    options = {"seed": SEED, "n_subjects": SUBJECTS, **arguments}
    with pytest.raises(ValueError, match=re.escape(message)):
        counterfactual(tmp_path / "twin", **options)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_a_failed_change_leaves_an_existing_directory_as_it_was(tmp_path: Path) -> None:
    out = synthesize(tmp_path / "cohort", seed=SEED, n_subjects=3).out
    before = {path.name: path.read_bytes() for path in out.iterdir()}
    with pytest.raises(ValueError, match="speed_factor"):
        counterfactual(out, seed=SEED, n_subjects=3, speed_factor=2.0)
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before
    assert [path.name for path in tmp_path.iterdir()] == ["cohort"]
