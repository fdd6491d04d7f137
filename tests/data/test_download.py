"""figshare listing and verified downloads, against a local fake server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from analysis.__main__ import main
from analysis.data import METADATA_FILE, PUBLISHED_FILES, SPEED_FILE, download

from fake_figshare import COLLECTION_ID, RAW_FILES, FakeFigshare, file_bodies, serve

BODIES = file_bodies()


@pytest.fixture
def figshare() -> Iterator[FakeFigshare]:
    with serve(BODIES) as fake:
        yield fake


def fetch_quietly(fake: FakeFigshare, dest: Path) -> list[Path]:
    return download.fetch(dest, api_url=fake.api_url, collection_id=COLLECTION_ID, progress=False)


def leftovers(dest: Path) -> list[str]:
    """Anything in ``dest`` other than verified published files and the manifest."""
    return sorted(p.name for p in dest.iterdir() if p.name not in {*PUBLISHED_FILES, download.MANIFEST_FILE})


def test_defaults_name_the_gutenberg_collection() -> None:
    assert download.FIGSHARE_API == "https://api.figshare.com/v2"
    assert download.GUTENBERG_COLLECTION_ID == 5311538
    assert issubclass(download.DownloadError, OSError)


def test_listing_follows_every_page_and_keeps_only_wanted_files() -> None:
    with serve(BODIES, max_page_size=3) as fake:
        remote_files = download.list_files(fake.api_url, COLLECTION_ID)
        article_list_path = f"/v2/collections/{COLLECTION_ID}/articles"
        # 14 articles at 3 per page: pages 1-5 hold them, page 6 is the empty one.
        assert fake.requests[article_list_path] == 6
    assert [remote.name for remote in remote_files] == list(PUBLISHED_FILES)
    assert not {remote.name for remote in remote_files} & set(RAW_FILES)
    metadata = remote_files[PUBLISHED_FILES.index(METADATA_FILE)]
    assert metadata.size == len(BODIES[METADATA_FILE])
    assert metadata.url.startswith(fake.root_url + "/ndownloader/files/")
    assert len({remote.article_id for remote in remote_files}) == len(PUBLISHED_FILES)


def test_listing_with_a_small_page_size_gives_the_same_files(figshare: FakeFigshare) -> None:
    small_pages = download.list_files(figshare.api_url, COLLECTION_ID, page_size=4)
    one_page = download.list_files(figshare.api_url, COLLECTION_ID)
    assert small_pages == one_page


def test_fetch_downloads_all_twelve_files_byte_equal(figshare: FakeFigshare, tmp_path: Path) -> None:
    dest = tmp_path / "new" / "gutenberg"
    paths = fetch_quietly(figshare, dest)
    assert paths == [dest / name for name in PUBLISHED_FILES]
    for path in paths:
        assert path.read_bytes() == BODIES[path.name]
    assert leftovers(dest) == []
    assert figshare.download_requests() == 2 * len(PUBLISHED_FILES)  # redirect + body each
    manifest = json.loads((dest / download.MANIFEST_FILE).read_text())
    assert [entry["name"] for entry in manifest["files"]] == list(PUBLISHED_FILES)
    assert download.verified_local_copy(dest) == paths


def test_second_fetch_downloads_nothing(figshare: FakeFigshare, tmp_path: Path) -> None:
    first = fetch_quietly(figshare, tmp_path)
    downloads_after_first = figshare.download_requests()
    second = fetch_quietly(figshare, tmp_path)
    assert second == first
    assert figshare.download_requests() == downloads_after_first


def test_corrupted_local_file_is_downloaded_again(figshare: FakeFigshare, tmp_path: Path) -> None:
    fetch_quietly(figshare, tmp_path)
    target = tmp_path / SPEED_FILE
    damaged = bytearray(target.read_bytes())
    damaged[10] ^= 0xFF  # same size, different MD5
    target.write_bytes(bytes(damaged))
    assert download.verified_local_copy(tmp_path) is None
    before = figshare.download_requests()
    fetch_quietly(figshare, tmp_path)
    assert figshare.download_requests() == before + 2
    assert target.read_bytes() == BODIES[SPEED_FILE]


def test_truncated_local_file_is_downloaded_again(figshare: FakeFigshare, tmp_path: Path) -> None:
    partial_copy = tmp_path / METADATA_FILE
    partial_copy.write_bytes(BODIES[METADATA_FILE][:100])
    fetch_quietly(figshare, tmp_path)
    assert partial_copy.read_bytes() == BODIES[METADATA_FILE]


def test_wrong_md5_is_rejected_and_leaves_no_file(figshare: FakeFigshare, tmp_path: Path) -> None:
    name = PUBLISHED_FILES[3]
    figshare.corrupt.add(name)
    expected = figshare.file_named(name).md5
    with pytest.raises(download.DownloadError) as caught:
        fetch_quietly(figshare, tmp_path)
    message = str(caught.value)
    assert message.startswith(f"{name}: MD5 mismatch, expected {expected} but the download has ")
    actual = message.split("the download has ")[1].split(";")[0]
    assert len(actual) == 32 and actual != expected
    assert not (tmp_path / name).exists()
    assert leftovers(tmp_path) == []
    assert not (tmp_path / download.MANIFEST_FILE).exists()


def test_wrong_md5_also_removes_a_bad_existing_copy(figshare: FakeFigshare, tmp_path: Path) -> None:
    name = PUBLISHED_FILES[0]
    (tmp_path / name).write_bytes(b"not the real file")
    figshare.corrupt.add(name)
    with pytest.raises(download.DownloadError, match="MD5 mismatch"):
        fetch_quietly(figshare, tmp_path)
    assert not (tmp_path / name).exists()


def test_interrupted_transfer_is_rejected_and_leaves_nothing(figshare: FakeFigshare, tmp_path: Path) -> None:
    name = PUBLISHED_FILES[5]
    figshare.truncate.add(name)
    with pytest.raises(download.DownloadError) as caught:
        fetch_quietly(figshare, tmp_path)
    assert str(caught.value).startswith(f"{name}: download from ")
    assert "failed and was discarded" in str(caught.value)
    assert not (tmp_path / name).exists()
    # The files before it are complete and verified; no temporary file remains.
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(PUBLISHED_FILES[:5])
    for done in PUBLISHED_FILES[:5]:
        assert (tmp_path / done).read_bytes() == BODIES[done]


def test_accepted_with_empty_body_gives_a_clear_error(figshare: FakeFigshare, tmp_path: Path) -> None:
    name = PUBLISHED_FILES[1]
    figshare.accepted_empty.add(name)
    with pytest.raises(download.DownloadError) as caught:
        fetch_quietly(figshare, tmp_path)
    message = str(caught.value)
    assert message.startswith(f"{name}: {figshare.root_url}/ndownloader/files/")
    assert "answered HTTP 202 (Accepted) with 0 byte(s) instead of the file" in message
    assert not (tmp_path / name).exists()
    assert leftovers(tmp_path) == []


def test_missing_wanted_file_is_named(figshare: FakeFigshare, tmp_path: Path) -> None:
    figshare.remove(SPEED_FILE)
    figshare.remove(PUBLISHED_FILES[2])
    with pytest.raises(download.DownloadError) as caught:
        fetch_quietly(figshare, tmp_path)
    assert str(caught.value) == (
        f"figshare collection {COLLECTION_ID} at {figshare.api_url} lacks 2 wanted file(s): "
        f"{PUBLISHED_FILES[2]}, {SPEED_FILE}"
    )
    assert figshare.download_requests() == 0


def test_duplicate_wanted_file_is_refused(figshare: FakeFigshare) -> None:
    figshare.add_duplicate(METADATA_FILE)
    original = figshare.file_named(METADATA_FILE).article_id
    with pytest.raises(download.DownloadError, match=rf"{METADATA_FILE} in articles {original}, {original + 1000}"):
        download.list_files(figshare.api_url, COLLECTION_ID)


def test_duplicate_unwanted_file_is_ignored(figshare: FakeFigshare) -> None:
    figshare.add_duplicate(RAW_FILES[0])
    assert len(download.list_files(figshare.api_url, COLLECTION_ID)) == len(PUBLISHED_FILES)


def test_unknown_collection_reports_the_http_status(figshare: FakeFigshare) -> None:
    with pytest.raises(download.DownloadError, match=r"/collections/1/articles\?page=1&page_size=1000 answered HTTP 404"):
        download.list_files(figshare.api_url, 1)


def test_unreachable_api_is_a_download_error(tmp_path: Path) -> None:
    with serve(BODIES) as fake:
        api_url = fake.api_url
    with pytest.raises(download.DownloadError, match=f"could not reach {api_url}/collections/"):
        download.list_files(api_url, COLLECTION_ID)


def test_verified_local_copy_needs_a_manifest(figshare: FakeFigshare, tmp_path: Path) -> None:
    paths = fetch_quietly(figshare, tmp_path)
    (tmp_path / download.MANIFEST_FILE).unlink()
    assert all(path.is_file() for path in paths)
    assert download.verified_local_copy(tmp_path) is None


def test_cli_fetch(figshare: FakeFigshare, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "cli"
    status = main(
        ["data", "fetch", "--dest", str(dest), "--api-url", figshare.api_url, "--collection", str(COLLECTION_ID)]
    )
    assert status == 0
    assert capsys.readouterr().out == f"{len(PUBLISHED_FILES)} files ready in {dest}\n"
    assert sorted(p.name for p in dest.iterdir() if p.suffix == ".csv") == sorted(PUBLISHED_FILES)


def test_cli_fetch_reports_errors(figshare: FakeFigshare, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    figshare.remove(METADATA_FILE)
    status = main(["data", "fetch", "--dest", str(tmp_path), "--api-url", figshare.api_url])
    assert status == 1
    assert capsys.readouterr().err == (
        f"error: figshare collection {COLLECTION_ID} at {figshare.api_url} lacks 1 wanted file(s): {METADATA_FILE}\n"
    )


def test_verified_local_copy_ignores_a_malformed_manifest(figshare: FakeFigshare, tmp_path: Path) -> None:
    fetch_quietly(figshare, tmp_path)
    (tmp_path / download.MANIFEST_FILE).write_text('{"files": [{"name": "GRF_metadata.csv"}]}')
    assert download.verified_local_copy(tmp_path) is None


def test_downloaded_files_are_readable_by_others(figshare: FakeFigshare, tmp_path: Path) -> None:
    for path in [*fetch_quietly(figshare, tmp_path), tmp_path / download.MANIFEST_FILE]:
        assert path.stat().st_mode & 0o777 == 0o644
