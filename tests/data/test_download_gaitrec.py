"""Fetching GaitRec from figshare, verified, against a local fake serving exact-format GaitRec files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from analysis.__main__ import main
from analysis.data import METADATA_FILE, datasets, download, gaitrec
from analysis.data.gaitrec import PUBLISHED_FILES

import gaitrec_files
from fake_figshare import FakeFigshare, serve
from fake_figshare import file_bodies as gutenberg_bodies

GAITREC_COLLECTION = download.GAITREC_COLLECTION_ID
# The real collection also holds RAW curves; they are not wanted.
RAW_FILES = ("GRF_F_V_RAW_left.csv", "GRF_F_V_RAW_right.csv")


@pytest.fixture(scope="module")
def bodies(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    published = gaitrec_files.file_bodies(workspace=tmp_path_factory.mktemp("bodies"))
    raw = {name: b"SUBJECT_ID,SESSION_ID,TRIAL_ID,F_V_RAW_1\r\n1,1,1,12.5\r\n" for name in RAW_FILES}
    return {**published, **raw}


@pytest.fixture
def figshare(bodies: dict[str, bytes]) -> Iterator[FakeFigshare]:
    with serve(bodies, collection_id=GAITREC_COLLECTION) as fake:
        yield fake


def fetch_quietly(fake: FakeFigshare, dest: Path) -> list[Path]:
    return download.fetch(
        dest, api_url=fake.api_url, collection_id=GAITREC_COLLECTION, wanted=PUBLISHED_FILES, progress=False
    )


def test_the_gaitrec_collection_and_files() -> None:
    assert GAITREC_COLLECTION == 4788012
    entry = datasets.get("gaitrec")
    assert entry.collection_id == GAITREC_COLLECTION and entry.published_files == PUBLISHED_FILES
    assert len(PUBLISHED_FILES) == 11 and PUBLISHED_FILES[-1] == METADATA_FILE
    assert "GRF_walking_speed.csv" not in PUBLISHED_FILES


def test_fetch_downloads_the_eleven_files_and_they_load_as_gaitrec(
    figshare: FakeFigshare, bodies: dict[str, bytes], tmp_path: Path
) -> None:
    dest = tmp_path / "gaitrec"
    paths = fetch_quietly(figshare, dest)
    assert paths == [dest / name for name in PUBLISHED_FILES]
    for path in paths:
        assert path.read_bytes() == bodies[path.name]
    assert sorted(p.name for p in dest.iterdir()) == sorted([*PUBLISHED_FILES, download.MANIFEST_FILE])
    manifest = json.loads((dest / download.MANIFEST_FILE).read_text())
    assert manifest["collection_id"] == GAITREC_COLLECTION
    assert download.verified_local_copy(dest, wanted=PUBLISHED_FILES) == paths
    cohort = gaitrec.load(dest)  # the round trip: served bytes in, a validated GaitRec cohort out
    assert (cohort.dataset, cohort.n_subjects, cohort.n_sessions, cohort.n_trials) == ("gaitrec", 5, 10, 20)
    assert np.isfinite(cohort.curves).all()


def test_a_corrupted_file_is_rejected_and_leaves_nothing(figshare: FakeFigshare, tmp_path: Path) -> None:
    name = PUBLISHED_FILES[4]
    figshare.corrupt.add(name)
    expected = figshare.file_named(name).md5
    with pytest.raises(download.DownloadError, match=rf"^{name}: MD5 mismatch, expected {expected} but the download has "):
        fetch_quietly(figshare, tmp_path)
    # The four files before it are complete and verified; nothing else, no temporary file, no manifest.
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(PUBLISHED_FILES[:4])


def test_an_interrupted_transfer_is_rejected(figshare: FakeFigshare, tmp_path: Path) -> None:
    figshare.truncate.add(METADATA_FILE)
    with pytest.raises(download.DownloadError, match=rf"^{METADATA_FILE}: download from .* failed and was discarded"):
        fetch_quietly(figshare, tmp_path)
    assert not (tmp_path / METADATA_FILE).exists()
    assert not (tmp_path / download.MANIFEST_FILE).exists()


def test_a_missing_gaitrec_file_is_named(figshare: FakeFigshare, tmp_path: Path) -> None:
    figshare.remove(PUBLISHED_FILES[0])
    with pytest.raises(download.DownloadError) as caught:
        fetch_quietly(figshare, tmp_path)
    assert str(caught.value) == (
        f"figshare collection {GAITREC_COLLECTION} at {figshare.api_url} lacks 1 wanted file(s): {PUBLISHED_FILES[0]}"
    )
    assert figshare.download_requests() == 0


def test_fetch_refuses_a_directory_holding_another_collection(tmp_path: Path) -> None:
    with serve(gutenberg_bodies()) as gutenberg:
        download.fetch(tmp_path, api_url=gutenberg.api_url, progress=False)
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    with serve(gutenberg_bodies(), collection_id=GAITREC_COLLECTION) as other:
        with pytest.raises(download.DownloadError) as caught:
            download.fetch(tmp_path, api_url=other.api_url, collection_id=GAITREC_COLLECTION, progress=False)
        assert sum(other.requests.values()) == 0
    assert str(caught.value) == (
        f"{tmp_path} holds the files of figshare collection {download.GUTENBERG_COLLECTION_ID} "
        f"(see {download.MANIFEST_FILE}); fetching collection {GAITREC_COLLECTION} there would replace them: "
        "choose another directory"
    )
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before


def test_cli_fetch_with_dataset_gaitrec_uses_its_collection(
    figshare: FakeFigshare, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "cli"
    assert main(["data", "fetch", "--dataset", "gaitrec", "--dest", str(dest), "--api-url", figshare.api_url]) == 0
    assert capsys.readouterr().out == f"11 files ready in {dest}\n"
    assert figshare.requests[f"/v2/collections/{GAITREC_COLLECTION}/articles"] == 2  # one page, then the empty one
    assert not {path.name for path in dest.iterdir()} & set(RAW_FILES)
    assert main(["data", "check", "--dataset", "gaitrec", str(dest)]) == 0
    assert "GaitRec cohort in" in capsys.readouterr().out


def test_cli_fetch_defaults_to_the_gutenberg_collection(
    figshare: FakeFigshare, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["data", "fetch", "--dest", str(tmp_path), "--api-url", figshare.api_url]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {figshare.api_url}/collections/{download.GUTENBERG_COLLECTION_ID}/articles?")
    assert "answered HTTP 404" in err
    assert list(tmp_path.iterdir()) == []


def test_cli_fetch_reports_a_corrupted_gaitrec_file(
    figshare: FakeFigshare, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    figshare.corrupt.add(METADATA_FILE)
    assert main(["data", "fetch", "--dataset", "gaitrec", "--dest", str(tmp_path), "--api-url", figshare.api_url]) == 1
    assert f"error: {METADATA_FILE}: MD5 mismatch, expected " in capsys.readouterr().err  # after the progress bars
    assert not (tmp_path / METADATA_FILE).exists()


def test_cli_fetch_refuses_an_unknown_dataset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["data", "fetch", "--dataset", "gait-rec", "--dest", str(tmp_path)])
    assert caught.value.code == 2
    assert "argument --dataset: invalid choice: 'gait-rec'" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
