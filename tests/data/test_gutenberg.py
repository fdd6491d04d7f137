"""The Gutenberg loader: valid directories, every rejected input, cohort helpers, CLI."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import data
from analysis.__main__ import main
from analysis.data import (
    CHANNELS,
    CURVE_FILES,
    ID_COLUMNS,
    METADATA_FILE,
    N_SAMPLES,
    SESSION_KEY,
    SPEED_FILE,
    DataFormatError,
    IncompleteTrialsWarning,
)

from gutenberg_files import (
    METADATA_COLUMNS,
    delete_line,
    line_of_trial,
    read_line,
    replace_field,
    rewrite_line,
    write_cohort,
    write_template_curve_files,
)

F_V_LEFT = CURVE_FILES["F_V_left"]
COP_ML_RIGHT = CURVE_FILES["COP_ML_right"]
N_IDS = len(ID_COLUMNS)


def key_of_line(path: Path, line_number: int, n_columns: int = N_IDS) -> tuple[int, ...]:
    return tuple(int(field) for field in read_line(path, line_number).split(",")[:n_columns])


def key_text(key: tuple[int, ...], columns: tuple[str, ...] = ID_COLUMNS) -> str:
    return ", ".join(f"{column}={value}" for column, value in zip(columns, key))


def row_of(cohort: data.Cohort, key: tuple[int, ...]) -> int:
    match = (cohort.trials[list(ID_COLUMNS)].to_numpy() == np.array(key)).all(axis=1)
    assert match.sum() == 1
    return int(np.flatnonzero(match)[0])


# ---------------------------------------------------------------------------
# Valid directories.


def test_load_gives_aligned_curves_and_trial_table(gutenberg_dir: Path) -> None:
    cohort = data.load(gutenberg_dir)

    assert cohort.curves.shape == (18, len(CHANNELS), N_SAMPLES)
    assert cohort.curves.dtype == np.float64
    assert cohort.channels == CHANNELS
    assert (cohort.n_trials, cohort.n_subjects, cohort.n_sessions) == (18, 3, 6)
    assert cohort.dropped_trials == 0
    assert cohort.directory == gutenberg_dir.resolve()
    metadata_columns = [column for column in METADATA_COLUMNS if column not in SESSION_KEY]
    assert list(cohort.trials.columns) == [*ID_COLUMNS, "WALKING_SPEED", *metadata_columns, "SUBJECT_SEX"]
    assert isinstance(cohort.trials.index, pd.RangeIndex)
    ids = cohort.trials[list(ID_COLUMNS)]
    pd.testing.assert_frame_equal(ids, ids.sort_values(list(ID_COLUMNS)).reset_index(drop=True))


@pytest.mark.parametrize("channel", CHANNELS)
def test_each_written_value_is_found_at_its_trial_channel_and_sample(gutenberg_dir: Path, channel: str) -> None:
    # Rows are shuffled differently in every file, so this fails if rows are matched by position.
    cohort = data.load(gutenberg_dir)
    path = gutenberg_dir / CURVE_FILES[channel]
    for line_number in (2, 7, 19):
        fields = read_line(path, line_number).split(",")
        written = np.array([float(text) for text in fields[N_IDS:]])
        loaded = cohort.curves[row_of(cohort, key_of_line(path, line_number)), CHANNELS.index(channel)]
        np.testing.assert_allclose(loaded, written, rtol=0, atol=1e-12)


def test_speed_and_metadata_are_joined_by_trial_and_session(gutenberg_dir: Path) -> None:
    cohort = data.load(gutenberg_dir)
    speeds = pd.read_csv(gutenberg_dir / SPEED_FILE)
    metadata = pd.read_csv(gutenberg_dir / METADATA_FILE)
    expected = speeds.merge(metadata, on=list(SESSION_KEY))
    joined = cohort.trials.merge(expected, on=list(ID_COLUMNS), suffixes=("", "_written"))
    assert len(joined) == cohort.n_trials
    for column in ("WALKING_SPEED", "AGE", "HEIGHT", "BODY_MASS", "BODY_WEIGHT", "SEX", "READMISSION"):
        np.testing.assert_array_equal(joined[column].to_numpy(float), joined[f"{column}_written"].to_numpy(float))
    assert set(cohort.trials["CLASS_LABEL"]) == {"HC"}
    assert cohort.trials["SESSION_DATE"].str.match(r"\d\d\.05\.2014 ").all()


def test_lf_and_crlf_files_load_to_the_same_cohort(tmp_path: Path) -> None:
    write_cohort(tmp_path / "crlf", line_ending="\r\n")
    write_cohort(tmp_path / "lf", line_ending="\n")
    assert b"\r\n" not in (tmp_path / "lf" / F_V_LEFT).read_bytes()
    crlf, lf = data.load(tmp_path / "crlf"), data.load(tmp_path / "lf")
    np.testing.assert_array_equal(crlf.curves, lf.curves)
    pd.testing.assert_frame_equal(crlf.trials, lf.trials)


def test_rows_of_the_speed_file_without_curves_are_ignored(gutenberg_dir: Path) -> None:
    path = gutenberg_dir / SPEED_FILE
    with path.open("ab") as handle:
        handle.write(b"9,99,999,1,1.50\r\n")
    assert data.load(gutenberg_dir).n_trials == 18


def test_error_line_numbers_count_blank_lines(gutenberg_dir: Path) -> None:
    path = gutenberg_dir / F_V_LEFT
    rewrite_line(path, 3, read_line(path, 3) + "\r\n")  # a blank line becomes line 4
    replace_field(path, 6, N_IDS + 2, "oops")
    with pytest.raises(DataFormatError, match=rf"{F_V_LEFT} line 6, column 7 \(F_V_PRO_3\): 'oops' is not a number"):
        data.load(gutenberg_dir)


# ---------------------------------------------------------------------------
# Rejected directories and files.


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(DataFormatError, match=r"data directory .*nowhere does not exist"):
        data.load(tmp_path / "nowhere")


def test_directory_that_is_a_file(tmp_path: Path) -> None:
    path = tmp_path / "a_file"
    path.write_text("x")
    with pytest.raises(DataFormatError, match="is not a directory"):
        data.load(path)


def test_missing_files_are_all_named(gutenberg_dir: Path) -> None:
    (gutenberg_dir / COP_ML_RIGHT).unlink()
    (gutenberg_dir / SPEED_FILE).unlink()
    with pytest.raises(DataFormatError, match=rf"lacks 2 of the 12 Gutenberg files: {COP_ML_RIGHT}, {SPEED_FILE}$"):
        data.load(gutenberg_dir)


@pytest.mark.parametrize("name", [F_V_LEFT, METADATA_FILE, SPEED_FILE])
def test_empty_file(gutenberg_dir: Path, name: str) -> None:
    (gutenberg_dir / name).write_bytes(b"")
    with pytest.raises(DataFormatError, match=rf"^{name} is empty: no header line$"):
        data.load(gutenberg_dir)


@pytest.mark.parametrize("name", [F_V_LEFT, METADATA_FILE, SPEED_FILE])
def test_header_without_rows(gutenberg_dir: Path, name: str) -> None:
    path = gutenberg_dir / name
    path.write_bytes((read_line(path, 1) + "\r\n").encode())
    with pytest.raises(DataFormatError, match=rf"^{name} has a header but no data rows$"):
        data.load(gutenberg_dir)


def test_missing_id_columns_are_named(gutenberg_dir: Path) -> None:
    path = gutenberg_dir / COP_ML_RIGHT
    header = read_line(path, 1).replace("DATASET_ID", "DATASET").replace("TRIAL_ID", "TRIAL")
    rewrite_line(path, 1, header)
    with pytest.raises(DataFormatError, match=rf"{COP_ML_RIGHT} lacks the column\(s\) DATASET_ID, TRIAL_ID"):
        data.load(gutenberg_dir)


def test_missing_metadata_column_is_named(gutenberg_dir: Path) -> None:
    path = gutenberg_dir / METADATA_FILE
    rewrite_line(path, 1, read_line(path, 1).replace("BODY_MASS", "MASS"))
    with pytest.raises(DataFormatError, match=rf"{METADATA_FILE} lacks the column\(s\) BODY_MASS"):
        data.load(gutenberg_dir)


def test_header_with_wrong_number_of_samples(gutenberg_dir: Path) -> None:
    path = gutenberg_dir / F_V_LEFT
    rewrite_line(path, 1, read_line(path, 1).rsplit(",", 1)[0])
    with pytest.raises(DataFormatError, match=rf"{F_V_LEFT} header has 100 value columns after the 4 ID columns"):
        data.load(gutenberg_dir)


@pytest.mark.parametrize(("change", "found"), [(-1, 100), (+1, 102)])
def test_row_with_wrong_number_of_samples(gutenberg_dir: Path, change: int, found: int) -> None:
    path = gutenberg_dir / CURVE_FILES["F_AP_right"]
    line = read_line(path, 5)
    rewrite_line(path, 5, line.rsplit(",", 1)[0] if change < 0 else line + ",0.1")
    with pytest.raises(
        DataFormatError, match=rf"{path.name} line 5 has {found} values after the 4 ID columns; expected 101 samples"
    ):
        data.load(gutenberg_dir)


def test_non_numeric_sample_names_file_line_column_and_text(gutenberg_dir: Path) -> None:
    path = gutenberg_dir / CURVE_FILES["F_ML_left"]
    replace_field(path, 6, N_IDS + 10, "1.2.3")
    with pytest.raises(DataFormatError, match=rf"^{path.name} line 6, column 15 \(F_ML_PRO_11\): '1.2.3' is not a number$"):
        data.load(gutenberg_dir)


def test_non_numeric_id(gutenberg_dir: Path) -> None:
    replace_field(gutenberg_dir / F_V_LEFT, 4, 1, "S7")
    with pytest.raises(DataFormatError, match=rf"{F_V_LEFT} line 4, column 2 \(SUBJECT_ID\): 'S7' is not a number"):
        data.load(gutenberg_dir)


@pytest.mark.parametrize(("text", "problem"), [("2.5", "2.5 is not a whole-number ID"), ("NaN", "the ID is missing")])
def test_id_that_is_not_a_whole_number(gutenberg_dir: Path, text: str, problem: str) -> None:
    replace_field(gutenberg_dir / F_V_LEFT, 3, 3, text)
    with pytest.raises(DataFormatError, match=rf"^{F_V_LEFT} line 3, column TRIAL_ID: {problem}$"):
        data.load(gutenberg_dir)


@pytest.mark.parametrize(("text", "kind"), [("NaN", r"missing \(NaN\)"), ("inf", "infinite"), ("", r"missing \(NaN\)")])
def test_non_finite_sample_names_file_line_and_key(gutenberg_dir: Path, text: str, kind: str) -> None:
    path = gutenberg_dir / CURVE_FILES["COP_AP_left"]
    replace_field(path, 9, N_IDS + 49, text)
    key = key_text(key_of_line(path, 9))
    with pytest.raises(
        DataFormatError,
        match=rf"^{path.name} line 9 \(trial {key}\): sample 50 of 101 \(COP_AP_PRO_50\) is {kind}; "
        r"1 trial\(s\) have missing or infinite samples; load with drop_incomplete=True",
    ):
        data.load(gutenberg_dir)


def test_duplicate_trial_in_a_file(gutenberg_dir: Path) -> None:
    path = gutenberg_dir / F_V_LEFT
    key = read_line(path, 2).split(",")[:N_IDS]
    rewrite_line(path, 5, ",".join(key + read_line(path, 5).split(",")[N_IDS:]))
    expected = key_text(tuple(int(value) for value in key))
    with pytest.raises(DataFormatError, match=rf"{F_V_LEFT} has trial {expected} twice \(lines 2 and 5\)"):
        data.load(gutenberg_dir)


def test_trial_missing_from_one_curve_file(gutenberg_dir: Path) -> None:
    path = gutenberg_dir / COP_ML_RIGHT
    key = key_text(key_of_line(path, 4))
    delete_line(path, 4)
    with pytest.raises(DataFormatError, match=rf"^trial {key} is in {F_V_LEFT} but not in {COP_ML_RIGHT} \(1 trial"):
        data.load(gutenberg_dir)


def test_trial_only_in_one_curve_file(gutenberg_dir: Path) -> None:
    path = gutenberg_dir / CURVE_FILES["F_AP_left"]
    fields = read_line(path, 2).split(",")
    rewrite_line(path, 2, read_line(path, 2) + "\r\n" + ",".join(["2", "2", "3", "77", *fields[N_IDS:]]))
    with pytest.raises(
        DataFormatError, match=rf"trial {key_text((2, 2, 3, 77))} is in {path.name} but not in {F_V_LEFT}"
    ):
        data.load(gutenberg_dir)


def test_session_missing_from_metadata(gutenberg_dir: Path) -> None:
    path = gutenberg_dir / METADATA_FILE
    session = key_of_line(path, 4, len(SESSION_KEY))
    delete_line(path, 4)
    with pytest.raises(
        DataFormatError, match=rf"{METADATA_FILE} has no row for session {key_text(session, SESSION_KEY)} \(1 session"
    ):
        data.load(gutenberg_dir)


def test_trial_missing_from_speed_file(gutenberg_dir: Path) -> None:
    path = gutenberg_dir / SPEED_FILE
    key = key_of_line(path, 8)
    delete_line(path, 8)
    with pytest.raises(DataFormatError, match=rf"{SPEED_FILE} has no row for trial {key_text(key)} \(1 trial"):
        data.load(gutenberg_dir)


@pytest.mark.parametrize("column", ["SEX", "AGE", "HEIGHT", "BODY_WEIGHT", "BODY_MASS"])
def test_non_numeric_metadata_value(gutenberg_dir: Path, column: str) -> None:
    path = gutenberg_dir / METADATA_FILE
    replace_field(path, 3, METADATA_COLUMNS.index(column), "unknown")
    with pytest.raises(DataFormatError, match=rf"^{METADATA_FILE} line 3, column {column}: 'unknown' is not a finite number$"):
        data.load(gutenberg_dir)


def test_sex_outside_the_published_codes(gutenberg_dir: Path) -> None:
    replace_field(gutenberg_dir / METADATA_FILE, 5, METADATA_COLUMNS.index("SEX"), "2")
    with pytest.raises(DataFormatError, match=rf"{METADATA_FILE} line 5, column SEX: '2' is not 0 \(female\) or 1 \(male\)"):
        data.load(gutenberg_dir)


def test_duplicate_session_in_metadata(gutenberg_dir: Path) -> None:
    path = gutenberg_dir / METADATA_FILE
    rewrite_line(path, 3, read_line(path, 2))
    with pytest.raises(DataFormatError, match=rf"{METADATA_FILE} has session {key_text((1, 1, 1), SESSION_KEY)} twice \(lines 2 and 3\)"):
        data.load(gutenberg_dir)


def test_non_numeric_speed(gutenberg_dir: Path) -> None:
    replace_field(gutenberg_dir / SPEED_FILE, 7, N_IDS, "fast")
    with pytest.raises(DataFormatError, match=rf"{SPEED_FILE} line 7, column WALKING_SPEED: 'fast' is not a finite number"):
        data.load(gutenberg_dir)


def test_missing_speed_is_allowed(gutenberg_dir: Path) -> None:
    path = gutenberg_dir / SPEED_FILE
    key = key_of_line(path, 7)
    replace_field(path, 7, N_IDS, "NaN")
    cohort = data.load(gutenberg_dir)
    speed = cohort.trials["WALKING_SPEED"]
    assert speed.isna().sum() == 1
    assert np.isnan(speed.iloc[row_of(cohort, key)])


# ---------------------------------------------------------------------------
# Dropping incomplete trials.


def test_drop_incomplete_counts_each_trial_once_and_warns(gutenberg_dir: Path) -> None:
    first, second = gutenberg_dir / F_V_LEFT, gutenberg_dir / COP_ML_RIGHT
    broken = {key_of_line(first, 3), key_of_line(first, 10)}
    replace_field(first, 3, N_IDS, "NaN")
    replace_field(first, 10, N_IDS + 100, "-inf")
    replace_field(second, line_of_trial(second, key_of_line(first, 3)), N_IDS + 5, "NaN")  # same trial again

    with pytest.warns(IncompleteTrialsWarning, match=r"dropped 2 of 18 trials with missing or infinite samples"):
        cohort = data.load(gutenberg_dir, drop_incomplete=True)

    assert (cohort.n_trials, cohort.dropped_trials) == (16, 2)
    assert np.isfinite(cohort.curves).all()
    kept = set(map(tuple, cohort.trials[list(ID_COLUMNS)].to_numpy().tolist()))
    assert not kept & broken
    assert "trials: 16 (2 dropped as incomplete)" in data.summarize(cohort)


def test_without_drop_incomplete_the_count_is_reported(gutenberg_dir: Path) -> None:
    path = gutenberg_dir / F_V_LEFT
    replace_field(path, 3, N_IDS, "NaN")
    replace_field(path, 10, N_IDS, "NaN")
    with pytest.raises(DataFormatError, match=r"2 trial\(s\) have missing or infinite samples"):
        data.load(gutenberg_dir)


def test_a_cohort_with_only_incomplete_trials_is_an_error(gutenberg_dir: Path) -> None:
    path = gutenberg_dir / F_V_LEFT
    for line_number in range(2, 20):
        replace_field(path, line_number, N_IDS + 50, "NaN")
    with pytest.raises(DataFormatError, match="every one of the 18 trials .* has missing or infinite samples"):
        data.load(gutenberg_dir, drop_incomplete=True)


# ---------------------------------------------------------------------------
# Cohort helpers.


def test_select_by_positions_keeps_curves_with_their_trials(gutenberg_dir: Path) -> None:
    cohort = data.load(gutenberg_dir)
    chosen = cohort.select([5, 0, 17])
    np.testing.assert_array_equal(chosen.curves, cohort.curves[[5, 0, 17]])
    pd.testing.assert_frame_equal(chosen.trials, cohort.trials.iloc[[5, 0, 17]].reset_index(drop=True))
    assert chosen.channels == cohort.channels and chosen.directory == cohort.directory


def test_select_by_mask(gutenberg_dir: Path) -> None:
    cohort = data.load(gutenberg_dir)
    chosen = cohort.select(cohort.trials["SUBJECT_ID"] == 2)
    assert chosen.n_trials == 6 and set(chosen.trials["SUBJECT_ID"]) == {2}
    np.testing.assert_array_equal(chosen.curves, cohort.curves[cohort.trials["SUBJECT_ID"].to_numpy() == 2])
    assert cohort.select(np.zeros(18, dtype=bool)).n_trials == 0
    with pytest.raises(ValueError, match=r"one entry per trial \(18\)"):
        cohort.select(np.ones(5, dtype=bool))
    with pytest.raises(ValueError, match="integer positions or a boolean mask"):
        cohort.select([0.5, 1.5])


def test_subset_subjects_keeps_every_trial_of_the_chosen_people(tmp_path: Path) -> None:
    write_cohort(tmp_path, n_subjects=8, sessions_per_subject=1, trials_per_session=2)
    cohort = data.load(tmp_path)
    subset = cohort.subset_subjects(3, seed=4)
    again = cohort.subset_subjects(3, seed=4)
    assert subset.n_subjects == 3 and subset.n_trials == 6
    pd.testing.assert_frame_equal(subset.trials, again.trials)
    chosen = set(subset.trials["SUBJECT_ID"])
    assert (cohort.trials["SUBJECT_ID"].isin(chosen)).sum() == subset.n_trials
    draws = {frozenset(cohort.subset_subjects(3, seed=seed).trials["SUBJECT_ID"]) for seed in range(10)}
    assert len(draws) > 1  # the seed matters
    assert cohort.subset_subjects(8, seed=0) is cohort
    assert cohort.subset_subjects(50, seed=0) is cohort
    with pytest.raises(ValueError, match="at least 1"):
        cohort.subset_subjects(0, seed=0)


def test_cohort_rejects_misaligned_parts(gutenberg_dir: Path) -> None:
    cohort = data.load(gutenberg_dir)
    with pytest.raises(ValueError, match="curves hold 17 trials but the trial table has 18 rows"):
        data.Cohort(cohort.curves[:17], cohort.channels, cohort.trials, cohort.directory)


# ---------------------------------------------------------------------------
# SEX quirk: per-session value kept, subject-level majority added.


def test_sex_disagreements_keep_session_values_and_add_subject_majority(tmp_path: Path) -> None:
    write_cohort(tmp_path, n_subjects=4, sessions_per_subject=3, trials_per_session=1)
    path = tmp_path / METADATA_FILE
    sex_position = METADATA_COLUMNS.index("SEX")
    sessions = pd.read_csv(path)
    line_of_session = {session: index + 2 for index, session in enumerate(sessions["SESSION_ID"])}
    # subject 1 (male): one session says female -> majority male
    replace_field(path, line_of_session[1], sex_position, "0")
    # subject 2 (female): 1, 0, missing -> tie -> no subject-level sex
    replace_field(path, line_of_session[4], sex_position, "1")
    replace_field(path, line_of_session[6], sex_position, "NaN")
    # subject 4 (female): all missing -> no subject-level sex
    for session in (10, 11, 12):
        replace_field(path, line_of_session[session], sex_position, "NaN")

    cohort = data.load(tmp_path)
    by_session = cohort.trials.set_index("SESSION_ID")
    np.testing.assert_array_equal(by_session.loc[[1, 2, 3], "SEX"], [0, 1, 1])
    np.testing.assert_array_equal(by_session.loc[[4, 5, 6], "SEX"], [1, 0, np.nan])
    subject_sex = cohort.trials.groupby("SUBJECT_ID")["SUBJECT_SEX"].agg(["first", "nunique"])
    assert subject_sex["nunique"].le(1).all()  # one value per subject
    np.testing.assert_array_equal(subject_sex["first"].to_numpy(), [1.0, np.nan, 1.0, np.nan])
    assert "subjects whose sessions disagree on SEX: 2 (SUBJECT_SEX missing for 2 subjects)" in data.summarize(cohort)


# ---------------------------------------------------------------------------
# Summary and command line.


def test_describe_reports_channel_ranges_with_units(gutenberg_dir: Path) -> None:
    cohort = data.load(gutenberg_dir)
    table = data.describe(cohort)
    assert list(table.index) == list(CHANNELS)
    assert table.loc["F_V_left", "unit"] == "BW" and table.loc["COP_AP_right", "unit"] == "m"
    position = CHANNELS.index("F_AP_right")
    assert table.loc["F_AP_right", "min"] == cohort.curves[:, position].min()
    assert table.loc["F_AP_right", "max"] == cohort.curves[:, position].max()
    assert table.loc["F_AP_right", "mean"] == pytest.approx(cohort.curves[:, position].mean())


def test_summary_lists_counts_and_channels(gutenberg_dir: Path) -> None:
    text = data.summarize(data.load(gutenberg_dir))
    for expected in ("subjects: 3", "sessions: 6", "trials: 18 (0 dropped", "datasets: 2 (DATASET_ID 1, 2)",
                     "walking speed: 18 of 18 trials"):  # fmt: skip
        assert expected in text
    assert all(channel in text for channel in CHANNELS)


def test_cli_check_prints_the_summary(gutenberg_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "check", str(gutenberg_dir)]) == 0
    out = capsys.readouterr().out
    assert "subjects: 3" in out and "sessions: 6" in out and "trials: 18" in out


def test_cli_check_reports_a_bad_directory(gutenberg_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    delete_line(gutenberg_dir / SPEED_FILE, 2)
    assert main(["data", "check", str(gutenberg_dir)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and f"{SPEED_FILE} has no row for trial" in err


def test_cli_check_can_drop_incomplete_trials(gutenberg_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    replace_field(gutenberg_dir / F_V_LEFT, 2, N_IDS, "NaN")
    assert main(["data", "check", str(gutenberg_dir)]) == 1
    capsys.readouterr()
    with pytest.warns(IncompleteTrialsWarning):
        assert main(["data", "check", str(gutenberg_dir), "--drop-incomplete"]) == 0
    assert "trials: 17 (1 dropped as incomplete)" in capsys.readouterr().out


# ---------------------------------------------------------------------------
# The real cohort structure (metadata and speeds as published).


def test_real_metadata_and_speed_structure(real_structure_dir: Path, tmp_path: Path) -> None:
    for name in (METADATA_FILE, SPEED_FILE):
        shutil.copy(real_structure_dir / name, tmp_path / name)
    keys = pd.read_csv(tmp_path / SPEED_FILE, usecols=list(ID_COLUMNS))
    write_template_curve_files(tmp_path, keys)

    started = time.perf_counter()
    cohort = data.load(tmp_path)
    seconds = time.perf_counter() - started

    assert (cohort.n_subjects, cohort.n_sessions, cohort.n_trials) == (350, 661, 8819)
    missing_speed = cohort.trials["WALKING_SPEED"].isna()
    assert missing_speed.sum() == 774
    assert set(cohort.trials.loc[missing_speed, "DATASET_ID"]) == {6, 8, 10}
    assert not cohort.trials.loc[cohort.trials["DATASET_ID"].isin([6, 8, 10]), "WALKING_SPEED"].notna().any()
    subjects = cohort.trials.drop_duplicates("SUBJECT_ID")
    assert subjects["SUBJECT_SEX"].isna().sum() == 29  # 26 with disagreeing sessions (all ties) + 3 never recorded
    assert "subjects whose sessions disagree on SEX: 26" in data.summarize(cohort)
    assert seconds < 30, f"loading 8,819 trials took {seconds:.1f} s"
