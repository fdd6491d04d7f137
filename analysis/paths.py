"""Every location the project reads or writes, in one place.

Environment variables let a user move the caches and point at data without
editing code:

* ``GAIT_DATA_DIR`` – a directory holding the real Gutenberg files.
* ``GAITREC_DATA_DIR`` – a directory holding the real GaitRec files (a
  separate variable, so one build can name both databases).
* ``GAIT_STRUCTURE_DIR`` – a directory with ``GRF_metadata.csv`` and
  ``GRF_walking_speed.csv`` whose cohort structure the synthetic cohort copies
  instead of the real one shipped in :data:`REFERENCE_DIR`; the word
  ``sampled`` asks for a sampled structure instead.
* ``LATENT_MOTION_CACHE`` – where synthetic cohorts, downloads and trained
  models are kept (default: ``<repo>/.cache``).
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
BOOK_DIR = REPO_DIR / "book"
EXECUTED_DIR = BOOK_DIR / "_executed"
SITE_DIR = BOOK_DIR / "_build" / "html"
# The real Gutenberg metadata and walking speeds, shipped as package data.
REFERENCE_DIR = PACKAGE_DIR / "data" / "reference"
# The real GaitRec session metadata, shipped as package data.
GAITREC_REFERENCE_DIR = PACKAGE_DIR / "data" / "gaitrec_reference"

DATA_DIR_VARIABLE = "GAIT_DATA_DIR"
GAITREC_DATA_DIR_VARIABLE = "GAITREC_DATA_DIR"
STRUCTURE_DIR_VARIABLE = "GAIT_STRUCTURE_DIR"
DOWNLOAD_VARIABLE = "GAIT_DOWNLOAD"
CACHE_VARIABLE = "LATENT_MOTION_CACHE"
# The value of GAIT_STRUCTURE_DIR that asks for a sampled cohort structure.
SAMPLED_STRUCTURE = "sampled"


def cache_dir() -> Path:
    """Root of everything the project regenerates (never committed)."""
    return Path(os.environ.get(CACHE_VARIABLE, REPO_DIR / ".cache")).expanduser()


def synthetic_cache_dir() -> Path:
    return cache_dir() / "synthetic"


def download_cache_dir(dataset: str = "gutenberg") -> Path:
    """Where verified downloads of ``dataset`` are kept: one folder per database."""
    return cache_dir() / dataset


def models_cache_dir() -> Path:
    return cache_dir() / "models"


def user_data_dir(variable: str = DATA_DIR_VARIABLE) -> Path | None:
    """The real-data directory named by ``variable`` (``GAIT_DATA_DIR`` by default), if any."""
    value = os.environ.get(variable, "").strip()
    return Path(value).expanduser() if value else None


def download_requested() -> bool:
    """True only when the user opted in to downloading (never by default)."""
    return os.environ.get(DOWNLOAD_VARIABLE, "").strip().lower() in {"1", "true", "yes"}


def structure_dir() -> Path | None:
    """Real metadata + speeds whose structure a synthetic cohort should copy.

    ``GAIT_STRUCTURE_DIR`` wins (``sampled`` means: sample a structure,
    returned as ``None``); otherwise the real structure shipped with the
    package, so that every machine builds the same cohort.
    """
    value = os.environ.get(STRUCTURE_DIR_VARIABLE, "").strip()
    if value.lower() == SAMPLED_STRUCTURE:
        return None
    if value:
        return Path(value).expanduser()
    return REFERENCE_DIR
