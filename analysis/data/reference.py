"""The real Gutenberg cohort structure that ships with the package, verified on use.

The synthetic cohort copies who walked, in which sessions, how often and how
fast from the real metadata (``GRF_metadata.csv``) and walking speeds
(``GRF_walking_speed.csv``) of the Gutenberg Gait Database (CC BY 4.0, 208 KB
together; provenance in ``analysis/data/reference/PROVENANCE.md``). Shipping
them makes every machine build the same cohort: 350 subjects, 661 sessions,
8,819 trials. Both files are checked against their published SHA-256 before
they are handed out, so an edited or truncated copy is an error, never a
silently different cohort.
"""

from __future__ import annotations

import hashlib
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


class ReferenceDataError(RuntimeError):
    """A shipped reference file is missing or differs from the published one."""


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def verify(directory: Path = DIRECTORY) -> Path:
    """``directory`` after checking both files against :data:`SHA256`; an error names the file."""
    for name, expected in SHA256.items():
        path = directory / name
        if not path.is_file():
            raise ReferenceDataError(f"reference file {path} is missing; reinstall the package or restore it from git")
        found = sha256_of(path)
        if found != expected:
            raise ReferenceDataError(
                f"reference file {path} has sha256 {found}, expected {expected} "
                f"(the Gutenberg Gait Database, doi:{SOURCE_DOI}); restore it from git"
            )
    return directory


def structure_dir() -> Path:
    """The shipped real cohort structure, verified."""
    return verify(DIRECTORY)
