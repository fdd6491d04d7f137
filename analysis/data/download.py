"""Download published gait databases (Gutenberg, GaitRec) from figshare, verified.

Each database is a figshare *collection* whose articles each hold one or more
files. Listing the collection (all pages) and then every article gives, for
each file, its size, MD5 and download URL. Every byte that ends up under a
final file name has been checked against both: pooch streams each download
into a temporary file beside the destination and moves it into place only
after the checks pass, so an interrupted or corrupted transfer never leaves a
plausible-looking file behind.

Gutenberg and GaitRec publish files of the same names, so a directory holds
one collection: fetching another into it is refused before anything is
contacted, rather than replacing one database's files with the other's.

figshare sometimes answers scripted downloads with ``HTTP 202`` and an empty
body (the file is "being prepared"); that is reported as such rather than as a
confusing checksum mismatch.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

import requests

from analysis.data.gutenberg import PUBLISHED_FILES

FIGSHARE_API = "https://api.figshare.com/v2"
GUTENBERG_COLLECTION_ID = 5311538
# GaitRec (Horsak et al. 2020), doi:10.6084/m9.figshare.c.4788012.
GAITREC_COLLECTION_ID = 4788012
# figshare caps page_size at 1000; pages are still followed until one is empty.
PAGE_SIZE = 1000
# Seconds to wait for a connection or for the next bytes of an answer.
TIMEOUT_S = 60
# Written into the destination after every file there has been verified.
MANIFEST_FILE = "figshare-files.json"
PUBLIC_FILE_MODE = 0o644
USER_AGENT = "latent-motion (gait database reanalysis)"

logger = logging.getLogger(__name__)


class DownloadError(OSError):
    """Listing or downloading failed; nothing unverified was kept."""


@dataclass(frozen=True)
class RemoteFile:
    """One file of a figshare article, as the API describes it."""

    name: str
    size: int
    md5: str
    url: str
    article_id: int


def list_files(
    api_url: str = FIGSHARE_API,
    collection_id: int = GUTENBERG_COLLECTION_ID,
    wanted: Sequence[str] = PUBLISHED_FILES,
    page_size: int = PAGE_SIZE,
) -> list[RemoteFile]:
    """The ``wanted`` files of a collection, in the order of ``wanted``."""
    wanted_names = _unique_names(wanted)
    found: dict[str, list[RemoteFile]] = {}
    for article_id in _collection_article_ids(api_url, collection_id, page_size):
        for remote in _article_files(api_url, article_id):
            if remote.name in wanted_names:
                found.setdefault(remote.name, []).append(remote)

    missing = [name for name in wanted_names if name not in found]
    if missing:
        raise DownloadError(
            f"figshare collection {collection_id} at {api_url} lacks {len(missing)} wanted file(s): "
            + ", ".join(missing)
        )
    duplicated = {name: copies for name, copies in found.items() if len(copies) > 1}
    if duplicated:
        details = "; ".join(
            f"{name} in articles {', '.join(str(copy.article_id) for copy in copies)}"
            for name, copies in duplicated.items()
        )
        raise DownloadError(
            f"figshare collection {collection_id} holds more than one file of the same name, "
            f"so which one is meant is ambiguous: {details}"
        )
    return [found[name][0] for name in wanted_names]


def fetch(
    dest: str | Path,
    api_url: str = FIGSHARE_API,
    collection_id: int = GUTENBERG_COLLECTION_ID,
    wanted: Sequence[str] = PUBLISHED_FILES,
    progress: bool = True,
) -> list[Path]:
    """Make ``dest`` hold every wanted file, verified; return their paths in ``wanted`` order.

    Files already present with the right size and MD5 are kept as they are, so
    a repeated fetch downloads nothing.
    """
    destination = Path(dest).expanduser()
    _refuse_other_collection(destination, collection_id)
    destination.mkdir(parents=True, exist_ok=True)
    remote_files = list_files(api_url, collection_id, wanted)
    paths: list[Path] = []
    for remote in remote_files:
        path = destination / remote.name
        if is_intact(path, remote.size, remote.md5):
            logger.info("%s: already present with the expected size and MD5, not downloaded again", path)
        else:
            if path.exists():
                # A known-bad file must not survive a failed re-download.
                logger.info("%s: size or MD5 differs from figshare's, downloading it again", path)
                path.unlink()
            _download(remote, destination, progress)
        paths.append(path)
    _write_manifest(destination, api_url, collection_id, remote_files)
    return paths


def verified_local_copy(dest: str | Path, wanted: Sequence[str] = PUBLISHED_FILES) -> list[Path] | None:
    """Paths of a completed earlier :func:`fetch` into ``dest``, or ``None``.

    Lets a finished download be reused without a network connection: the
    manifest written by :func:`fetch` records each file's size and MD5, and
    every file is checked against it again.
    """
    destination = Path(dest).expanduser()
    manifest_path = destination / MANIFEST_FILE
    if not manifest_path.is_file():
        return None
    try:
        recorded = {
            str(entry["name"]): (int(entry["size"]), str(entry["md5"]))
            for entry in json.loads(manifest_path.read_text())["files"]
        }
    except (ValueError, KeyError, TypeError):
        logger.warning("%s is not a valid download manifest; ignoring it", manifest_path)
        return None
    paths: list[Path] = []
    for name in wanted:
        path = destination / name
        if name not in recorded or not is_intact(path, *recorded[name]):
            return None
        paths.append(path)
    return paths


def _refuse_other_collection(destination: Path, collection_id: int) -> None:
    """Stop before a fetch would replace another collection's files of the same names."""
    manifest_path = destination / MANIFEST_FILE
    if not manifest_path.is_file():
        return
    try:
        recorded = int(json.loads(manifest_path.read_text())["collection_id"])
    except (ValueError, KeyError, TypeError):
        return  # not a manifest this module wrote; the fetch rewrites it
    if recorded != collection_id:
        raise DownloadError(
            f"{destination} holds the files of figshare collection {recorded} (see {MANIFEST_FILE}); "
            f"fetching collection {collection_id} there would replace them: choose another directory"
        )


def is_intact(path: Path, size: int, md5: str) -> bool:
    """Whether ``path`` is a file of exactly ``size`` bytes with MD5 ``md5``."""
    if not path.is_file() or path.stat().st_size != size:
        return False
    return file_md5(path) == md5.lower()


def file_md5(path: Path) -> str:
    digest = hashlib.md5()
    with path.open("rb") as stream:
        for block in iter(partial(stream.read, 1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- figshare API ----------------------------------------------------------


def _get_json(url: str, params: dict[str, Any] | None = None) -> Any:
    try:
        response = requests.get(url, params=params, timeout=TIMEOUT_S, headers={"User-Agent": USER_AGENT})
    except requests.exceptions.RequestException as error:
        raise DownloadError(f"could not reach {url}: {error}") from error
    if response.status_code != 200:
        raise DownloadError(f"{response.url} answered HTTP {response.status_code}: {response.text[:200]}")
    try:
        return response.json()
    except ValueError as error:
        raise DownloadError(f"{response.url} did not answer with JSON: {response.text[:200]!r}") from error


def _collection_article_ids(api_url: str, collection_id: int, page_size: int) -> list[int]:
    """Every article id of the collection, following pages until an empty one."""
    url = f"{api_url.rstrip('/')}/collections/{collection_id}/articles"
    article_ids: list[int] = []
    page = 1
    while True:
        articles = _get_json(url, params={"page": page, "page_size": page_size})
        if not isinstance(articles, list):
            raise DownloadError(f"{url} page {page}: expected a JSON list of articles, got {type(articles).__name__}")
        if not articles:
            return article_ids
        for article in articles:
            if not isinstance(article, dict) or "id" not in article:
                raise DownloadError(f"{url} page {page}: an article without an 'id': {article!r}")
            article_ids.append(int(article["id"]))
        page += 1


def _article_files(api_url: str, article_id: int) -> list[RemoteFile]:
    url = f"{api_url.rstrip('/')}/articles/{article_id}"
    article = _get_json(url)
    if not isinstance(article, dict) or not isinstance(article.get("files"), list):
        raise DownloadError(f"{url}: expected an article with a 'files' list")
    remote_files = []
    for entry in article["files"]:
        missing_keys = [key for key in ("name", "size", "download_url", "computed_md5") if key not in entry]
        if missing_keys:
            raise DownloadError(f"{url}: file entry {entry.get('name', entry)!r} lacks {', '.join(missing_keys)}")
        remote_files.append(
            RemoteFile(
                name=str(entry["name"]),
                size=int(entry["size"]),
                md5=str(entry["computed_md5"]).lower(),
                url=str(entry["download_url"]),
                article_id=article_id,
            )
        )
    return remote_files


def _unique_names(wanted: Iterable[str]) -> list[str]:
    names = list(wanted)
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"wanted file names repeat: {', '.join(repeated)}")
    return names


# --- downloading -----------------------------------------------------------


class _CheckingWriter:
    """File-like sink that counts and hashes what pooch writes through it."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self.size = 0
        self._md5 = hashlib.md5()

    def write(self, chunk: bytes) -> int:
        self.size += len(chunk)
        self._md5.update(chunk)
        return self._stream.write(chunk)

    def flush(self) -> None:
        self._stream.flush()

    @property
    def md5(self) -> str:
        return self._md5.hexdigest()


class _VerifyingDownloader:
    """A pooch downloader that refuses anything but the exact expected bytes.

    Raising here (inside pooch's temporary-file context) means the temporary
    file is deleted and nothing is moved to the final name.
    """

    def __init__(self, remote: RemoteFile, progress: bool) -> None:
        self._remote = remote
        import pooch  # imported on use: pooch loads tqdm.auto, which warns in every notebook

        self._http = pooch.HTTPDownloader(
            progressbar=progress,
            timeout=TIMEOUT_S,
            headers={"User-Agent": USER_AGENT},
            hooks={"response": self._check_response},
        )

    def _check_response(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        if response.is_redirect:
            return
        if response.status_code == 202:
            raise DownloadError(
                f"{self._remote.name}: {response.url} answered HTTP 202 (Accepted) with "
                f"{response.headers.get('Content-Length', 'no')} byte(s) instead of the file: "
                "figshare is still preparing it; try again later"
            )
        if 200 < response.status_code < 300:
            raise DownloadError(
                f"{self._remote.name}: {response.url} answered HTTP {response.status_code} instead of 200"
            )

    def __call__(self, url: str, output_file: str, pooch_instance: Any) -> None:
        with open(output_file, "w+b") as stream:
            sink = _CheckingWriter(stream)
            self._http(url, sink, pooch_instance)
        name, expected_size, expected_md5 = self._remote.name, self._remote.size, self._remote.md5
        if sink.size != expected_size:
            raise DownloadError(
                f"{name}: received {sink.size} bytes, figshare lists {expected_size}; the download was discarded"
            )
        if sink.md5 != expected_md5:
            raise DownloadError(
                f"{name}: MD5 mismatch, expected {expected_md5} but the download has {sink.md5}; "
                "the download was discarded"
            )


def _download(remote: RemoteFile, destination: Path, progress: bool) -> Path:
    logger.info("%s: downloading %d bytes from %s", remote.name, remote.size, remote.url)
    import pooch

    try:
        pooch.retrieve(
            remote.url,
            known_hash=f"md5:{remote.md5}",
            fname=remote.name,
            path=destination,
            downloader=_VerifyingDownloader(remote, progress),
        )
    except requests.exceptions.RequestException as error:
        raise DownloadError(f"{remote.name}: download from {remote.url} failed and was discarded: {error}") from error
    except ValueError as error:  # pooch's own hash check, behind ours
        raise DownloadError(f"{remote.name}: {error}") from error
    path = destination / remote.name
    # Temporary files are private (0600); the published data need not be.
    path.chmod(PUBLIC_FILE_MODE)
    return path


def _write_manifest(destination: Path, api_url: str, collection_id: int, remote_files: list[RemoteFile]) -> None:
    manifest = {
        "api_url": api_url,
        "collection_id": collection_id,
        "files": [asdict(remote) for remote in remote_files],
    }
    descriptor, temporary = tempfile.mkstemp(prefix=f".{MANIFEST_FILE}.", dir=destination)
    try:
        with os.fdopen(descriptor, "w") as stream:
            json.dump(manifest, stream, indent=2)
            stream.write("\n")
        os.chmod(temporary, PUBLIC_FILE_MODE)
        os.replace(temporary, destination / MANIFEST_FILE)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
