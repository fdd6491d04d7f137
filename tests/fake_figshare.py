"""A local stand-in for the figshare API and file server, for tests.

It serves one collection in the shape of the real API (paginated article
lists, article JSON with ``files[]``), redirects downloads the way
``ndownloader.figshare.com`` does, and can misbehave on purpose: corrupt one
file's bytes, cut one transfer short, or answer ``202`` with an empty body.
Every request is counted per path so tests can prove what was (not) fetched.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import numpy as np

from analysis.data import ID_COLUMNS, N_SAMPLES, PUBLISHED_FILES

COLLECTION_ID = 5311538
FIRST_ARTICLE_ID = 14095800
FIRST_FILE_ID = 26600000
# Files of the real collection that the analysis does not want.
RAW_FILES: tuple[str, ...] = ("GRF_F_V_RAW_left.csv", "GRF_F_V_RAW_right.csv")
DEFAULT_PAGE_SIZE = 10  # figshare's default when page_size is not given


def file_bodies(n_trials: int = 6, seed: int = 0) -> dict[str, bytes]:
    """Small CSV bodies for every published file plus two unwanted RAW files."""
    generator = np.random.default_rng(seed)
    bodies: dict[str, bytes] = {}
    for name in (*PUBLISHED_FILES, *RAW_FILES):
        header = ",".join((*ID_COLUMNS, *(f"V{index}" for index in range(1, N_SAMPLES + 1))))
        rows = [header]
        for trial in range(1, n_trials + 1):
            values = generator.normal(size=N_SAMPLES)
            rows.append(",".join(("1", "1", "1", str(trial), *(f"{value:.6f}" for value in values))))
        bodies[name] = ("\r\n".join(rows) + "\r\n").encode()
    return bodies


@dataclass
class _File:
    file_id: int
    article_id: int
    name: str
    body: bytes

    @property
    def md5(self) -> str:
        return hashlib.md5(self.body).hexdigest()


class FakeFigshare:
    """A running fake; ``api_url`` is what the code under test should use."""

    def __init__(
        self,
        bodies: Mapping[str, bytes],
        collection_id: int = COLLECTION_ID,
        max_page_size: int = 1000,
    ) -> None:
        self.collection_id = collection_id
        self.max_page_size = max_page_size
        # One file per article, like the real Gutenberg collection.
        self.files = [
            _File(FIRST_FILE_ID + index, FIRST_ARTICLE_ID + index, name, body)
            for index, (name, body) in enumerate(bodies.items())
        ]
        # Switches, by file name.
        self.corrupt: set[str] = set()
        self.truncate: set[str] = set()
        self.accepted_empty: set[str] = set()
        self.requests: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        # A short poll interval lets shutdown() return quickly.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)

    @property
    def root_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.root_url}/v2"

    def file_named(self, name: str) -> _File:
        return next(entry for entry in self.files if entry.name == name)

    def remove(self, name: str) -> None:
        self.files = [entry for entry in self.files if entry.name != name]

    def add_duplicate(self, name: str) -> None:
        """Put a second file of the same name into a new article."""
        original = self.file_named(name)
        self.files.append(_File(original.file_id + 1000, original.article_id + 1000, name, original.body))

    def download_requests(self) -> int:
        """How many requests asked for file bytes (redirects or bodies)."""
        return sum(
            count for path, count in self.requests.items() if path.startswith(("/ndownloader/", "/storage/"))
        )

    def count(self, path: str) -> None:
        with self._lock:
            self.requests[path] += 1

    def start(self) -> FakeFigshare:
        self._thread.start()
        return self

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # --- answers -----------------------------------------------------------

    def article_list(self, page: int, page_size: int) -> list[dict[str, object]]:
        page_size = min(page_size, self.max_page_size)
        articles = sorted({entry.article_id: entry for entry in self.files}.values(), key=lambda e: e.article_id)
        chosen = articles[(page - 1) * page_size : page * page_size]
        return [
            {
                "id": entry.article_id,
                "title": entry.name.removesuffix(".csv"),
                "doi": f"10.6084/m9.figshare.{entry.article_id}.v1",
                "url": f"{self.api_url}/articles/{entry.article_id}",
                "defined_type_name": "dataset",
            }
            for entry in chosen
        ]

    def article(self, article_id: int) -> dict[str, object] | None:
        files = [entry for entry in self.files if entry.article_id == article_id]
        if not files:
            return None
        return {
            "id": article_id,
            "title": files[0].name.removesuffix(".csv"),
            "files": [
                {
                    "id": entry.file_id,
                    "name": entry.name,
                    "size": len(entry.body),
                    "is_link_only": False,
                    "download_url": f"{self.root_url}/ndownloader/files/{entry.file_id}",
                    "supplied_md5": entry.md5,
                    "computed_md5": entry.md5,
                    "mimetype": "text/csv",
                }
                for entry in files
            ],
        }


def _handler_for(fake: FakeFigshare) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # keep test output clean
            return

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            fake.count(parts.path)
            query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
            segments = [segment for segment in parts.path.split("/") if segment]
            match segments:
                case ["v2", "collections", collection, "articles"]:
                    if int(collection) != fake.collection_id:
                        return self._json(404, {"message": "Entity not found: collection", "code": "EntityNotFound"})
                    page = int(query.get("page", 1))
                    page_size = int(query.get("page_size", DEFAULT_PAGE_SIZE))
                    return self._json(200, fake.article_list(page, page_size))
                case ["v2", "articles", article_id]:
                    article = fake.article(int(article_id))
                    if article is None:
                        return self._json(404, {"message": "Entity not found: article", "code": "EntityNotFound"})
                    return self._json(200, article)
                case ["ndownloader", "files", file_id]:
                    entry = self._file_by_id(int(file_id))
                    if entry is None:
                        return self._json(404, {"message": "File not found"})
                    if entry.name in fake.accepted_empty:
                        self.send_response(202)
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return None
                    self.send_response(302)
                    self.send_header("Location", f"{fake.root_url}/storage/{entry.file_id}/{entry.name}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                case ["storage", file_id, _name]:
                    entry = self._file_by_id(int(file_id))
                    if entry is None:
                        return self._json(404, {"message": "File not found"})
                    return self._body(entry)
            return self._json(404, {"message": f"no route for {parts.path}"})

        def _file_by_id(self, file_id: int) -> _File | None:
            return next((entry for entry in fake.files if entry.file_id == file_id), None)

        def _json(self, status: int, payload: object) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self, entry: _File) -> None:
            body = entry.body
            if entry.name in fake.corrupt:
                body = bytes([body[0] ^ 0x01]) + body[1:]  # same size, different bytes
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if entry.name in fake.truncate:
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(body)

    return Handler


@contextmanager
def serve(
    bodies: Mapping[str, bytes] | None = None,
    collection_id: int = COLLECTION_ID,
    max_page_size: int = 1000,
) -> Iterator[FakeFigshare]:
    """A started fake figshare that is shut down when the block ends."""
    fake = FakeFigshare(bodies if bodies is not None else file_bodies(), collection_id, max_page_size)
    fake.start()
    try:
        yield fake
    finally:
        fake.close()
