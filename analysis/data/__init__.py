"""The data layer: Gutenberg files in, validated cohorts out.

Modules, in the order data flows:

* :mod:`~analysis.data.gutenberg` – the published file format, loading and validation;
* :mod:`~analysis.data.reference` – the real cohort structure shipped with the package;
* :mod:`~analysis.data.download` – verified download of the published files;
* :mod:`~analysis.data.synthetic` – a simulated cohort in the same format;
* :mod:`~analysis.data.source` – which data a chapter runs on, stated on every page;
* :mod:`~analysis.data.cohort_tables` – who is in a cohort;
* :mod:`~analysis.data.abnormalities` – abnormal gait planted in a cohort's curves, with ground truth.

The format is what every other layer speaks, so its names are available from
the package itself (``from analysis.data import CHANNELS, load``).
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
