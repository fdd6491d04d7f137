"""The "PRO" curve-file format that Gutenberg and GaitRec share: read, validate, cross-check.

Both databases publish ten curve files, one per force/COP component and side
(Horst et al. 2021, Sci Data 8:232, Table 3, adapted from Horsak et al. 2020):
each row holds the trial's ID columns, then 101 samples of the time-normalised
stance phase. Forces are in multiples of body weight, centre of pressure in
metres. Missing values are the literal ``NaN``; files have CRLF line endings.
The two differ only in their ID columns (GaitRec has no DATASET_ID), in
Gutenberg's extra walking-speed file and in the metadata columns each checks,
so everything here takes the ID columns as an argument and the loaders
(:mod:`~analysis.data.gutenberg`, :mod:`~analysis.data.gaitrec`) add the rest.

The names of the 101 value columns are not part of the verified format, so
samples are read by position: every column that is not an ID column, in file
order. Rows may come in any order; each file is sorted by its trial key and
all ten must hold exactly the same trials. Every problem raises
:class:`DataFormatError` naming the file and the line, key or column.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

N_SAMPLES = 101
COMPONENTS: tuple[str, ...] = ("F_V", "F_AP", "F_ML", "COP_AP", "COP_ML")
SIDES: tuple[str, ...] = ("left", "right")
# Component-major order: F_V_left, F_V_right, F_AP_left, ...
CHANNELS: tuple[str, ...] = tuple(f"{component}_{side}" for component in COMPONENTS for side in SIDES)
CURVE_FILES: dict[str, str] = {
    f"{component}_{side}": f"GRF_{component}_PRO_{side}.csv" for component in COMPONENTS for side in SIDES
}
METADATA_FILE = "GRF_metadata.csv"
CHANNEL_UNITS: dict[str, str] = {
    channel: ("m" if channel.startswith("COP") else "BW") for channel in CHANNELS
}

SUBJECT_COLUMN = "SUBJECT_ID"
SUBJECT_SEX_COLUMN = "SUBJECT_SEX"
# Metadata columns the analyses use as numbers; anything else there is an error.
METADATA_NUMERIC_COLUMNS: tuple[str, ...] = ("SEX", "AGE", "HEIGHT", "BODY_WEIGHT", "BODY_MASS")
SEX_CODES: dict[int, str] = {0: "female", 1: "male"}
# Cell texts that mean "no value"; the published files only use "NaN".
MISSING_TOKENS: tuple[str, ...] = ("NaN", "nan", "")


class DataFormatError(ValueError):
    """A data file does not have the published format."""


class IncompleteTrialsWarning(UserWarning):
    """Trials with missing or infinite samples were dropped while loading."""


# ---------------------------------------------------------------------------
# Reading one file: bytes -> header, data line numbers, field counts.


@dataclass(frozen=True)
class Lines:
    """Where the data rows of a text table are, so errors can name lines."""

    header: list[str]
    line_numbers: np.ndarray  # 1-based line in the file of each data row
    field_counts: np.ndarray  # number of comma-separated fields of each data row


def scan_lines(path: Path, raw: bytes) -> Lines:
    """Split ``raw`` into lines without a Python loop over rows.

    pandas fills short rows with NaN silently, so the field count of every
    line is measured here; blank lines are skipped as pandas skips them.
    """
    if not raw.strip():
        raise DataFormatError(f"{path.name} is empty: no header line")
    codes = np.frombuffer(raw, dtype=np.uint8)
    breaks = np.flatnonzero(codes == ord("\n"))
    starts = np.concatenate(([0], breaks + 1))
    ends = np.concatenate((breaks, [codes.size]))
    if starts[-1] == codes.size:  # the file ends with a line break
        starts, ends = starts[:-1], ends[:-1]
    has_carriage_return = (ends > starts) & (codes[np.maximum(ends - 1, 0)] == ord("\r"))
    lengths = ends - starts - has_carriage_return
    if lengths[0] == 0:
        raise DataFormatError(f"{path.name} line 1 is blank: expected a header line")
    commas = np.flatnonzero(codes == ord(","))
    comma_lines = np.searchsorted(starts, commas, side="right") - 1
    field_counts = np.bincount(comma_lines, minlength=starts.size) + 1
    header_text = raw[starts[0] : starts[0] + lengths[0]].decode("utf-8-sig", errors="replace")
    header = [name.strip().strip('"').strip() for name in header_text.split(",")]
    data_rows = np.flatnonzero(lengths > 0)
    data_rows = data_rows[data_rows > 0]
    if data_rows.size == 0:
        raise DataFormatError(f"{path.name} has a header but no data rows")
    return Lines(header=header, line_numbers=data_rows + 1, field_counts=field_counts[data_rows])


def column_positions(path: Path, header: list[str], required: Sequence[str]) -> list[int]:
    """Positions of the ``required`` columns; each must appear exactly once."""
    missing = [name for name in required if name not in header]
    if missing:
        raise DataFormatError(f"{path.name} lacks the column(s) {', '.join(missing)} in its header")
    repeated = [name for name in required if header.count(name) > 1]
    if repeated:
        raise DataFormatError(f"{path.name} has the column(s) {', '.join(repeated)} more than once in its header")
    return [header.index(name) for name in required]


def refuse_foreign_columns(path: Path, header: list[str], foreign: Mapping[str, str]) -> None:
    """Columns that mean the file belongs to another source: an error with the reason."""
    present = [name for name in foreign if name in header]
    if present:
        raise DataFormatError(
            f"{path.name} has the column {present[0]}, {foreign[present[0]]}"
            + (f" (also: {', '.join(present[1:])})" if len(present) > 1 else "")
        )


def _check_field_counts(path: Path, lines: Lines, describe_count: Callable[[int], str]) -> None:
    expected = len(lines.header)
    wrong = np.flatnonzero(lines.field_counts != expected)
    if wrong.size:
        row = wrong[0]
        raise DataFormatError(
            f"{path.name} line {lines.line_numbers[row]} has {describe_count(int(lines.field_counts[row]))}"
            + (f" ({wrong.size} lines are affected)" if wrong.size > 1 else "")
        )


def _read_text_cells(raw: bytes, lines: Lines) -> pd.DataFrame:
    """Every cell as text, columns numbered by position (used to explain errors)."""
    return pd.read_csv(
        io.BytesIO(raw),
        header=None,
        skiprows=1,
        names=list(range(len(lines.header))),
        dtype=str,
        keep_default_na=False,
        na_filter=False,
        engine="c",
    )


def _not_numbers(cells: pd.Series) -> np.ndarray:
    """Mask of cells that are neither a number nor a missing-value token."""
    numbers = pd.to_numeric(cells, errors="coerce")
    return (numbers.isna() & ~cells.str.strip().isin(MISSING_TOKENS)).to_numpy()


def _non_numeric_error(path: Path, raw: bytes, lines: Lines, parser_message: str) -> DataFormatError:
    cells = _read_text_cells(raw, lines)
    bad = np.column_stack([_not_numbers(cells[position]) for position in cells.columns])
    rows = np.flatnonzero(bad.any(axis=1))
    if rows.size == 0:
        return DataFormatError(f"{path.name} could not be read as numbers: {parser_message}")
    row = rows[0]
    position = int(np.flatnonzero(bad[row])[0])
    return DataFormatError(
        f"{path.name} line {lines.line_numbers[row]}, column {position + 1} ({lines.header[position]}): "
        f"{cells.iat[row, position]!r} is not a number"
    )


def format_key(values: Sequence[int], columns: Sequence[str]) -> str:
    return ", ".join(f"{column}={int(value)}" for column, value in zip(columns, values))


def _integer_ids(path: Path, ids: np.ndarray, columns: Sequence[str], line_numbers: np.ndarray) -> np.ndarray:
    """IDs parsed as floats, checked to be whole numbers, as int64."""
    bad = ~np.isfinite(ids)
    bad[~bad] = ids[~bad] != np.round(ids[~bad])
    rows = np.flatnonzero(bad.any(axis=1))
    if rows.size:
        row = rows[0]
        position = int(np.flatnonzero(bad[row])[0])
        value = float(ids[row, position])
        problem = "the ID is missing" if np.isnan(value) else f"{value:g} is not a whole-number ID"
        raise DataFormatError(f"{path.name} line {line_numbers[row]}, column {columns[position]}: {problem}")
    return ids.astype(np.int64)


def check_unique(path: Path, keys: np.ndarray, columns: Sequence[str], line_numbers: np.ndarray, what: str) -> None:
    """Each key once; a repeat names both lines."""
    frame = pd.DataFrame(keys, columns=list(columns))
    repeats = np.flatnonzero(frame.duplicated(keep="first").to_numpy())
    if repeats.size:
        row = repeats[0]
        first = np.flatnonzero((keys == keys[row]).all(axis=1))[0]
        raise DataFormatError(
            f"{path.name} has {what} {format_key(keys[row], columns)} twice "
            f"(lines {line_numbers[first]} and {line_numbers[row]})"
        )


# ---------------------------------------------------------------------------
# Curve files.


@dataclass(frozen=True)
class CurveTable:
    """One curve file, rows sorted by trial key."""

    path: Path
    id_columns: tuple[str, ...]
    keys: np.ndarray  # (n, len(id_columns)) int64
    values: np.ndarray  # (n, 101) float64
    line_numbers: np.ndarray
    sample_names: list[str]


def read_curve_file(path: Path, id_columns: Sequence[str], foreign_columns: Mapping[str, str] | None = None) -> CurveTable:
    """One curve file: the ``id_columns`` by name, then exactly 101 samples by position."""
    id_columns = tuple(id_columns)
    raw = path.read_bytes()
    lines = scan_lines(path, raw)
    refuse_foreign_columns(path, lines.header, foreign_columns or {})
    id_positions = column_positions(path, lines.header, id_columns)
    value_positions = [position for position in range(len(lines.header)) if position not in id_positions]
    if len(value_positions) != N_SAMPLES:
        raise DataFormatError(
            f"{path.name} header has {len(value_positions)} value columns after the {len(id_columns)} ID columns; "
            f"expected {N_SAMPLES} samples"
        )
    _check_field_counts(
        path,
        lines,
        lambda count: f"{count - len(id_columns)} values after the {len(id_columns)} ID columns; expected {N_SAMPLES} samples",
    )
    try:
        table = pd.read_csv(
            io.BytesIO(raw),
            header=None,
            skiprows=1,
            names=list(range(len(lines.header))),
            dtype=np.float64,
            na_values=list(MISSING_TOKENS),
            keep_default_na=False,
            engine="c",
        ).to_numpy()
    except ValueError as error:
        raise _non_numeric_error(path, raw, lines, str(error)) from None
    if len(table) != len(lines.line_numbers):
        raise DataFormatError(f"{path.name}: found {len(table)} rows but {len(lines.line_numbers)} non-blank data lines")
    keys = _integer_ids(path, table[:, id_positions], id_columns, lines.line_numbers)
    check_unique(path, keys, id_columns, lines.line_numbers, "trial")
    order = np.lexsort(keys.T[::-1])  # by the first ID column, then the second, ...
    return CurveTable(
        path=path,
        id_columns=id_columns,
        keys=keys[order],
        values=table[:, value_positions][order],
        line_numbers=lines.line_numbers[order],
        sample_names=[lines.header[position] for position in value_positions],
    )


def _check_same_trials(reference: CurveTable, other: CurveTable) -> None:
    if reference.keys.shape == other.keys.shape and np.array_equal(reference.keys, other.keys):
        return
    columns = list(reference.id_columns)
    joined = pd.DataFrame(reference.keys, columns=columns).merge(
        pd.DataFrame(other.keys, columns=columns), how="outer", on=columns, indicator=True
    )
    only_reference = joined[joined["_merge"] == "left_only"]
    only_other = joined[joined["_merge"] == "right_only"]
    n_different = len(only_reference) + len(only_other)
    if len(only_reference):
        key, present, absent = only_reference.iloc[0][columns], reference.path.name, other.path.name
    else:
        key, present, absent = only_other.iloc[0][columns], other.path.name, reference.path.name
    raise DataFormatError(
        f"trial {format_key(key.to_numpy(), columns)} is in {present} but not in {absent} "
        f"({n_different} trial(s) differ between the two files)"
    )


def _incomplete_error(tables: Sequence[CurveTable], incomplete: np.ndarray) -> DataFormatError:
    """Name the first non-finite sample, in channel order, then line order."""
    for table in tables:
        rows = np.flatnonzero(~np.isfinite(table.values).all(axis=1))
        if rows.size == 0:
            continue
        row = rows[np.argmin(table.line_numbers[rows])]
        sample = int(np.flatnonzero(~np.isfinite(table.values[row]))[0])
        kind = "missing (NaN)" if np.isnan(table.values[row, sample]) else "infinite"
        return DataFormatError(
            f"{table.path.name} line {table.line_numbers[row]} (trial {format_key(table.keys[row], table.id_columns)}): "
            f"sample {sample + 1} of {N_SAMPLES} ({table.sample_names[sample]}) is {kind}; "
            f"{int(incomplete.sum())} trial(s) have missing or infinite samples; "
            "load with drop_incomplete=True to drop them"
        )
    raise AssertionError("no incomplete trial found")  # callers only come here when one exists


def read_curves(
    directory: Path,
    id_columns: Sequence[str],
    drop_incomplete: bool,
    foreign_columns: Mapping[str, str] | None = None,
) -> tuple[np.ndarray, np.ndarray, int]:
    """All ten curve files of ``directory``: sorted trial keys, curves (trials, channels, samples), dropped count.

    Trials with a missing or infinite sample in any channel are an error unless
    ``drop_incomplete``; then they are dropped, counted and reported with a warning.
    """
    tables = [read_curve_file(directory / CURVE_FILES[channel], id_columns, foreign_columns) for channel in CHANNELS]
    for table in tables[1:]:
        _check_same_trials(tables[0], table)
    keys = tables[0].keys
    curves = np.empty((len(keys), len(CHANNELS), N_SAMPLES), dtype=np.float64)
    for position, table in enumerate(tables):
        curves[:, position, :] = table.values
    complete = np.isfinite(curves).all(axis=(1, 2))
    dropped = int((~complete).sum())
    if dropped:
        if not drop_incomplete:
            raise _incomplete_error(tables, ~complete)
        if dropped == len(keys):
            raise DataFormatError(f"every one of the {dropped} trials in {directory} has missing or infinite samples")
        warnings.warn(
            f"dropped {dropped} of {len(keys)} trials with missing or infinite samples in {directory}",
            IncompleteTrialsWarning,
            stacklevel=3,
        )
        keys, curves = keys[complete], curves[complete]
    return keys, curves, dropped


# ---------------------------------------------------------------------------
# Tables of text and numbers: metadata (and Gutenberg's walking speeds).


@dataclass(frozen=True)
class TextTable:
    """A small table as written (text cells under their header names) and where each row is."""

    path: Path
    cells: pd.DataFrame
    line_numbers: np.ndarray

    def error(self, row: int, column: str, problem: str) -> DataFormatError:
        """An error naming file, line and column of data row ``row`` (0-based)."""
        return DataFormatError(f"{self.path.name} line {self.line_numbers[row]}, column {column}: {problem}")

    def integer_column(self, column: str) -> np.ndarray:
        """Whole-number IDs as int64; anything else is an error."""
        numbers = pd.to_numeric(self.cells[column], errors="coerce").to_numpy(dtype=np.float64)
        bad = ~np.isfinite(numbers)
        bad[~bad] = numbers[~bad] != np.round(numbers[~bad])
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise self.error(row, column, f"{self.cells[column].iat[row]!r} is not a whole-number ID")
        return numbers.astype(np.int64)

    def number_column(self, column: str) -> np.ndarray:
        """Floats; missing tokens become NaN, any other non-number is an error."""
        text = self.cells[column].str.strip()
        numbers = pd.to_numeric(text.where(~text.isin(MISSING_TOKENS)), errors="coerce").to_numpy(dtype=np.float64)
        bad = _not_numbers(self.cells[column]) | np.isinf(numbers)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise self.error(row, column, f"{self.cells[column].iat[row]!r} is not a finite number")
        return numbers


def read_text_table(path: Path, required: Sequence[str], foreign_columns: Mapping[str, str] | None = None) -> TextTable:
    """A small table as text cells with its header names, plus line numbers."""
    raw = path.read_bytes()
    lines = scan_lines(path, raw)
    refuse_foreign_columns(path, lines.header, foreign_columns or {})
    column_positions(path, lines.header, required)
    repeated = sorted({name for name in lines.header if lines.header.count(name) > 1})
    if repeated:
        raise DataFormatError(f"{path.name} has the column(s) {', '.join(repeated)} more than once in its header")
    _check_field_counts(path, lines, lambda count: f"{count} fields; the header has {len(lines.header)}")
    cells = _read_text_cells(raw, lines)
    cells.columns = lines.header
    return TextTable(path=path, cells=cells, line_numbers=lines.line_numbers)


def _inferred_column(cells: pd.Series) -> pd.Series:
    """Numbers where every present cell is one (integers if none is missing), else text."""
    text = cells.str.strip()
    missing = text.isin(MISSING_TOKENS)
    numbers = pd.to_numeric(text.where(~missing), errors="coerce")
    if (numbers.isna() == missing).all():
        numbers = numbers.astype(np.float64)
        if not missing.any() and np.all(numbers == np.round(numbers)):
            return numbers.astype(np.int64)
        return numbers
    return text.where(~missing)


@dataclass(frozen=True)
class Metadata:
    """The parsed metadata table, with the text it came from for error messages."""

    table: pd.DataFrame
    text: TextTable

    def check_codes(self, column: str, codes: Mapping[object, str], allow_missing: bool = True) -> None:
        """Every value of ``column`` is one of ``codes`` (or missing, where allowed)."""
        values = self.table[column]
        bad = ~values.isin(list(codes))
        if allow_missing:
            bad &= values.notna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            choices = [f"{code} ({meaning})" for code, meaning in codes.items()]
            allowed = " or ".join(choices) if len(choices) < 3 else ", ".join(choices[:-1]) + " or " + choices[-1]
            raise self.text.error(row, column, f"{self.text.cells[column].iat[row]!r} is not {allowed}")


def read_metadata(
    path: Path,
    session_key: Sequence[str],
    required: Sequence[str] = (),
    number_columns: Sequence[str] = METADATA_NUMERIC_COLUMNS,
    reserved: Sequence[str] = (),
    foreign_columns: Mapping[str, str] | None = None,
) -> Metadata:
    """One row per session: key columns as whole numbers, ``number_columns`` as floats, the rest inferred.

    ``reserved`` names columns that belong to other files (an error here);
    ``foreign_columns`` those that mean the file is from another source.
    """
    text = read_text_table(path, (*session_key, *number_columns, *required), foreign_columns)
    clashes = [name for name in text.cells.columns if name in reserved]
    if clashes:
        raise DataFormatError(f"{path.name} has the column(s) {', '.join(clashes)}, which belong to other files")
    table = pd.DataFrame(index=text.cells.index)
    for column in text.cells.columns:
        if column in session_key:
            table[column] = text.integer_column(column)
        elif column in number_columns:
            table[column] = text.number_column(column)
        else:
            table[column] = _inferred_column(text.cells[column])
    metadata = Metadata(table=table, text=text)
    metadata.check_codes("SEX", SEX_CODES)
    check_unique(path, table[list(session_key)].to_numpy(), session_key, text.line_numbers, "session")
    return metadata


def _subject_sex(metadata: pd.DataFrame) -> pd.Series:
    """Per SUBJECT_ID: the SEX of most of the subject's sessions, NaN on a tie."""
    subjects = metadata[SUBJECT_COLUMN]
    male = (metadata["SEX"] == 1).groupby(subjects).sum()
    female = (metadata["SEX"] == 0).groupby(subjects).sum()
    majority = pd.Series(np.nan, index=male.index, dtype=np.float64)
    majority[male > female] = 1.0
    majority[female > male] = 0.0
    return majority.rename(SUBJECT_SEX_COLUMN)


def attach_metadata(trials: pd.DataFrame, metadata: Metadata, session_key: Sequence[str]) -> pd.DataFrame:
    """``trials`` with its session's metadata and ``SUBJECT_SEX``; every session must have a row."""
    columns = list(session_key)
    joined = trials.merge(metadata.table, how="left", on=columns, indicator=True, validate="many_to_one")
    if (joined["_merge"] == "left_only").any():
        sessions = joined[joined["_merge"] == "left_only"].drop_duplicates(columns)
        key = format_key(sessions.iloc[0][columns].to_numpy(), columns)
        raise DataFormatError(
            f"{metadata.text.path.name} has no row for session {key} "
            f"({len(sessions)} session(s) with curves lack metadata)"
        )
    table = joined.drop(columns="_merge")
    table[SUBJECT_SEX_COLUMN] = table[SUBJECT_COLUMN].map(_subject_sex(metadata.table)).astype(np.float64)
    return table.reset_index(drop=True)


def check_directory(directory: Path, published_files: Sequence[str], title: str) -> None:
    """``directory`` exists and holds every published file of ``title``."""
    if not directory.exists():
        raise DataFormatError(f"data directory {directory} does not exist")
    if not directory.is_dir():
        raise DataFormatError(f"data directory {directory} is not a directory")
    missing = [name for name in published_files if not (directory / name).is_file()]
    if missing:
        raise DataFormatError(
            f"data directory {directory} lacks {len(missing)} of the {len(published_files)} {title} files: "
            + ", ".join(missing)
        )
