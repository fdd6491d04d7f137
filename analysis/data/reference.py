"""Real published metadata that ships with the package, verified on use.

Gutenberg: the synthetic cohort copies who walked, in which sessions, how
often and how fast from the real metadata (``GRF_metadata.csv``) and walking
speeds (``GRF_walking_speed.csv``) of the Gutenberg Gait Database (CC BY 4.0,
208 KB together; provenance in ``analysis/data/reference/PROVENANCE.md``).
Shipping them makes every machine build the same cohort: 350 subjects, 661
sessions, 8,819 trials.

GaitRec: its session metadata (``GRF_metadata.csv``, CC BY 4.0, 630 KB;
provenance in ``analysis/data/gaitrec_reference/PROVENANCE.md``) holds the
class labels of all 2,295 subjects, so the cohort's structure is known and
checkable without the curve files, and a downloaded copy can be compared with
the published one.

Every file is checked against its published SHA-256 before it is handed out,
so an edited or truncated copy is an error, never a silently different cohort.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

from analysis import paths
from analysis.data.gutenberg import METADATA_FILE, SPEED_FILE

DIRECTORY = paths.REFERENCE_DIR
PROVENANCE_FILE = "PROVENANCE.md"
SOURCE_DOI = "10.1038/s41597-021-01014-6"
DATA_DOI = "10.6084/m9.figshare.c.5311538"
LICENCE = "CC BY 4.0"
SHA256: dict[str, str] = {
    METADATA_FILE: "dc86731115421879b014d4b6891c3aeb29a001b0c784138d4f113880642c8ae4",
    SPEED_FILE: "fe11fb5d4f9472ae315b0a7a640555ea6042f2e1dbc258c918b287c21d747bd6",
}
# What the shipped structure holds (checked by the tests, quoted by the docs).
N_SUBJECTS, N_SESSIONS, N_TRIALS = 350, 661, 8819

GAITREC_DIRECTORY = paths.GAITREC_REFERENCE_DIR
GAITREC_SOURCE_DOI = "10.1038/s41597-020-0481-z"
GAITREC_DATA_DOI = "10.6084/m9.figshare.c.4788012"
GAITREC_SHA256: dict[str, str] = {
    METADATA_FILE: "0d89799a2703559a836437560f2a05fbc328f6f6aea1cb73d44ee71b9952191d",
}
# What the shipped GaitRec metadata holds (checked by the tests).
GAITREC_N_SUBJECTS, GAITREC_N_SESSIONS = 2295, 8971
GAITREC_SUBJECTS_PER_CLASS: dict[str, int] = {"HC": 211, "H": 450, "K": 625, "A": 627, "C": 382}


class ReferenceDataError(RuntimeError):
    """A shipped reference file is missing or differs from the published one."""


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def verify(
    directory: Path = DIRECTORY,
    checksums: Mapping[str, str] = SHA256,
    source: str = f"the Gutenberg Gait Database, doi:{SOURCE_DOI}",
) -> Path:
    """``directory`` after checking every file of ``checksums``; an error names the file and ``source``."""
    for name, expected in checksums.items():
        path = directory / name
        if not path.is_file():
            raise ReferenceDataError(f"reference file {path} is missing; reinstall the package or restore it from git")
        found = sha256_of(path)
        if found != expected:
            raise ReferenceDataError(
                f"reference file {path} has sha256 {found}, expected {expected} ({source}); restore it from git"
            )
    return directory


def structure_dir() -> Path:
    """The shipped real Gutenberg cohort structure, verified."""
    return verify(DIRECTORY)


def verify_gaitrec(directory: Path = GAITREC_DIRECTORY) -> Path:
    """``directory`` after checking its GaitRec metadata against :data:`GAITREC_SHA256`."""
    return verify(directory, GAITREC_SHA256, f"GaitRec, doi:{GAITREC_SOURCE_DOI}")


def gaitrec_metadata() -> Path:
    """The shipped GaitRec ``GRF_metadata.csv``, verified."""
    return verify_gaitrec(GAITREC_DIRECTORY) / METADATA_FILE


def is_published_gaitrec_metadata(path: Path) -> bool:
    """Whether ``path`` is byte for byte the published GaitRec metadata file."""
    return path.is_file() and sha256_of(path) == GAITREC_SHA256[METADATA_FILE]
