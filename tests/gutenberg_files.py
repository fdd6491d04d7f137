"""Write tiny directories in the exact Gutenberg "PRO" format, and damage them.

Tests build their inputs here instead of shipping data files: every cohort
is generated from a seed, written with the published header layout, ``NaN``
for missing values and CRLF line endings (or LF on request). Each curve file
lists its rows in its own random order, so a loader that relies on row order
instead of the trial key gives wrong curves.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.data import CHANNELS, CURVE_FILES, ID_COLUMNS, METADATA_FILE, N_SAMPLES, SPEED_FILE

METADATA_COLUMNS: tuple[str, ...] = (
    "DATASET_ID", "SUBJECT_ID", "SESSION_ID", "CLASS_LABEL", "CLASS_LABEL_DETAILED", "SEX", "AGE",
    "HEIGHT", "BODY_WEIGHT", "BODY_MASS", "SHOE_SIZE", "AFFECTED_SIDE", "SHOD_CONDITION",
    "ORTHOPEDIC_INSOLE", "SPEED", "READMISSION", "SESSION_TYPE", "SESSION_DATE", "TRAIN",
    "TRAIN_BALANCED", "TEST",
)  # fmt: skip
STANCE = np.linspace(0.0, 1.0, N_SAMPLES)


def sample_names(channel: str) -> list[str]:
    """Value column names as the published files spell them, e.g. F_V_PRO_1."""
    component = channel.rsplit("_", 1)[0]
    return [f"{component}_PRO_{sample}" for sample in range(1, N_SAMPLES + 1)]


def trial_keys(n_subjects: int, sessions_per_subject: int, trials_per_session: int) -> pd.DataFrame:
    """Keys numbered like the database: SUBJECT_ID and SESSION_ID run over all datasets."""
    rows = []
    session_id = 0
    for subject in range(n_subjects):
        for _ in range(sessions_per_subject):
            session_id += 1
            for trial in range(1, trials_per_session + 1):
                rows.append((1 + subject % 2, subject + 1, session_id, trial))
    return pd.DataFrame(rows, columns=list(ID_COLUMNS))


def template_curves(scale: np.ndarray) -> np.ndarray:
    """Smooth stance-phase shapes (trials, 10 channels, 101) in BW and metres."""
    scale = np.asarray(scale, dtype=np.float64)[:, None]
    t = STANCE[None, :]
    vertical = scale * (1.05 * np.sin(np.pi * t) + 0.25 * np.sin(3 * np.pi * t))
    anterior_posterior = scale * (-0.2 * np.sin(2 * np.pi * t))
    medio_lateral = scale * (0.05 * np.sin(np.pi * t)) - 0.04 * np.exp(-(((t - 0.04) / 0.02) ** 2))
    cop_anterior_posterior = 0.23 * scale * t
    cop_medio_lateral = 0.015 * scale * np.sin(2 * np.pi * t)
    by_component = [vertical, anterior_posterior, medio_lateral, cop_anterior_posterior, cop_medio_lateral]
    side_factor = (1.0, 0.98)
    return np.stack(
        [component * factor for component in by_component for factor in side_factor], axis=1
    )


def _format_rows(keys: pd.DataFrame, values: np.ndarray) -> list[str]:
    key_text = keys[list(ID_COLUMNS)].astype(str).agg(",".join, axis=1).tolist()
    return [
        key + "," + ",".join("NaN" if np.isnan(value) else f"{value:.6f}" for value in row)
        for key, row in zip(key_text, values)
    ]


def _write_lines(path: Path, lines: Sequence[str], line_ending: str) -> None:
    path.write_bytes((line_ending.join(lines) + line_ending).encode())


def write_curve_file(
    path: Path, channel: str, keys: pd.DataFrame, values: np.ndarray, line_ending: str = "\r\n"
) -> None:
    """One curve file: header, then one row per trial in the order given."""
    header = ",".join([*ID_COLUMNS, *sample_names(channel)])
    _write_lines(path, [header, *_format_rows(keys, values)], line_ending)


def write_table(path: Path, table: pd.DataFrame, line_ending: str = "\r\n") -> None:
    """Metadata or speed table with ``NaN`` for missing cells."""
    text = table.to_csv(index=False, na_rep="NaN", lineterminator=line_ending)
    path.write_bytes(text.encode())


def metadata_rows(keys: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    sessions = keys[["DATASET_ID", "SUBJECT_ID", "SESSION_ID"]].drop_duplicates().reset_index(drop=True)
    subjects = sessions["SUBJECT_ID"].to_numpy()
    first_session = ~sessions["SUBJECT_ID"].duplicated()
    mass = np.round(60 + 25 * rng.random(subjects.max() + 1), 1)[subjects]
    table = sessions.assign(
        CLASS_LABEL="HC",
        CLASS_LABEL_DETAILED="HC",
        SEX=(subjects % 2).astype(np.int64),
        AGE=(20 + subjects % 40).astype(np.int64),
        HEIGHT=(160 + (subjects * 7) % 35).astype(np.int64),
        BODY_WEIGHT=np.round(mass * 9.81, 1),
        BODY_MASS=mass,
        SHOE_SIZE=np.where(subjects % 3 == 0, np.nan, 38 + subjects % 8),
        AFFECTED_SIDE=np.nan,
        SHOD_CONDITION=0,
        ORTHOPEDIC_INSOLE=0,
        SPEED=2,
        READMISSION=sessions.groupby("SUBJECT_ID").cumcount(),
        SESSION_TYPE=np.where(first_session, 1, 2),
        SESSION_DATE=[f"{12 + index % 15:02d}.05.2014 10:{index % 60:02d}:04" for index in range(len(sessions))],
        TRAIN=1,
        TRAIN_BALANCED=0,
        TEST=0,
    )
    return table[list(METADATA_COLUMNS)]


def write_cohort(
    directory: Path,
    n_subjects: int = 3,
    sessions_per_subject: int = 2,
    trials_per_session: int = 3,
    seed: int = 0,
    line_ending: str = "\r\n",
) -> pd.DataFrame:
    """Write all twelve files of a small valid cohort; return its trial keys (sorted)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    keys = trial_keys(n_subjects, sessions_per_subject, trials_per_session)
    curves = template_curves(1.0 + 0.05 * rng.standard_normal(len(keys)))
    curves = curves + 0.002 * rng.standard_normal(curves.shape)
    for position, channel in enumerate(CHANNELS):
        order = rng.permutation(len(keys))
        write_curve_file(
            directory / CURVE_FILES[channel], channel, keys.iloc[order], curves[order, position], line_ending
        )
    write_table(directory / METADATA_FILE, metadata_rows(keys, rng), line_ending)
    speeds = keys.assign(WALKING_SPEED=np.round(1.48 + 0.15 * rng.standard_normal(len(keys)), 2))
    write_table(directory / SPEED_FILE, speeds, line_ending)
    return keys


def write_template_curve_files(directory: Path, keys: pd.DataFrame, n_templates: int = 8, line_ending: str = "\r\n") -> None:
    """Curve files for many trials, fast: each row reuses one of a few formatted curves."""
    directory = Path(directory)
    templates = template_curves(np.linspace(0.9, 1.1, n_templates))
    key_text = keys[list(ID_COLUMNS)].astype(str).agg(",".join, axis=1).to_numpy(dtype=object)
    choice = np.arange(len(keys)) % n_templates
    for position, channel in enumerate(CHANNELS):
        template_text = np.array(
            ["," + ",".join(f"{value:.6f}" for value in row) for row in templates[:, position]], dtype=object
        )
        header = ",".join([*ID_COLUMNS, *sample_names(channel)])
        _write_lines(directory / CURVE_FILES[channel], [header, *(key_text + template_text[choice])], line_ending)


# ---------------------------------------------------------------------------
# Damaging a file, line by line (line 1 is the header).


def _split(path: Path) -> tuple[list[str], str]:
    text = path.read_bytes().decode()
    line_ending = "\r\n" if "\r\n" in text else "\n"
    return text.split(line_ending)[:-1], line_ending


def read_line(path: Path, line_number: int) -> str:
    lines, _ = _split(path)
    return lines[line_number - 1]


def rewrite_line(path: Path, line_number: int, new_text: str) -> None:
    lines, line_ending = _split(path)
    lines[line_number - 1] = new_text
    _write_lines(path, lines, line_ending)


def delete_line(path: Path, line_number: int) -> None:
    lines, line_ending = _split(path)
    del lines[line_number - 1]
    _write_lines(path, lines, line_ending)


def replace_field(path: Path, line_number: int, position: int, text: str) -> str:
    """Set the field at 0-based ``position`` of a line; return the old text."""
    fields = read_line(path, line_number).split(",")
    old, fields[position] = fields[position], text
    rewrite_line(path, line_number, ",".join(fields))
    return old


def line_of_trial(path: Path, key: Sequence[int], n_key_columns: int = len(ID_COLUMNS)) -> int:
    """The 1-based line whose leading ID fields equal ``key``."""
    wanted = [str(int(value)) for value in key]
    lines, _ = _split(path)
    for number, line in enumerate(lines[1:], start=2):
        if line.split(",")[:n_key_columns] == wanted:
            return number
    raise LookupError(f"{path.name} has no line for key {wanted}")
