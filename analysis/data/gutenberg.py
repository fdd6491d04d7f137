"""Load and validate the Gutenberg Gait Database "PRO" files.

Format facts (Horst et al. 2021, Sci Data 8:232, Table 3): ten curve files,
one per force/COP component and side, each row = DATASET_ID, SUBJECT_ID,
SESSION_ID, TRIAL_ID, then 101 samples of the time-normalised stance phase.
Forces are in multiples of body weight, centre of pressure in metres.
Missing values are the literal ``NaN``; files have CRLF line endings.

The names of the 101 value columns are not part of the verified format, so
samples are read by position: every column that is not an ID column, in file
order. Rows may come in any order; each file is sorted by its trial key and
all ten must hold exactly the same trials.

SEX quirk: in the published metadata, 26 subjects have sessions that disagree
on SEX. ``SEX`` keeps the per-session value as published; ``SUBJECT_SEX`` is
the value recorded in most of the subject's sessions (missing on a tie), for
analyses that need one sex per person. Subjects are identified by
``SUBJECT_ID`` alone, which is unique across the whole database.
"""

from __future__ import annotations

import io
import os
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ID_COLUMNS: tuple[str, ...] = ("DATASET_ID", "SUBJECT_ID", "SESSION_ID", "TRIAL_ID")
SESSION_KEY: tuple[str, ...] = ("DATASET_ID", "SUBJECT_ID", "SESSION_ID")
N_SAMPLES = 101
COMPONENTS: tuple[str, ...] = ("F_V", "F_AP", "F_ML", "COP_AP", "COP_ML")
SIDES: tuple[str, ...] = ("left", "right")
# Component-major order: F_V_left, F_V_right, F_AP_left, ...
CHANNELS: tuple[str, ...] = tuple(f"{component}_{side}" for component in COMPONENTS for side in SIDES)
CURVE_FILES: dict[str, str] = {
    f"{component}_{side}": f"GRF_{component}_PRO_{side}.csv" for component in COMPONENTS for side in SIDES
}
METADATA_FILE = "GRF_metadata.csv"
SPEED_FILE = "GRF_walking_speed.csv"
PUBLISHED_FILES: tuple[str, ...] = (*CURVE_FILES.values(), METADATA_FILE, SPEED_FILE)
CHANNEL_UNITS: dict[str, str] = {
    channel: ("m" if channel.startswith("COP") else "BW") for channel in CHANNELS
}

SUBJECT_COLUMN = "SUBJECT_ID"
SPEED_COLUMN = "WALKING_SPEED"
SUBJECT_SEX_COLUMN = "SUBJECT_SEX"
# Metadata columns the analyses use as numbers; anything else there is an error.
METADATA_NUMERIC_COLUMNS: tuple[str, ...] = ("SEX", "AGE", "HEIGHT", "BODY_WEIGHT", "BODY_MASS")
SEX_CODES: dict[int, str] = {0: "female", 1: "male"}
# Cell texts that mean "no value"; the published files only use "NaN".
MISSING_TOKENS: tuple[str, ...] = ("NaN", "nan", "")


class DataFormatError(ValueError):
    """A Gutenberg file does not have the published format."""


class IncompleteTrialsWarning(UserWarning):
    """Trials with missing or infinite samples were dropped while loading."""


@dataclass(frozen=True, eq=False)
class Cohort:
    """Curves of every trial, aligned row by row with the trial table.

    ``curves[i]`` is trial ``trials.iloc[i]``: an array (channels, samples)
    in ``channels`` order.
    """

    curves: np.ndarray
    channels: tuple[str, ...]
    trials: pd.DataFrame
    directory: Path
    dropped_trials: int = 0

    def __post_init__(self) -> None:
        if self.curves.ndim != 3:
            raise ValueError(f"curves must be 3-dimensional (trials, channels, samples), got shape {self.curves.shape}")
        if self.curves.shape[0] != len(self.trials):
            raise ValueError(f"curves hold {self.curves.shape[0]} trials but the trial table has {len(self.trials)} rows")
        if self.curves.shape[1] != len(self.channels):
            raise ValueError(f"curves hold {self.curves.shape[1]} channels but {len(self.channels)} channel names were given")

    @property
    def n_trials(self) -> int:
        return len(self.trials)

    @property
    def n_subjects(self) -> int:
        return int(self.trials[SUBJECT_COLUMN].nunique())

    @property
    def n_sessions(self) -> int:
        return len(self.trials[list(SESSION_KEY)].drop_duplicates())

    def select(self, rows: Sequence[int] | Sequence[bool] | np.ndarray | pd.Series) -> Cohort:
        """The trials at integer positions ``rows``, or where a boolean mask is true."""
        index = np.asarray(rows)
        if index.dtype == bool:
            if index.shape != (self.n_trials,):
                raise ValueError(f"a boolean mask must have one entry per trial ({self.n_trials}), got shape {index.shape}")
            index = np.flatnonzero(index)
        elif index.size == 0:
            index = index.astype(np.intp)
        elif not np.issubdtype(index.dtype, np.integer):
            raise ValueError(f"rows must be integer positions or a boolean mask, got dtype {index.dtype}")
        return Cohort(
            curves=self.curves[index],
            channels=self.channels,
            trials=self.trials.iloc[index].reset_index(drop=True),
            directory=self.directory,
            dropped_trials=self.dropped_trials,
        )

    def subset_subjects(self, n: int, seed: int) -> Cohort:
        """All trials of ``n`` subjects drawn at random, for quick runs.

        The draw depends only on ``seed`` and the set of subjects, so the same
        call on the same cohort always keeps the same people.
        """
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        subjects = np.unique(self.trials[SUBJECT_COLUMN].to_numpy())
        if n >= subjects.size:
            return self
        chosen = np.random.default_rng(seed).choice(subjects, size=n, replace=False)
        return self.select(self.trials[SUBJECT_COLUMN].isin(chosen).to_numpy())


# ---------------------------------------------------------------------------
# Reading one file: bytes -> header, data line numbers, field counts.


@dataclass(frozen=True)
class _Lines:
    """Where the data rows of a text table are, so errors can name lines."""

    header: list[str]
    line_numbers: np.ndarray  # 1-based line in the file of each data row
    field_counts: np.ndarray  # number of comma-separated fields of each data row


def _scan_lines(path: Path, raw: bytes) -> _Lines:
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
    return _Lines(header=header, line_numbers=data_rows + 1, field_counts=field_counts[data_rows])


def _column_positions(path: Path, header: list[str], required: Sequence[str]) -> list[int]:
    missing = [name for name in required if name not in header]
    if missing:
        raise DataFormatError(f"{path.name} lacks the column(s) {', '.join(missing)} in its header")
    repeated = [name for name in required if header.count(name) > 1]
    if repeated:
        raise DataFormatError(f"{path.name} has the column(s) {', '.join(repeated)} more than once in its header")
    return [header.index(name) for name in required]


def _check_field_counts(path: Path, lines: _Lines, describe_count: Callable[[int], str]) -> None:
    expected = len(lines.header)
    wrong = np.flatnonzero(lines.field_counts != expected)
    if wrong.size:
        row = wrong[0]
        raise DataFormatError(
            f"{path.name} line {lines.line_numbers[row]} has {describe_count(int(lines.field_counts[row]))}"
            + (f" ({wrong.size} lines are affected)" if wrong.size > 1 else "")
        )


def _read_text_cells(path: Path, raw: bytes, lines: _Lines) -> pd.DataFrame:
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


def _non_numeric_error(path: Path, raw: bytes, lines: _Lines, parser_message: str) -> DataFormatError:
    cells = _read_text_cells(path, raw, lines)
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


def _format_key(values: Sequence[int], columns: Sequence[str]) -> str:
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


def _check_unique(path: Path, keys: np.ndarray, columns: Sequence[str], line_numbers: np.ndarray, what: str) -> None:
    frame = pd.DataFrame(keys, columns=list(columns))
    repeats = np.flatnonzero(frame.duplicated(keep="first").to_numpy())
    if repeats.size:
        row = repeats[0]
        first = np.flatnonzero((keys == keys[row]).all(axis=1))[0]
        raise DataFormatError(
            f"{path.name} has {what} {_format_key(keys[row], columns)} twice "
            f"(lines {line_numbers[first]} and {line_numbers[row]})"
        )


def _sort_order(keys: np.ndarray) -> np.ndarray:
    """Row order sorting ``keys`` by its first column, then the second, ..."""
    return np.lexsort(keys.T[::-1])


# ---------------------------------------------------------------------------
# Curve files.


@dataclass(frozen=True)
class _CurveTable:
    """One curve file, rows sorted by trial key."""

    path: Path
    keys: np.ndarray  # (n, 4) int64
    values: np.ndarray  # (n, 101) float64
    line_numbers: np.ndarray
    sample_names: list[str]


def _read_curve_file(path: Path) -> _CurveTable:
    raw = path.read_bytes()
    lines = _scan_lines(path, raw)
    id_positions = _column_positions(path, lines.header, ID_COLUMNS)
    value_positions = [position for position in range(len(lines.header)) if position not in id_positions]
    if len(value_positions) != N_SAMPLES:
        raise DataFormatError(
            f"{path.name} header has {len(value_positions)} value columns after the {len(ID_COLUMNS)} ID columns; "
            f"expected {N_SAMPLES} samples"
        )
    _check_field_counts(
        path,
        lines,
        lambda count: f"{count - len(ID_COLUMNS)} values after the {len(ID_COLUMNS)} ID columns; expected {N_SAMPLES} samples",
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
    keys = _integer_ids(path, table[:, id_positions], ID_COLUMNS, lines.line_numbers)
    _check_unique(path, keys, ID_COLUMNS, lines.line_numbers, "trial")
    order = _sort_order(keys)
    return _CurveTable(
        path=path,
        keys=keys[order],
        values=table[:, value_positions][order],
        line_numbers=lines.line_numbers[order],
        sample_names=[lines.header[position] for position in value_positions],
    )


def _check_same_trials(reference: _CurveTable, other: _CurveTable) -> None:
    if reference.keys.shape == other.keys.shape and np.array_equal(reference.keys, other.keys):
        return
    columns = list(ID_COLUMNS)
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
        f"trial {_format_key(key.to_numpy(), columns)} is in {present} but not in {absent} "
        f"({n_different} trial(s) differ between the two files)"
    )


def _incomplete_error(tables: list[_CurveTable], incomplete: np.ndarray) -> DataFormatError:
    """Name the first non-finite sample, in channel order, then line order."""
    for table in tables:
        rows = np.flatnonzero(~np.isfinite(table.values).all(axis=1))
        if rows.size == 0:
            continue
        row = rows[np.argmin(table.line_numbers[rows])]
        sample = int(np.flatnonzero(~np.isfinite(table.values[row]))[0])
        kind = "missing (NaN)" if np.isnan(table.values[row, sample]) else "infinite"
        return DataFormatError(
            f"{table.path.name} line {table.line_numbers[row]} (trial {_format_key(table.keys[row], ID_COLUMNS)}): "
            f"sample {sample + 1} of {N_SAMPLES} ({table.sample_names[sample]}) is {kind}; "
            f"{int(incomplete.sum())} trial(s) have missing or infinite samples; "
            "load with drop_incomplete=True to drop them"
        )
    raise AssertionError("no incomplete trial found")  # callers only come here when one exists


# ---------------------------------------------------------------------------
# Metadata and walking speed.


def _read_text_table(path: Path, required: Sequence[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """A small table as text cells with its header names, plus line numbers."""
    raw = path.read_bytes()
    lines = _scan_lines(path, raw)
    _column_positions(path, lines.header, required)
    repeated = sorted({name for name in lines.header if lines.header.count(name) > 1})
    if repeated:
        raise DataFormatError(f"{path.name} has the column(s) {', '.join(repeated)} more than once in its header")
    _check_field_counts(path, lines, lambda count: f"{count} fields; the header has {len(lines.header)}")
    cells = _read_text_cells(path, raw, lines)
    cells.columns = lines.header
    return cells, lines.line_numbers


def _integer_column(path: Path, cells: pd.DataFrame, column: str, line_numbers: np.ndarray) -> np.ndarray:
    numbers = pd.to_numeric(cells[column], errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isfinite(numbers)
    bad[~bad] = numbers[~bad] != np.round(numbers[~bad])
    if bad.any():
        row = np.flatnonzero(bad)[0]
        raise DataFormatError(
            f"{path.name} line {line_numbers[row]}, column {column}: {cells[column].iat[row]!r} is not a whole-number ID"
        )
    return numbers.astype(np.int64)


def _number_column(path: Path, cells: pd.DataFrame, column: str, line_numbers: np.ndarray) -> np.ndarray:
    """Floats; missing tokens become NaN, any other non-number is an error."""
    text = cells[column].str.strip()
    numbers = pd.to_numeric(text.where(~text.isin(MISSING_TOKENS)), errors="coerce").to_numpy(dtype=np.float64)
    bad = _not_numbers(cells[column]) | np.isinf(numbers)
    if bad.any():
        row = np.flatnonzero(bad)[0]
        raise DataFormatError(
            f"{path.name} line {line_numbers[row]}, column {column}: {cells[column].iat[row]!r} is not a finite number"
        )
    return numbers


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


def _read_metadata(path: Path) -> pd.DataFrame:
    cells, line_numbers = _read_text_table(path, (*SESSION_KEY, *METADATA_NUMERIC_COLUMNS))
    reserved = [name for name in cells.columns if name in (*ID_COLUMNS[len(SESSION_KEY) :], SPEED_COLUMN, SUBJECT_SEX_COLUMN)]
    if reserved:
        raise DataFormatError(f"{path.name} has the column(s) {', '.join(reserved)}, which belong to other files")
    metadata = pd.DataFrame(index=cells.index)
    for column in cells.columns:
        if column in SESSION_KEY:
            metadata[column] = _integer_column(path, cells, column, line_numbers)
        elif column in METADATA_NUMERIC_COLUMNS:
            metadata[column] = _number_column(path, cells, column, line_numbers)
        else:
            metadata[column] = _inferred_column(cells[column])
    unknown_sex = ~(metadata["SEX"].isin(list(SEX_CODES)) | metadata["SEX"].isna())
    if unknown_sex.any():
        row = np.flatnonzero(unknown_sex.to_numpy())[0]
        raise DataFormatError(
            f"{path.name} line {line_numbers[row]}, column SEX: {cells['SEX'].iat[row]!r} is not "
            + " or ".join(f"{code} ({meaning})" for code, meaning in SEX_CODES.items())
        )
    _check_unique(path, metadata[list(SESSION_KEY)].to_numpy(), SESSION_KEY, line_numbers, "session")
    return metadata


def _read_speeds(path: Path) -> pd.DataFrame:
    cells, line_numbers = _read_text_table(path, (*ID_COLUMNS, SPEED_COLUMN))
    speeds = pd.DataFrame({column: _integer_column(path, cells, column, line_numbers) for column in ID_COLUMNS})
    speeds[SPEED_COLUMN] = _number_column(path, cells, SPEED_COLUMN, line_numbers)
    _check_unique(path, speeds[list(ID_COLUMNS)].to_numpy(), ID_COLUMNS, line_numbers, "trial")
    return speeds


def _subject_sex(metadata: pd.DataFrame) -> pd.Series:
    """Per SUBJECT_ID: the SEX of most of the subject's sessions, NaN on a tie."""
    subjects = metadata[SUBJECT_COLUMN]
    male = (metadata["SEX"] == 1).groupby(subjects).sum()
    female = (metadata["SEX"] == 0).groupby(subjects).sum()
    majority = pd.Series(np.nan, index=male.index, dtype=np.float64)
    majority[male > female] = 1.0
    majority[female > male] = 0.0
    return majority.rename(SUBJECT_SEX_COLUMN)


def _first_unmatched(merged: pd.DataFrame, columns: Sequence[str]) -> tuple[str, int]:
    unmatched = merged[merged["_merge"] == "left_only"]
    return _format_key(unmatched.iloc[0][list(columns)].to_numpy(), columns), len(unmatched)


def _trial_table(keys: np.ndarray, speeds: pd.DataFrame, metadata: pd.DataFrame) -> pd.DataFrame:
    trials = pd.DataFrame(keys, columns=list(ID_COLUMNS))
    with_speed = trials.merge(speeds, how="left", on=list(ID_COLUMNS), indicator=True, validate="one_to_one")
    if (with_speed["_merge"] == "left_only").any():
        key, count = _first_unmatched(with_speed, ID_COLUMNS)
        raise DataFormatError(f"{SPEED_FILE} has no row for trial {key} ({count} trial(s) with curves lack a speed row)")
    with_metadata = with_speed.drop(columns="_merge").merge(
        metadata, how="left", on=list(SESSION_KEY), indicator=True, validate="many_to_one"
    )
    if (with_metadata["_merge"] == "left_only").any():
        sessions = with_metadata[with_metadata["_merge"] == "left_only"].drop_duplicates(list(SESSION_KEY))
        key = _format_key(sessions.iloc[0][list(SESSION_KEY)].to_numpy(), SESSION_KEY)
        raise DataFormatError(
            f"{METADATA_FILE} has no row for session {key} ({len(sessions)} session(s) with curves lack metadata)"
        )
    table = with_metadata.drop(columns="_merge")
    table[SUBJECT_SEX_COLUMN] = table[SUBJECT_COLUMN].map(_subject_sex(metadata)).astype(np.float64)
    return table.reset_index(drop=True)


# ---------------------------------------------------------------------------
# Public entry points.


def _check_directory(directory: Path) -> None:
    if not directory.exists():
        raise DataFormatError(f"data directory {directory} does not exist")
    if not directory.is_dir():
        raise DataFormatError(f"data directory {directory} is not a directory")
    missing = [name for name in PUBLISHED_FILES if not (directory / name).is_file()]
    if missing:
        raise DataFormatError(
            f"data directory {directory} lacks {len(missing)} of the {len(PUBLISHED_FILES)} Gutenberg files: "
            + ", ".join(missing)
        )


def load(directory: str | os.PathLike[str], drop_incomplete: bool = False) -> Cohort:
    """Read and cross-check the twelve Gutenberg files in ``directory``.

    Every problem raises :class:`DataFormatError` naming the file and the line,
    key or column. Trials with a missing or infinite sample in any channel are
    an error unless ``drop_incomplete`` is true; then they are dropped, counted
    in ``Cohort.dropped_trials`` and reported with a warning.
    """
    directory = Path(directory).expanduser().resolve()
    _check_directory(directory)
    tables = [_read_curve_file(directory / CURVE_FILES[channel]) for channel in CHANNELS]
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
            stacklevel=2,
        )
        keys, curves = keys[complete], curves[complete]

    metadata = _read_metadata(directory / METADATA_FILE)
    speeds = _read_speeds(directory / SPEED_FILE)
    trials = _trial_table(keys, speeds, metadata)
    return Cohort(curves=curves, channels=CHANNELS, trials=trials, directory=directory, dropped_trials=dropped)


def describe(cohort: Cohort) -> pd.DataFrame:
    """Per channel: unit, minimum, maximum and mean over all trials and samples."""
    rows = []
    for position, channel in enumerate(cohort.channels):
        values = cohort.curves[:, position, :]
        empty = values.size == 0
        rows.append(
            {
                "channel": channel,
                "unit": CHANNEL_UNITS.get(channel, ""),
                "min": np.nan if empty else float(values.min()),
                "max": np.nan if empty else float(values.max()),
                "mean": np.nan if empty else float(values.mean()),
            }
        )
    return pd.DataFrame(rows).set_index("channel")


def _sex_disagreements(trials: pd.DataFrame) -> int:
    """Subjects whose sessions record different SEX values."""
    sessions = trials.drop_duplicates(list(SESSION_KEY))
    return int((sessions.groupby(SUBJECT_COLUMN)["SEX"].nunique() > 1).sum())


def summarize(cohort: Cohort) -> str:
    """A plain-text report of what was loaded, for ``python -m analysis data check``."""
    trials = cohort.trials
    datasets = sorted(int(value) for value in trials["DATASET_ID"].unique())
    has_speed = trials[SPEED_COLUMN].notna()
    no_speed_datasets = sorted(int(value) for value in trials.loc[~has_speed, "DATASET_ID"].unique())
    speed_line = f"walking speed: {int(has_speed.sum())} of {cohort.n_trials} trials"
    if no_speed_datasets:
        speed_line += f" (missing in DATASET_ID {', '.join(map(str, no_speed_datasets))})"
    lines = [
        f"Gutenberg cohort in {cohort.directory}",
        f"subjects: {cohort.n_subjects}",
        f"sessions: {cohort.n_sessions}",
        f"trials: {cohort.n_trials} ({cohort.dropped_trials} dropped as incomplete)",
        f"datasets: {len(datasets)} (DATASET_ID {', '.join(map(str, datasets))})",
        speed_line,
        f"subjects whose sessions disagree on SEX: {_sex_disagreements(trials)} "
        f"(SUBJECT_SEX missing for {int(trials.drop_duplicates(SUBJECT_COLUMN)[SUBJECT_SEX_COLUMN].isna().sum())} subjects)",
        "",
        "per channel over all trials and samples:",
    ]
    table = describe(cohort)
    lines.append(f"{'channel':<14}{'unit':>5}{'min':>10}{'max':>10}{'mean':>10}")
    for channel, row in table.iterrows():
        lines.append(f"{channel:<14}{row['unit']:>5}{row['min']:>10.4f}{row['max']:>10.4f}{row['mean']:>10.4f}")
    return "\n".join(lines)
