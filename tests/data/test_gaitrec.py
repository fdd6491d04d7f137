"""The GaitRec loader: valid directories, every rejected input, class labels, summary, CLI."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.__main__ import main
from analysis.data import CHANNELS, CURVE_FILES, METADATA_FILE, N_SAMPLES, DataFormatError, IncompleteTrialsWarning
from analysis.data import gaitrec, reference
from analysis.data.gaitrec import ID_COLUMNS, PUBLISHED_FILES, SESSION_KEY

from gaitrec_files import CLASSES, DETAILED, METADATA_COLUMNS, write_cohort, write_template_curve_files
from gutenberg_files import delete_line, read_line, replace_field, rewrite_line
from gutenberg_files import write_cohort as write_gutenberg_cohort

F_V_LEFT = CURVE_FILES["F_V_left"]
COP_ML_RIGHT = CURVE_FILES["COP_ML_right"]
N_IDS = len(ID_COLUMNS)
N_TRIALS = 20  # 5 subjects x 2 sessions x 2 trials
# Metadata lines of the fixture: sessions in subject order, two per subject.
HC_LINE, HIP_LINE, KNEE_LINE = 2, 4, 6


def key_of_line(path: Path, line_number: int, n_columns: int = N_IDS) -> tuple[int, ...]:
    return tuple(int(field) for field in read_line(path, line_number).split(",")[:n_columns])


def key_text(key: tuple[int, ...], columns: tuple[str, ...] = ID_COLUMNS) -> str:
    return ", ".join(f"{column}={value}" for column, value in zip(columns, key))


def row_of(cohort, key: tuple[int, ...]) -> int:
    match = (cohort.trials[list(ID_COLUMNS)].to_numpy() == np.array(key)).all(axis=1)
    assert match.sum() == 1
    return int(np.flatnonzero(match)[0])


def set_metadata(directory: Path, line_number: int, column: str, text: str) -> str:
    return replace_field(directory / METADATA_FILE, line_number, METADATA_COLUMNS.index(column), text)


# ---------------------------------------------------------------------------
# Valid directories.


def test_load_gives_aligned_curves_and_trial_table_keyed_without_dataset_id(gaitrec_dir: Path) -> None:
    cohort = gaitrec.load(gaitrec_dir)

    assert cohort.curves.shape == (N_TRIALS, len(CHANNELS), N_SAMPLES)
    assert cohort.channels == CHANNELS
    assert (cohort.dataset, cohort.trial_key, cohort.session_key) == ("gaitrec", ID_COLUMNS, SESSION_KEY)
    assert (cohort.n_trials, cohort.n_subjects, cohort.n_sessions) == (N_TRIALS, 5, 10)
    assert cohort.dropped_trials == 0
    assert cohort.directory == gaitrec_dir.resolve()
    metadata_columns = [column for column in METADATA_COLUMNS if column not in SESSION_KEY]
    assert list(cohort.trials.columns) == [*ID_COLUMNS, *metadata_columns, "SUBJECT_SEX"]
    assert "DATASET_ID" not in cohort.trials.columns and "WALKING_SPEED" not in cohort.trials.columns
    ids = cohort.trials[list(ID_COLUMNS)]
    pd.testing.assert_frame_equal(ids, ids.sort_values(list(ID_COLUMNS)).reset_index(drop=True))


@pytest.mark.parametrize("channel", CHANNELS)
def test_each_written_value_is_found_at_its_trial_channel_and_sample(gaitrec_dir: Path, channel: str) -> None:
    # Rows are shuffled differently in every file, so this fails if rows are matched by position.
    cohort = gaitrec.load(gaitrec_dir)
    path = gaitrec_dir / CURVE_FILES[channel]
    for line_number in (2, 9, 21):
        written = np.array([float(text) for text in read_line(path, line_number).split(",")[N_IDS:]])
        loaded = cohort.curves[row_of(cohort, key_of_line(path, line_number)), CHANNELS.index(channel)]
        np.testing.assert_allclose(loaded, written, rtol=0, atol=1e-12)


def test_class_labels_and_affected_side_are_kept_per_session(gaitrec_dir: Path) -> None:
    cohort = gaitrec.load(gaitrec_dir)
    written = pd.read_csv(gaitrec_dir / METADATA_FILE)
    joined = cohort.trials.merge(written, on=list(SESSION_KEY), suffixes=("", "_written"))
    assert len(joined) == N_TRIALS
    for column in ("CLASS_LABEL", "CLASS_LABEL_DETAILED", "SESSION_DATE"):
        assert (joined[column] == joined[f"{column}_written"]).all()
    for column in ("AFFECTED_SIDE", "SEX", "AGE", "HEIGHT", "BODY_MASS", "ORTHOPEDIC_INSOLE", "SPEED"):
        np.testing.assert_array_equal(joined[column].to_numpy(float), joined[f"{column}_written"].to_numpy(float))
    by_class = cohort.trials.groupby("CLASS_LABEL")
    assert sorted(by_class.groups) == sorted(CLASSES)
    assert by_class["CLASS_LABEL_DETAILED"].first().to_dict() == DETAILED
    sides = by_class["AFFECTED_SIDE"]
    assert sides.apply(lambda side: side.isna().all())["HC"]
    assert not sides.apply(lambda side: side.isna().any()).drop("HC").any()


def test_lf_and_crlf_files_load_to_the_same_cohort(tmp_path: Path) -> None:
    write_cohort(tmp_path / "crlf", line_ending="\r\n")
    write_cohort(tmp_path / "lf", line_ending="\n")
    assert b"\r\n" not in (tmp_path / "lf" / METADATA_FILE).read_bytes()
    crlf, lf = gaitrec.load(tmp_path / "crlf"), gaitrec.load(tmp_path / "lf")
    np.testing.assert_array_equal(crlf.curves, lf.curves)
    pd.testing.assert_frame_equal(crlf.trials, lf.trials)


def test_metadata_sessions_without_curves_are_ignored(gaitrec_dir: Path) -> None:
    path = gaitrec_dir / METADATA_FILE
    fields = read_line(path, 11).split(",")
    fields[METADATA_COLUMNS.index("SESSION_ID")] = "99999"
    rewrite_line(path, 11, read_line(path, 11) + "\r\n" + ",".join(fields))
    cohort = gaitrec.load(gaitrec_dir)
    assert cohort.n_sessions == 10 and 99999 not in set(cohort.trials["SESSION_ID"])


def test_select_and_subset_keep_the_dataset_and_its_key(tmp_path: Path) -> None:
    write_cohort(tmp_path, n_subjects=10, sessions_per_subject=1, trials_per_session=2)
    cohort = gaitrec.load(tmp_path)
    subset = cohort.subset_subjects(3, seed=1)
    assert (subset.dataset, subset.trial_key, subset.n_subjects, subset.n_trials) == ("gaitrec", ID_COLUMNS, 3, 6)
    chosen = cohort.select(cohort.trials["CLASS_LABEL"] == "HC")
    assert chosen.n_sessions == 2 and set(chosen.trials["CLASS_LABEL"]) == {"HC"}


def test_the_cohort_form_is_shared_and_checks_its_key(gaitrec_dir: Path) -> None:
    from analysis import data
    from analysis.data import gutenberg

    cohort = gaitrec.load(gaitrec_dir)
    assert isinstance(cohort, data.Cohort)
    assert data.Cohort.__dataclass_fields__["trial_key"].default == gutenberg.ID_COLUMNS
    with pytest.raises(ValueError, match=r"^the trial table lacks the trial key column\(s\) DATASET_ID$"):
        data.Cohort(cohort.curves, cohort.channels, cohort.trials, cohort.directory)  # Gutenberg's key by default


# ---------------------------------------------------------------------------
# Rejected directories and files (the same classes as Gutenberg's).


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(DataFormatError, match=r"^data directory .*nowhere does not exist$"):
        gaitrec.load(tmp_path / "nowhere")


def test_directory_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "a_file").write_text("x")
    with pytest.raises(DataFormatError, match="is not a directory"):
        gaitrec.load(tmp_path / "a_file")


def test_missing_files_are_all_named(gaitrec_dir: Path) -> None:
    (gaitrec_dir / COP_ML_RIGHT).unlink()
    (gaitrec_dir / METADATA_FILE).unlink()
    with pytest.raises(DataFormatError, match=rf"lacks 2 of the 11 GaitRec files: {COP_ML_RIGHT}, {METADATA_FILE}$"):
        gaitrec.load(gaitrec_dir)


def test_a_gutenberg_directory_is_named_as_such(tmp_path: Path) -> None:
    write_gutenberg_cohort(tmp_path)
    with pytest.raises(
        DataFormatError, match=rf"^{F_V_LEFT} has the column DATASET_ID, which GaitRec files do not have \(is this a Gutenberg file\?\)$"
    ):
        gaitrec.load(tmp_path)


@pytest.mark.parametrize("name", [F_V_LEFT, METADATA_FILE])
def test_empty_file(gaitrec_dir: Path, name: str) -> None:
    (gaitrec_dir / name).write_bytes(b"")
    with pytest.raises(DataFormatError, match=rf"^{name} is empty: no header line$"):
        gaitrec.load(gaitrec_dir)


@pytest.mark.parametrize("name", [F_V_LEFT, METADATA_FILE])
def test_header_without_rows(gaitrec_dir: Path, name: str) -> None:
    path = gaitrec_dir / name
    path.write_bytes((read_line(path, 1) + "\r\n").encode())
    with pytest.raises(DataFormatError, match=rf"^{name} has a header but no data rows$"):
        gaitrec.load(gaitrec_dir)


def test_missing_id_column_is_named(gaitrec_dir: Path) -> None:
    path = gaitrec_dir / COP_ML_RIGHT
    rewrite_line(path, 1, read_line(path, 1).replace("SESSION_ID", "SESSION"))
    with pytest.raises(DataFormatError, match=rf"^{COP_ML_RIGHT} lacks the column\(s\) SESSION_ID in its header$"):
        gaitrec.load(gaitrec_dir)


def test_repeated_id_column_is_named(gaitrec_dir: Path) -> None:
    path = gaitrec_dir / F_V_LEFT
    rewrite_line(path, 1, read_line(path, 1).replace("F_V_PRO_1,", "TRIAL_ID,", 1))
    with pytest.raises(DataFormatError, match=rf"^{F_V_LEFT} has the column\(s\) TRIAL_ID more than once in its header$"):
        gaitrec.load(gaitrec_dir)


def test_a_dataset_id_column_in_one_curve_file_is_refused(gaitrec_dir: Path) -> None:
    path = gaitrec_dir / CURVE_FILES["F_AP_right"]
    lines = path.read_bytes().decode().split("\r\n")[:-1]
    changed = ["DATASET_ID," + lines[0], *("1," + line for line in lines[1:])]
    path.write_bytes(("\r\n".join(changed) + "\r\n").encode())
    with pytest.raises(DataFormatError, match=rf"^{path.name} has the column DATASET_ID, which GaitRec files do not have"):
        gaitrec.load(gaitrec_dir)


@pytest.mark.parametrize(("change", "found"), [(-1, 100), (+1, 102)])
def test_header_with_wrong_number_of_samples(gaitrec_dir: Path, change: int, found: int) -> None:
    path = gaitrec_dir / F_V_LEFT
    header = read_line(path, 1)
    rewrite_line(path, 1, header.rsplit(",", 1)[0] if change < 0 else header + ",F_V_PRO_102")
    with pytest.raises(
        DataFormatError, match=rf"^{F_V_LEFT} header has {found} value columns after the 3 ID columns; expected 101 samples$"
    ):
        gaitrec.load(gaitrec_dir)


@pytest.mark.parametrize(("change", "found"), [(-1, 100), (+1, 102)])
def test_row_with_wrong_number_of_samples(gaitrec_dir: Path, change: int, found: int) -> None:
    path = gaitrec_dir / CURVE_FILES["F_ML_right"]
    line = read_line(path, 7)
    rewrite_line(path, 7, line.rsplit(",", 1)[0] if change < 0 else line + ",0.1")
    with pytest.raises(
        DataFormatError, match=rf"^{path.name} line 7 has {found} values after the 3 ID columns; expected 101 samples$"
    ):
        gaitrec.load(gaitrec_dir)


def test_non_numeric_sample_names_file_line_column_and_text(gaitrec_dir: Path) -> None:
    path = gaitrec_dir / CURVE_FILES["COP_AP_left"]
    replace_field(path, 5, N_IDS + 20, "n/a")
    with pytest.raises(DataFormatError, match=rf"^{path.name} line 5, column 24 \(COP_AP_PRO_21\): 'n/a' is not a number$"):
        gaitrec.load(gaitrec_dir)


def test_non_numeric_id(gaitrec_dir: Path) -> None:
    replace_field(gaitrec_dir / F_V_LEFT, 4, 0, "P12")
    with pytest.raises(DataFormatError, match=rf"^{F_V_LEFT} line 4, column 1 \(SUBJECT_ID\): 'P12' is not a number$"):
        gaitrec.load(gaitrec_dir)


@pytest.mark.parametrize(("text", "problem"), [("3.5", "3.5 is not a whole-number ID"), ("NaN", "the ID is missing")])
def test_id_that_is_not_a_whole_number(gaitrec_dir: Path, text: str, problem: str) -> None:
    replace_field(gaitrec_dir / F_V_LEFT, 3, 1, text)
    with pytest.raises(DataFormatError, match=rf"^{F_V_LEFT} line 3, column SESSION_ID: {problem}$"):
        gaitrec.load(gaitrec_dir)


@pytest.mark.parametrize(("text", "kind"), [("NaN", r"missing \(NaN\)"), ("-inf", "infinite")])
def test_non_finite_sample_names_file_line_and_key(gaitrec_dir: Path, text: str, kind: str) -> None:
    path = gaitrec_dir / CURVE_FILES["F_AP_left"]
    replace_field(path, 8, N_IDS + 76, text)
    key = key_text(key_of_line(path, 8))
    with pytest.raises(
        DataFormatError,
        match=rf"^{path.name} line 8 \(trial {key}\): sample 77 of 101 \(F_AP_PRO_77\) is {kind}; "
        r"1 trial\(s\) have missing or infinite samples; load with drop_incomplete=True to drop them$",
    ):
        gaitrec.load(gaitrec_dir)


def test_drop_incomplete_drops_and_warns(gaitrec_dir: Path) -> None:
    path = gaitrec_dir / F_V_LEFT
    broken = key_of_line(path, 6)
    replace_field(path, 6, N_IDS + 3, "NaN")
    with pytest.warns(IncompleteTrialsWarning, match=rf"dropped 1 of {N_TRIALS} trials with missing or infinite samples"):
        cohort = gaitrec.load(gaitrec_dir, drop_incomplete=True)
    assert (cohort.n_trials, cohort.dropped_trials) == (N_TRIALS - 1, 1)
    assert broken not in set(map(tuple, cohort.trials[list(ID_COLUMNS)].to_numpy().tolist()))
    assert f"trials: {N_TRIALS - 1} (1 dropped as incomplete)" in gaitrec.summarize(cohort)


def test_duplicate_trial_in_a_file(gaitrec_dir: Path) -> None:
    path = gaitrec_dir / F_V_LEFT
    key = read_line(path, 2).split(",")[:N_IDS]
    rewrite_line(path, 9, ",".join(key + read_line(path, 9).split(",")[N_IDS:]))
    expected = key_text(tuple(int(value) for value in key))
    with pytest.raises(DataFormatError, match=rf"^{F_V_LEFT} has trial {expected} twice \(lines 2 and 9\)$"):
        gaitrec.load(gaitrec_dir)


def test_trial_missing_from_one_curve_file(gaitrec_dir: Path) -> None:
    path = gaitrec_dir / COP_ML_RIGHT
    key = key_text(key_of_line(path, 12))
    delete_line(path, 12)
    with pytest.raises(
        DataFormatError, match=rf"^trial {key} is in {F_V_LEFT} but not in {COP_ML_RIGHT} \(1 trial\(s\) differ"
    ):
        gaitrec.load(gaitrec_dir)


def test_trials_in_curves_but_not_in_metadata(gaitrec_dir: Path) -> None:
    path = gaitrec_dir / METADATA_FILE
    session = key_of_line(path, KNEE_LINE, len(SESSION_KEY))
    delete_line(path, KNEE_LINE)
    with pytest.raises(
        DataFormatError,
        match=rf"^{METADATA_FILE} has no row for session {key_text(session, SESSION_KEY)} "
        r"\(1 session\(s\) with curves lack metadata\)$",
    ):
        gaitrec.load(gaitrec_dir)


def test_session_under_another_subject_in_metadata_is_missing(gaitrec_dir: Path) -> None:
    session = key_of_line(gaitrec_dir / METADATA_FILE, HIP_LINE, len(SESSION_KEY))
    set_metadata(gaitrec_dir, HIP_LINE, "SUBJECT_ID", "77")
    with pytest.raises(DataFormatError, match=rf"has no row for session {key_text(session, SESSION_KEY)} "):
        gaitrec.load(gaitrec_dir)


# ---------------------------------------------------------------------------
# Metadata.


@pytest.mark.parametrize("column", ["CLASS_LABEL", "CLASS_LABEL_DETAILED", "AFFECTED_SIDE", "BODY_MASS", "SESSION_ID"])
def test_missing_metadata_column_is_named(gaitrec_dir: Path, column: str) -> None:
    path = gaitrec_dir / METADATA_FILE
    rewrite_line(path, 1, read_line(path, 1).replace(f"{column},", "RENAMED,", 1))
    with pytest.raises(DataFormatError, match=rf"^{METADATA_FILE} lacks the column\(s\) {column} in its header$"):
        gaitrec.load(gaitrec_dir)


def test_repeated_metadata_column_is_named(gaitrec_dir: Path) -> None:
    path = gaitrec_dir / METADATA_FILE
    rewrite_line(path, 1, read_line(path, 1).replace("SHOE_SIZE", "AGE"))
    with pytest.raises(DataFormatError, match=rf"^{METADATA_FILE} has the column\(s\) AGE more than once in its header$"):
        gaitrec.load(gaitrec_dir)


@pytest.mark.parametrize(("column", "reason"), [
    ("DATASET_ID", r"which GaitRec files do not have \(is this a Gutenberg file\?\)"),
    ("TRIAL_ID", "which belong to other files"),
    ("SUBJECT_SEX", "which belong to other files"),
])  # fmt: skip
def test_extra_metadata_column_that_belongs_elsewhere(gaitrec_dir: Path, column: str, reason: str) -> None:
    path = gaitrec_dir / METADATA_FILE
    rewrite_line(path, 1, read_line(path, 1).replace("TEST", column))
    with pytest.raises(DataFormatError, match=rf"^{METADATA_FILE} has the column(\(s\))? {column}, {reason}$"):
        gaitrec.load(gaitrec_dir)


def test_other_extra_metadata_columns_are_kept(gaitrec_dir: Path) -> None:
    path = gaitrec_dir / METADATA_FILE
    lines = path.read_bytes().decode().split("\r\n")[:-1]
    changed = [lines[0] + ",NOTE", *(line + ",ok" for line in lines[1:])]
    path.write_bytes(("\r\n".join(changed) + "\r\n").encode())
    assert set(gaitrec.load(gaitrec_dir).trials["NOTE"]) == {"ok"}


def test_metadata_row_with_a_missing_field(gaitrec_dir: Path) -> None:
    path = gaitrec_dir / METADATA_FILE
    rewrite_line(path, 5, read_line(path, 5).rsplit(",", 1)[0])
    with pytest.raises(DataFormatError, match=rf"^{METADATA_FILE} line 5 has 19 fields; the header has 20$"):
        gaitrec.load(gaitrec_dir)


@pytest.mark.parametrize("column", ["SEX", "AGE", "HEIGHT", "BODY_WEIGHT", "BODY_MASS", "AFFECTED_SIDE"])
def test_non_numeric_metadata_value(gaitrec_dir: Path, column: str) -> None:
    set_metadata(gaitrec_dir, KNEE_LINE, column, "unknown")
    with pytest.raises(
        DataFormatError, match=rf"^{METADATA_FILE} line {KNEE_LINE}, column {column}: 'unknown' is not a finite number$"
    ):
        gaitrec.load(gaitrec_dir)


def test_session_id_that_is_not_a_whole_number(gaitrec_dir: Path) -> None:
    set_metadata(gaitrec_dir, 3, "SESSION_ID", "29038.5")
    with pytest.raises(DataFormatError, match=rf"^{METADATA_FILE} line 3, column SESSION_ID: '29038.5' is not a whole-number ID$"):
        gaitrec.load(gaitrec_dir)


def test_sex_outside_the_published_codes(gaitrec_dir: Path) -> None:
    set_metadata(gaitrec_dir, 9, "SEX", "2")
    with pytest.raises(DataFormatError, match=rf"^{METADATA_FILE} line 9, column SEX: '2' is not 0 \(female\) or 1 \(male\)$"):
        gaitrec.load(gaitrec_dir)


@pytest.mark.parametrize("text", ["X", "hc", "NaN"])
def test_class_label_outside_the_published_classes(gaitrec_dir: Path, text: str) -> None:
    set_metadata(gaitrec_dir, HIP_LINE, "CLASS_LABEL", text)
    with pytest.raises(
        DataFormatError,
        match=rf"^{METADATA_FILE} line {HIP_LINE}, column CLASS_LABEL: '{text}' is not HC \(healthy control\), "
        r"H \(hip\), K \(knee\), A \(ankle\) or C \(calcaneus\)$",
    ):
        gaitrec.load(gaitrec_dir)


def test_missing_detailed_class_label(gaitrec_dir: Path) -> None:
    set_metadata(gaitrec_dir, 8, "CLASS_LABEL_DETAILED", "NaN")
    with pytest.raises(
        DataFormatError, match=rf"^{METADATA_FILE} line 8, column CLASS_LABEL_DETAILED: 'NaN': the detailed class label is missing$"
    ):
        gaitrec.load(gaitrec_dir)


def test_affected_side_outside_the_published_codes(gaitrec_dir: Path) -> None:
    set_metadata(gaitrec_dir, KNEE_LINE, "AFFECTED_SIDE", "3")
    with pytest.raises(
        DataFormatError,
        match=rf"^{METADATA_FILE} line {KNEE_LINE}, column AFFECTED_SIDE: '3' is not 0 \(left\), 1 \(right\) or 2 \(both\)$",
    ):
        gaitrec.load(gaitrec_dir)


def test_healthy_control_with_an_affected_side(gaitrec_dir: Path) -> None:
    set_metadata(gaitrec_dir, HC_LINE, "AFFECTED_SIDE", "1")
    with pytest.raises(
        DataFormatError,
        match=rf"^{METADATA_FILE} line {HC_LINE}, column AFFECTED_SIDE: '1', but a healthy control \(CLASS_LABEL HC\) has no affected side$",
    ):
        gaitrec.load(gaitrec_dir)


def test_patient_without_an_affected_side(gaitrec_dir: Path) -> None:
    set_metadata(gaitrec_dir, KNEE_LINE, "AFFECTED_SIDE", "NaN")
    with pytest.raises(
        DataFormatError,
        match=rf"^{METADATA_FILE} line {KNEE_LINE}, column AFFECTED_SIDE: 'NaN', but every patient session "
        r"\(CLASS_LABEL K\) names the affected side$",
    ):
        gaitrec.load(gaitrec_dir)


def test_duplicate_session_in_metadata(gaitrec_dir: Path) -> None:
    path = gaitrec_dir / METADATA_FILE
    session = key_of_line(path, 2, len(SESSION_KEY))
    rewrite_line(path, 3, read_line(path, 2))
    with pytest.raises(
        DataFormatError, match=rf"^{METADATA_FILE} has session {key_text(session, SESSION_KEY)} twice \(lines 2 and 3\)$"
    ):
        gaitrec.load(gaitrec_dir)


def test_sex_disagreement_keeps_session_values_and_adds_subject_majority(tmp_path: Path) -> None:
    write_cohort(tmp_path, n_subjects=2, sessions_per_subject=3, trials_per_session=1)
    set_metadata(tmp_path, 2, "SEX", "0")  # subject 1 (male): one of three sessions says female
    cohort = gaitrec.load(tmp_path)
    first = cohort.trials[cohort.trials["SUBJECT_ID"] == 1]
    np.testing.assert_array_equal(first["SEX"], [0, 1, 1])
    assert set(first["SUBJECT_SEX"]) == {1.0}
    assert "subjects whose sessions disagree on SEX: 1 (SUBJECT_SEX missing for 0 subjects)" in gaitrec.summarize(cohort)


# ---------------------------------------------------------------------------
# Summary and command line.


def test_summary_counts_classes_sides_and_names_the_metadata(gaitrec_dir: Path) -> None:
    cohort = gaitrec.load(gaitrec_dir)
    counts = gaitrec.class_counts(cohort)
    assert list(counts.index) == list(CLASSES)
    assert counts[["subjects", "sessions", "trials"]].to_numpy().tolist() == [[1, 2, 4]] * 5
    text = gaitrec.summarize(cohort)
    assert text.startswith(f"GaitRec cohort in {cohort.directory}\nsubjects: 5\nsessions: 10\ntrials: 20 (0 dropped")
    assert "  K  knee                  1        2        4" in text
    assert "affected side (sessions): left 2, right 2, both 4, none 2" in text
    assert f"metadata: {METADATA_FILE} differs from the published file shipped with the package" in text
    assert all(channel in text for channel in CHANNELS)


def test_cli_check_with_dataset_gaitrec(gaitrec_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "check", "--dataset", "gaitrec", str(gaitrec_dir)]) == 0
    assert capsys.readouterr().out == gaitrec.summarize(gaitrec.load(gaitrec_dir)) + "\n"


def test_cli_check_reports_a_bad_gaitrec_directory(gaitrec_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    set_metadata(gaitrec_dir, HC_LINE, "CLASS_LABEL", "Z")
    assert main(["data", "check", str(gaitrec_dir), "--dataset", "gaitrec"]) == 1
    assert capsys.readouterr().err.startswith(f"error: {METADATA_FILE} line {HC_LINE}, column CLASS_LABEL: 'Z' is not HC")


def test_cli_check_can_drop_incomplete_gaitrec_trials(gaitrec_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    replace_field(gaitrec_dir / F_V_LEFT, 2, N_IDS, "NaN")
    assert main(["data", "check", "--dataset", "gaitrec", str(gaitrec_dir)]) == 1
    capsys.readouterr()
    with pytest.warns(IncompleteTrialsWarning):
        assert main(["data", "check", "--dataset", "gaitrec", "--drop-incomplete", str(gaitrec_dir)]) == 0
    assert "trials: 19 (1 dropped as incomplete)" in capsys.readouterr().out


def test_cli_check_defaults_to_gutenberg(gaitrec_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "check", str(gaitrec_dir)]) == 1
    assert capsys.readouterr().err == (
        f"error: data directory {gaitrec_dir.resolve()} lacks 1 of the 12 Gutenberg files: GRF_walking_speed.csv\n"
    )


def test_cli_check_refuses_an_unknown_dataset(gaitrec_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["data", "check", "--dataset", "gaitrek", str(gaitrec_dir)])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "argument --dataset: invalid choice: 'gaitrek' (choose from " in err
    assert "gutenberg" in err.split("choose from ")[1] and "gaitrec" in err.split("choose from ")[1]


# ---------------------------------------------------------------------------
# The real GaitRec metadata shipped with the package, with one template trial per session.


def test_real_metadata_loads_with_its_published_classes(tmp_path: Path) -> None:
    shutil.copy(reference.gaitrec_metadata(), tmp_path / METADATA_FILE)
    sessions = pd.read_csv(tmp_path / METADATA_FILE, usecols=list(SESSION_KEY))
    write_template_curve_files(tmp_path, sessions.assign(TRIAL_ID=1))
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(PUBLISHED_FILES)

    started = time.perf_counter()
    cohort = gaitrec.load(tmp_path)
    seconds = time.perf_counter() - started

    assert (cohort.n_subjects, cohort.n_sessions) == (reference.GAITREC_N_SUBJECTS, reference.GAITREC_N_SESSIONS)
    assert gaitrec.class_counts(cohort)["subjects"].to_dict() == reference.GAITREC_SUBJECTS_PER_CLASS
    assert cohort.trials["CLASS_LABEL_DETAILED"].eq("a_f").sum() == 2  # kept as published
    text = gaitrec.summarize(cohort)
    assert f"metadata: {METADATA_FILE} is the published file shipped with the package (sha256 verified)" in text
    assert "affected side (sessions): left 3933, right 3811, both 417, none 810" in text
    assert "subjects whose sessions disagree on SEX: 1 " in text
    assert seconds < 30, f"loading 8,971 trials took {seconds:.1f} s"
