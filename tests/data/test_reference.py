"""The real cohort structure shipped with the package: intact, as published, and the default everywhere."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis import paths
from analysis.__main__ import main
from analysis.data import METADATA_FILE, SPEED_FILE, reference


def test_shipped_files_match_their_published_checksums() -> None:
    assert reference.structure_dir() == paths.REFERENCE_DIR
    for name, expected in reference.SHA256.items():
        assert reference.sha256_of(paths.REFERENCE_DIR / name) == expected


def test_shipped_structure_is_the_real_cohort() -> None:
    sessions = pd.read_csv(paths.REFERENCE_DIR / METADATA_FILE)
    trials = pd.read_csv(paths.REFERENCE_DIR / SPEED_FILE)
    assert sessions["SUBJECT_ID"].nunique() == reference.N_SUBJECTS == 350
    assert len(sessions) == reference.N_SESSIONS == 661
    assert len(trials) == reference.N_TRIALS == 8819
    # Published byte for byte, CRLF line endings included (git must not convert them).
    assert (paths.REFERENCE_DIR / METADATA_FILE).read_bytes().count(b"\r\n") == 662


def test_provenance_names_source_licence_and_checksums() -> None:
    text = (paths.REFERENCE_DIR / reference.PROVENANCE_FILE).read_text()
    assert reference.SOURCE_DOI in text and reference.DATA_DOI in text and "CC BY 4.0" in text
    for checksum in reference.SHA256.values():
        assert checksum in text


def copy_of_reference(tmp_path: Path) -> Path:
    copy = tmp_path / "reference"
    copy.mkdir()
    for name in reference.SHA256:
        shutil.copy(paths.REFERENCE_DIR / name, copy / name)
    return copy


def test_an_edited_copy_is_refused_with_the_file_named(tmp_path: Path) -> None:
    copy = copy_of_reference(tmp_path)
    text = (copy / METADATA_FILE).read_bytes().replace(b",HC,", b",XX,", 1)
    (copy / METADATA_FILE).write_bytes(text)
    with pytest.raises(reference.ReferenceDataError, match=f"reference file {copy / METADATA_FILE} has sha256 [0-9a-f]{{64}}, expected "):
        reference.verify(copy)


def test_a_missing_file_is_refused_with_the_file_named(tmp_path: Path) -> None:
    copy = copy_of_reference(tmp_path)
    (copy / SPEED_FILE).unlink()
    with pytest.raises(reference.ReferenceDataError, match=f"reference file {copy / SPEED_FILE} is missing"):
        reference.verify(copy)


def test_cli_synthesizes_the_real_structure_by_default(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cohort"
    assert main(["data", "synthesize", "--out", str(out)]) == 0
    assert "350 subjects, 661 sessions, 8,819 trials; cohort structure copied" in capsys.readouterr().out
    for name in reference.SHA256:
        assert (out / name).read_bytes() == (paths.REFERENCE_DIR / name).read_bytes()
    assert main(["data", "check", str(out)]) == 0
    summary = capsys.readouterr().out
    assert "subjects: 350\nsessions: 661\ntrials: 8819 " in summary


def test_cli_samples_a_structure_only_when_asked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "synthesize", "--out", str(tmp_path / "sampled"), "--structure", "sampled"]) == 0
    assert "cohort structure sampled" in capsys.readouterr().out
    assert (tmp_path / "sampled" / METADATA_FILE).read_bytes() != (paths.REFERENCE_DIR / METADATA_FILE).read_bytes()


def test_cli_refuses_a_structure_to_copy_together_with_sampling(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["data", "synthesize", "--out", str(tmp_path / "x"), "--like", str(paths.REFERENCE_DIR), "--structure", "sampled"])
    assert status == 1
    assert "--like names a structure to copy; it cannot be combined with --structure sampled" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


# ---------------------------------------------------------------------------
# GaitRec: the real session metadata, shipped like Gutenberg's.


def test_shipped_gaitrec_metadata_matches_its_published_checksum() -> None:
    assert reference.gaitrec_metadata() == paths.GAITREC_REFERENCE_DIR / METADATA_FILE
    assert reference.sha256_of(paths.GAITREC_REFERENCE_DIR / METADATA_FILE) == reference.GAITREC_SHA256[METADATA_FILE]
    assert reference.GAITREC_SHA256[METADATA_FILE] == "0d89799a2703559a836437560f2a05fbc328f6f6aea1cb73d44ee71b9952191d"
    assert reference.is_published_gaitrec_metadata(paths.GAITREC_REFERENCE_DIR / METADATA_FILE)
    assert not reference.is_published_gaitrec_metadata(paths.REFERENCE_DIR / METADATA_FILE)


def test_shipped_gaitrec_metadata_is_the_real_cohort() -> None:
    path = paths.GAITREC_REFERENCE_DIR / METADATA_FILE
    sessions = pd.read_csv(path)
    assert "DATASET_ID" not in sessions.columns and len(sessions.columns) == 20
    assert len(sessions) == reference.GAITREC_N_SESSIONS == 8971
    assert sessions["SUBJECT_ID"].nunique() == reference.GAITREC_N_SUBJECTS == 2295
    per_class = sessions.groupby("CLASS_LABEL")["SUBJECT_ID"].nunique().to_dict()
    assert per_class == reference.GAITREC_SUBJECTS_PER_CLASS == {"HC": 211, "H": 450, "K": 625, "A": 627, "C": 382}
    # Published byte for byte, CRLF line endings included (git must not convert them).
    assert path.stat().st_size == 629530
    assert path.read_bytes().count(b"\r\n") == 8972


def test_gaitrec_provenance_names_source_licence_citation_and_checksum() -> None:
    text = (paths.GAITREC_REFERENCE_DIR / reference.PROVENANCE_FILE).read_text()
    for expected in (reference.GAITREC_SOURCE_DOI, reference.GAITREC_DATA_DOI, "CC BY 4.0", "Horsak B",
                     "Scientific Data* 7:143", reference.GAITREC_SHA256[METADATA_FILE], "629,530"):  # fmt: skip
        assert expected in text


def test_gaitrec_reference_ships_as_package_data_with_line_endings_kept() -> None:
    pyproject = (paths.REPO_DIR / "pyproject.toml").read_text()
    assert '"gaitrec_reference/*.csv", "gaitrec_reference/*.md"' in pyproject
    assert "analysis/data/gaitrec_reference/*.csv -text" in (paths.REPO_DIR / ".gitattributes").read_text()


def test_an_edited_gaitrec_copy_is_refused_with_the_file_and_source_named(tmp_path: Path) -> None:
    copy = tmp_path / "gaitrec"
    copy.mkdir()
    text = (paths.GAITREC_REFERENCE_DIR / METADATA_FILE).read_bytes().replace(b",HC,HC,", b",K,K_F,", 1)
    (copy / METADATA_FILE).write_bytes(text)
    with pytest.raises(
        reference.ReferenceDataError,
        match=rf"reference file {copy / METADATA_FILE} has sha256 [0-9a-f]{{64}}, expected "
        rf"{reference.GAITREC_SHA256[METADATA_FILE]} \(GaitRec, doi:{reference.GAITREC_SOURCE_DOI}\); restore it from git",
    ):
        reference.verify_gaitrec(copy)


def test_a_missing_gaitrec_metadata_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reference, "GAITREC_DIRECTORY", tmp_path)
    with pytest.raises(reference.ReferenceDataError, match=f"reference file {tmp_path / METADATA_FILE} is missing"):
        reference.gaitrec_metadata()
