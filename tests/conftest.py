"""Shared fixtures; also makes ``tests/`` importable (``from gutenberg_files import ...``)."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

TESTS_DIR = Path(__file__).resolve().parent
if str(TESTS_DIR) not in sys.path:
    sys.path.insert(0, str(TESTS_DIR))

from analysis import style  # noqa: E402
from analysis.data import reference  # noqa: E402

import gaitrec_files  # noqa: E402
from gutenberg_files import write_cohort  # noqa: E402


@pytest.fixture(autouse=True)
def legible_figures(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every figure drawn in a test (and in the chapters the tests execute) must be legible at page width."""
    monkeypatch.setenv(style.CHECK_FIGURES_VARIABLE, "1")


@pytest.fixture
def gutenberg_dir(tmp_path: Path) -> Path:
    """A small valid cohort: 3 subjects x 2 sessions x 3 trials, CRLF."""
    directory = tmp_path / "gutenberg"
    write_cohort(directory)
    return directory


@pytest.fixture
def gutenberg_keys(gutenberg_dir: Path) -> pd.DataFrame:
    """The sorted trial keys of ``gutenberg_dir`` (same seed, same keys)."""
    return write_cohort(gutenberg_dir)


@pytest.fixture
def gaitrec_dir(tmp_path: Path) -> Path:
    """A small valid GaitRec cohort: 5 subjects (one per class) x 2 sessions x 2 trials, CRLF."""
    directory = tmp_path / "gaitrec"
    gaitrec_files.write_cohort(directory)
    return directory


@pytest.fixture(scope="session")
def real_structure_dir() -> Path:
    """The real metadata and speed files shipped with the package (checksums verified)."""
    return reference.structure_dir()


@pytest.fixture
def one_torch_thread():
    """Tiny tensors gain nothing from threads, and on a busy machine threads cost time."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
