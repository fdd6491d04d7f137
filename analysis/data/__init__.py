"""The data layer: Gutenberg and GaitRec files in, validated cohorts out.

Modules, in the order data flows:

* :mod:`~analysis.data.pro_files` – the "PRO" curve-file format both databases share: reading and validation;
* :mod:`~analysis.data.cohort` – the cohort every loader returns (curves aligned with a trial table);
* :mod:`~analysis.data.gutenberg` – the Gutenberg files (with walking speeds): loading and validation;
* :mod:`~analysis.data.gaitrec` – the GaitRec files (healthy controls and four impairment classes);
* :mod:`~analysis.data.reference` – the real metadata shipped with the package, checksummed;
* :mod:`~analysis.data.download` – verified download of the published files;
* :mod:`~analysis.data.datasets` – the databases by name (files, figshare collection, loader, citation);
* :mod:`~analysis.data.synthetic` – a simulated cohort in the Gutenberg format;
* :mod:`~analysis.data.source` – which data a chapter runs on, stated on every page;
* :mod:`~analysis.data.cohort_tables` – who is in a cohort;
* :mod:`~analysis.data.abnormalities` – abnormal gait planted in a cohort's curves, with ground truth.

The Gutenberg format is what every other layer speaks, so its names are
available from the package itself (``from analysis.data import CHANNELS, load``).
"""

from analysis.data.gutenberg import (
    CHANNEL_UNITS,
    CHANNELS,
    COMPONENTS,
    CURVE_FILES,
    ID_COLUMNS,
    METADATA_FILE,
    METADATA_NUMERIC_COLUMNS,
    MISSING_TOKENS,
    N_SAMPLES,
    PUBLISHED_FILES,
    SESSION_KEY,
    SEX_CODES,
    SIDES,
    SPEED_COLUMN,
    SPEED_FILE,
    SUBJECT_COLUMN,
    SUBJECT_SEX_COLUMN,
    Cohort,
    DataFormatError,
    IncompleteTrialsWarning,
    describe,
    load,
    summarize,
)

__all__ = [
    "CHANNEL_UNITS",
    "CHANNELS",
    "COMPONENTS",
    "CURVE_FILES",
    "ID_COLUMNS",
    "METADATA_FILE",
    "METADATA_NUMERIC_COLUMNS",
    "MISSING_TOKENS",
    "N_SAMPLES",
    "PUBLISHED_FILES",
    "SESSION_KEY",
    "SEX_CODES",
    "SIDES",
    "SPEED_COLUMN",
    "SPEED_FILE",
    "SUBJECT_COLUMN",
    "SUBJECT_SEX_COLUMN",
    "Cohort",
    "DataFormatError",
    "IncompleteTrialsWarning",
    "describe",
    "load",
    "summarize",
]
