"""Decide, in one place, which data a chapter runs on, and say so plainly.

A chapter names its database (``dataset="gutenberg"``, the default, or
``"gaitrec"``). Order of precedence:

1. an explicit ``data_dir`` (real files of that database the caller points at);
2. the database's variable: ``GAIT_DATA_DIR`` (Gutenberg), ``GAITREC_DATA_DIR``;
3. a verified download from figshare, only when asked for (``download=True``
   or ``GAIT_DOWNLOAD=1``), kept in the database's download cache;
4. otherwise, for Gutenberg, a synthetic cohort in the Gutenberg format,
   generated once per (generator version, seed, cohort structure) and cached.
   GaitRec has no synthetic stand-in: without its real files it is an error.

A named directory that does not exist, or whose metadata belongs to the other
database, is an error, never a silent switch to other data: a page must not
claim results it did not compute. Every :class:`DataSource` names its database
and carries a Markdown paragraph that tells the reader which data the numbers
below it describe.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from analysis import paths
from analysis.data import datasets, reference
from analysis.data import download as figshare
from analysis.data.cohort import Cohort
from analysis.data.gutenberg import METADATA_FILE, PUBLISHED_FILES, SPEED_FILE
from analysis.data.pro_files import DataFormatError, column_positions, refuse_foreign_columns, scan_lines

KINDS: tuple[str, ...] = ("directory", "environment", "download", "synthetic")
# Written last into a synthetic cohort; a directory without it is not a cohort.
COHORT_MARKER = "cohort-complete.json"
REAL_LABEL = datasets.DATASETS["gutenberg"].real_label
SYNTHETIC_REAL_STRUCTURE_LABEL = "synthetic (real structure)"
SYNTHETIC_SAMPLED_LABEL = "synthetic (sampled structure)"
SYNTHETIC_NAMED_LABEL = "synthetic (named directory)"
# Written by analysis.data.synthetic beside the published files (kept in step with
# synthetic.GROUND_TRUTH_FILE by a test; not imported, to keep source light).
SYNTHETIC_GROUND_TRUTH = "synthetic_ground_truth.csv"
GUTENBERG_CITATION = datasets.DATASETS["gutenberg"].citation

logger = logging.getLogger(__name__)


class DataUnavailableError(FileNotFoundError):
    """The chosen database has no data here and no synthetic stand-in."""


class _FromEnvironment:
    """Default of ``structure_dir``: ask :func:`analysis.paths.structure_dir`."""

    def __repr__(self) -> str:
        return "<structure directory from the environment>"


FROM_ENVIRONMENT = _FromEnvironment()


@dataclass(frozen=True)
class DataSource:
    """Where a chapter's files are, which database they belong to, and what they are."""

    kind: str
    directory: Path
    is_synthetic: bool
    # Synthetic: whether subjects/sessions/trials/demographics/speeds were
    # copied from the real metadata (True) or sampled (False). Real data: True.
    real_structure: bool
    seed: int | None
    description: str
    label: str
    # The database ("gutenberg", "gaitrec"); synthetic cohorts are in the Gutenberg format.
    dataset: str = datasets.DEFAULT_DATASET


def resolve(
    data_dir: str | Path | None = None,
    download: bool | None = None,
    seed: int = 0,
    structure_dir: Path | str | None | _FromEnvironment = FROM_ENVIRONMENT,
    api_url: str = figshare.FIGSHARE_API,
    dataset: str = datasets.DEFAULT_DATASET,
) -> DataSource:
    """The data source for a chapter on ``dataset``, following the order in the module docstring."""
    chosen = datasets.get(dataset, "dataset")
    if data_dir is not None and str(data_dir).strip():
        directory = _existing_data_dir(Path(data_dir).expanduser(), "data_dir", chosen)
        return _real_source("directory", directory, "passed as `data_dir`", chosen)

    environment_dir = paths.user_data_dir(chosen.data_dir_variable)
    if environment_dir is not None:
        directory = _existing_data_dir(environment_dir, chosen.data_dir_variable, chosen)
        return _real_source("environment", directory, f"named by `{chosen.data_dir_variable}`", chosen)

    wants_download = paths.download_requested() if download is None else bool(download)
    if wants_download:
        directory = _downloaded(api_url, chosen)
        return _real_source(
            "download",
            directory,
            "downloaded from figshare, every file checked against its published size and MD5",
            chosen,
        )
    if chosen.name != datasets.DEFAULT_DATASET:
        raise DataUnavailableError(
            f"no {chosen.title} data: pass `data_dir`, set `{chosen.data_dir_variable}` to a directory with the "
            f"{chosen.title} files, or ask for a download (`download=True` or `{paths.DOWNLOAD_VARIABLE}=1`); "
            f"there is no synthetic {chosen.title} cohort to fall back on"
        )

    structure = paths.structure_dir() if isinstance(structure_dir, _FromEnvironment) else structure_dir
    structure = Path(structure).expanduser() if structure is not None else None
    if structure is not None and structure.resolve() == paths.REFERENCE_DIR.resolve():
        reference.verify(structure)
    directory = synthetic_cohort(seed, structure)
    return _synthetic_source(directory, seed, real_structure=structure is not None)


def synthetic_cohort(seed: int = 0, structure_dir: Path | None = None) -> Path:
    """A complete synthetic cohort for ``seed``, generated on first use, then reused.

    Generation writes into a temporary directory beside the cache entry and
    renames it into place only after the marker is written, so an interrupted
    run never leaves something that looks like a finished cohort.
    """
    from analysis.data import synthetic

    structure_digest = _structure_digest(structure_dir) if structure_dir is not None else None
    key = cohort_key(synthetic.GENERATOR_VERSION, seed, structure_digest)
    root = paths.synthetic_cache_dir()
    final = root / key
    if is_complete_cohort(final):
        logger.info("using cached synthetic cohort %s", final)
        return final

    root.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{key}.", suffix=".partial", dir=root))
    try:
        logger.info("generating synthetic cohort (seed %d) into %s", seed, final)
        synthetic.synthesize(partial, like=structure_dir, seed=seed)
        missing = [name for name in PUBLISHED_FILES if not (partial / name).is_file()]
        if missing:
            raise FileNotFoundError(
                f"analysis.data.synthetic.synthesize did not write {', '.join(missing)} into {partial}"
            )
        marker = {
            "generator_version": synthetic.GENERATOR_VERSION,
            "seed": seed,
            "structure_sha256": structure_digest or "sampled",
            "structure_dir": str(structure_dir) if structure_dir is not None else None,
        }
        (partial / COHORT_MARKER).write_text(json.dumps(marker, indent=2) + "\n")
        partial.chmod(0o755)
        if final.exists() and not is_complete_cohort(final):
            shutil.rmtree(final)
        try:
            os.replace(partial, final)
        except OSError:
            # Another process finished the same cohort first; theirs is as good.
            if not is_complete_cohort(final):
                raise
    finally:
        if partial.exists():
            shutil.rmtree(partial, ignore_errors=True)
    return final


def cohort_key(generator_version: str, seed: int, structure_digest: str | None) -> str:
    """Cache directory name: changes whenever anything that shapes the cohort changes."""
    payload = json.dumps(
        {"generator_version": generator_version, "seed": seed, "structure": structure_digest or "sampled"},
        sort_keys=True,
    )
    digest = hashlib.sha256(payload.encode()).hexdigest()[:16]
    structure_kind = "real" if structure_digest else "sampled"
    return f"seed{seed}-{structure_kind}-{digest}"


def is_complete_cohort(directory: Path) -> bool:
    return (directory / COHORT_MARKER).is_file()


def _structure_digest(structure_dir: Path) -> str:
    """SHA-256 over the two structure files, so edited metadata means a new cohort."""
    if not structure_dir.is_dir():
        raise FileNotFoundError(
            f"structure directory {structure_dir} does not exist "
            f"(set {paths.STRUCTURE_DIR_VARIABLE} to a directory with {METADATA_FILE} and {SPEED_FILE})"
        )
    digest = hashlib.sha256()
    for name in (METADATA_FILE, SPEED_FILE):
        path = structure_dir / name
        if not path.is_file():
            raise FileNotFoundError(f"structure directory {structure_dir} has no {name}")
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _existing_data_dir(directory: Path, named_by: str, dataset: datasets.Dataset) -> Path:
    if not directory.exists():
        raise FileNotFoundError(f"data directory {directory} (from {named_by}) does not exist")
    if not directory.is_dir():
        raise NotADirectoryError(f"data directory {directory} (from {named_by}) is not a directory")
    missing = [name for name in dataset.published_files if not (directory / name).is_file()]
    if missing:
        raise FileNotFoundError(
            f"data directory {directory} (from {named_by}) lacks {len(missing)} {dataset.title} file(s): "
            + ", ".join(missing)
        )
    _check_metadata_belongs_to(directory, named_by, dataset)
    return directory


def _check_metadata_belongs_to(directory: Path, named_by: str, dataset: datasets.Dataset) -> None:
    """Refuse the other database's files before a page is labelled with this one's name.

    Gutenberg and GaitRec share file names; their metadata headers tell them
    apart (Gutenberg sessions have a DATASET_ID, GaitRec's do not).
    """
    path = directory / METADATA_FILE
    header = scan_lines(path, path.read_bytes()).header
    try:
        refuse_foreign_columns(path, header, {name: f"so it is not a {dataset.title} file" for name in dataset.foreign_columns})
        column_positions(path, header, dataset.session_key)
    except DataFormatError as error:
        raise DataFormatError(
            f"data directory {directory} (from {named_by}) does not hold {dataset.title} files: {error}"
        ) from None


def _downloaded(api_url: str, dataset: datasets.Dataset) -> Path:
    """The database's download cache, fetched now unless an earlier download is complete and intact."""
    destination = paths.download_cache_dir(dataset.name)
    if figshare.verified_local_copy(destination, wanted=dataset.published_files) is None:
        figshare.fetch(
            destination,
            api_url=api_url,
            collection_id=dataset.collection_id,
            wanted=dataset.published_files,
            progress=False,
        )
    return destination


def _real_source(kind: str, directory: Path, how: str, dataset: datasets.Dataset) -> DataSource:
    if (directory / SYNTHETIC_GROUND_TRUTH).is_file():
        return _named_synthetic_source(kind, directory, how)
    description = (
        f"{dataset.citation}, files in `{directory}` ({how}). "
        f"Numbers on this page are computed from these recordings of {dataset.recorded}."
    )
    return DataSource(
        kind=kind,
        directory=directory,
        is_synthetic=False,
        real_structure=True,
        seed=None,
        description=description,
        label=dataset.real_label,
        dataset=dataset.name,
    )


def load_cohort(data_source: DataSource, drop_incomplete: bool = False) -> Cohort:
    """The validated cohort of ``data_source``, read by its database's loader."""
    return datasets.get(data_source.dataset, "data_source.dataset").load(data_source.directory, drop_incomplete)


def _named_synthetic_source(kind: str, directory: Path, how: str) -> DataSource:
    """A user-named directory that the synthetic generator wrote: never labelled real."""
    description = (
        f"**Data: synthetic cohort** in `{directory}` ({how}), in the Gutenberg file format. The directory holds "
        f"the generator's ground-truth file `{SYNTHETIC_GROUND_TRUTH}`, so its curves were written by "
        "`analysis.data.synthetic`, not recorded. Numbers on this page describe the simulation, not real people."
    )
    return DataSource(
        kind=kind,
        directory=directory,
        is_synthetic=True,
        real_structure=False,
        seed=None,
        description=description,
        label=SYNTHETIC_NAMED_LABEL,
    )


def _synthetic_source(directory: Path, seed: int, real_structure: bool) -> DataSource:
    if real_structure:
        structure = (
            "copying the real cohort structure (subjects, sessions, trials, demographics, walking speeds) "
            "of the Gutenberg Gait Database"
        )
    else:
        structure = (
            "with a sampled cohort structure (subjects, sessions, trials, demographics and walking speeds "
            "drawn at random, not taken from the Gutenberg Gait Database)"
        )
    description = (
        "**Data: synthetic cohort.** The files were generated by `analysis.data.synthetic` "
        f"(seed {seed}) in the exact Gutenberg file format, {structure}; the force and COP curves are simulated. "
        "Numbers on this page describe the simulation, not real people. "
        f"To run on the real data, set `{paths.DATA_DIR_VARIABLE}` to a directory with the Gutenberg files "
        f"or `{paths.DOWNLOAD_VARIABLE}=1` to download them."
    )
    return DataSource(
        kind="synthetic",
        directory=directory,
        is_synthetic=True,
        real_structure=real_structure,
        seed=seed,
        description=description,
        label=SYNTHETIC_REAL_STRUCTURE_LABEL if real_structure else SYNTHETIC_SAMPLED_LABEL,
    )
