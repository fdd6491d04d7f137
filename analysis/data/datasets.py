"""The real databases the project reads, by name: their files, figshare collection, loader and citation.

One table, so that the command line (``--dataset``), the data source of a
chapter (``dataset=``) and the download all agree on what "gaitrec" means,
and an unknown name is refused in one place with the allowed names listed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from analysis import paths
from analysis.data import download, gaitrec, gutenberg
from analysis.data.cohort import Cohort

DEFAULT_DATASET = gutenberg.DATASET


@dataclass(frozen=True)
class Dataset:
    """What the project needs to know to find, fetch, load and cite one database."""

    name: str
    title: str
    published_files: tuple[str, ...]
    collection_id: int
    # Session-key columns its metadata must have, and columns that mean another database.
    session_key: tuple[str, ...]
    foreign_columns: tuple[str, ...]
    # The environment variable naming a directory of its real files.
    data_dir_variable: str
    # Opens the banner of every page computed on its real data (Markdown).
    citation: str
    # Who was recorded, for the banner: "these recordings of ...".
    recorded: str
    load: Callable[..., Cohort]
    summarize: Callable[[Cohort], str]

    @property
    def real_label(self) -> str:
        """Short name of its real data on a page's banner, e.g. "GaitRec (real)"."""
        return f"{self.title} (real)"


DATASETS: dict[str, Dataset] = {
    gutenberg.DATASET: Dataset(
        name=gutenberg.DATASET,
        title=gutenberg.TITLE,
        published_files=gutenberg.PUBLISHED_FILES,
        collection_id=download.GUTENBERG_COLLECTION_ID,
        session_key=gutenberg.SESSION_KEY,
        foreign_columns=(),
        data_dir_variable=paths.DATA_DIR_VARIABLE,
        citation=(
            "**Data: Gutenberg Gait Database** (Horst et al. 2021, Sci Data 8:232; "
            "figshare doi:10.6084/m9.figshare.c.5311538)"
        ),
        recorded="healthy adults",
        load=gutenberg.load,
        summarize=gutenberg.summarize,
    ),
    gaitrec.DATASET: Dataset(
        name=gaitrec.DATASET,
        title=gaitrec.TITLE,
        published_files=gaitrec.PUBLISHED_FILES,
        collection_id=download.GAITREC_COLLECTION_ID,
        session_key=gaitrec.SESSION_KEY,
        foreign_columns=tuple(gaitrec.FOREIGN_COLUMNS),
        data_dir_variable=paths.GAITREC_DATA_DIR_VARIABLE,
        citation=(
            "**Data: GaitRec** (Horsak et al. 2020, Sci Data 7:143; "
            "figshare doi:10.6084/m9.figshare.c.4788012)"
        ),
        recorded="healthy controls and patients with hip, knee, ankle or calcaneus impairments",
        load=gaitrec.load,
        summarize=gaitrec.summarize,
    ),
}
NAMES: tuple[str, ...] = tuple(DATASETS)


def get(name: str, argument: str = "dataset") -> Dataset:
    """The database called ``name``; anything else is an error naming ``argument`` and the allowed names."""
    if isinstance(name, str) and name in DATASETS:
        return DATASETS[name]
    raise ValueError(f"{argument} must be one of {', '.join(map(repr, NAMES))}, got {name!r}")
