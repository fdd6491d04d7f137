"""Write tiny directories in the exact GaitRec "PRO" format.

Like :mod:`gutenberg_files`, but as GaitRec publishes them: curve files keyed
by SUBJECT_ID, SESSION_ID, TRIAL_ID (no DATASET_ID), value columns named
``F_V_PRO_1`` ..., ``NaN`` for missing values, CRLF line endings, and the
20-column session metadata with class labels, detailed labels and the
affected side; no walking-speed file. Each curve file lists its rows in its
own random order. Damage them with the line helpers of :mod:`gutenberg_files`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.data import CHANNELS, CURVE_FILES, METADATA_FILE
from analysis.data.gaitrec import ID_COLUMNS, PUBLISHED_FILES, SESSION_KEY

from gutenberg_files import sample_names, template_curves, write_table

METADATA_COLUMNS: tuple[str, ...] = (
    "SUBJECT_ID", "SESSION_ID", "CLASS_LABEL", "CLASS_LABEL_DETAILED", "SEX", "AGE", "HEIGHT", "BODY_WEIGHT",
    "BODY_MASS", "SHOE_SIZE", "AFFECTED_SIDE", "SHOD_CONDITION", "ORTHOPEDIC_INSOLE", "SPEED", "READMISSION",
    "SESSION_TYPE", "SESSION_DATE", "TRAIN", "TRAIN_BALANCED", "TEST",
)  # fmt: skip
# Subject i (1-based) has class CLASSES[(i - 1) % 5]: every class appears in a cohort of five subjects.
CLASSES: tuple[str, ...] = ("HC", "H", "K", "A", "C")
DETAILED: dict[str, str] = {"HC": "HC", "H": "H_P", "K": "K_R", "A": "A_F", "C": "C_F"}


def trial_keys(n_subjects: int, sessions_per_subject: int, trials_per_session: int) -> pd.DataFrame:
    """Keys numbered like GaitRec: SESSION_ID unique over the database, large and not consecutive."""
    rows = []
    for subject in range(1, n_subjects + 1):
        for session in range(sessions_per_subject):
            session_id = 29000 + 37 * subject + session
            for trial in range(1, trials_per_session + 1):
                rows.append((subject, session_id, trial))
    return pd.DataFrame(rows, columns=list(ID_COLUMNS))


def metadata_rows(keys: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """One row per session: class by subject, a side for every patient, none for controls."""
    sessions = keys[list(SESSION_KEY)].drop_duplicates().reset_index(drop=True)
    subjects = sessions["SUBJECT_ID"].to_numpy()
    labels = np.array([CLASSES[(subject - 1) % len(CLASSES)] for subject in subjects])
    healthy = labels == "HC"
    mass = np.round(60 + 30 * rng.random(subjects.max() + 1), 1)[subjects]
    table = sessions.assign(
        CLASS_LABEL=labels,
        CLASS_LABEL_DETAILED=[DETAILED[label] for label in labels],
        SEX=(subjects % 2).astype(np.int64),
        AGE=(25 + subjects % 40).astype(np.int64),
        HEIGHT=np.where(subjects % 4 == 0, np.nan, 165 + subjects % 30),
        BODY_WEIGHT=np.round(mass * 9.81, 1),
        BODY_MASS=mass,
        SHOE_SIZE=np.where(subjects % 3 == 0, np.nan, 38 + subjects % 8),
        AFFECTED_SIDE=np.where(healthy, np.nan, subjects % 3),
        SHOD_CONDITION=1,
        ORTHOPEDIC_INSOLE=np.where(healthy, np.nan, 0),
        SPEED=2,
        READMISSION=0,
        SESSION_TYPE=np.where(healthy, 1, 2),
        SESSION_DATE=[f"{1 + index % 28:02d}.03.2016" for index in range(len(sessions))],
        TRAIN=1,
        TRAIN_BALANCED=0,
        TEST=0,
    )
    return table[list(METADATA_COLUMNS)]


def _curve_lines(channel: str, keys: pd.DataFrame, values: np.ndarray) -> list[str]:
    key_text = keys[list(ID_COLUMNS)].astype(str).agg(",".join, axis=1).tolist()
    rows = [
        key + "," + ",".join("NaN" if np.isnan(value) else f"{value:.6f}" for value in row)
        for key, row in zip(key_text, values)
    ]
    return [",".join([*ID_COLUMNS, *sample_names(channel)]), *rows]


def write_cohort(
    directory: Path,
    n_subjects: int = 5,
    sessions_per_subject: int = 2,
    trials_per_session: int = 2,
    seed: int = 0,
    line_ending: str = "\r\n",
) -> pd.DataFrame:
    """Write the eleven files of a small valid GaitRec cohort; return its trial keys (sorted)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    keys = trial_keys(n_subjects, sessions_per_subject, trials_per_session)
    curves = template_curves(1.0 + 0.05 * rng.standard_normal(len(keys)))
    curves = curves + 0.002 * rng.standard_normal(curves.shape)
    for position, channel in enumerate(CHANNELS):
        order = rng.permutation(len(keys))
        lines = _curve_lines(channel, keys.iloc[order], curves[order, position])
        (directory / CURVE_FILES[channel]).write_bytes((line_ending.join(lines) + line_ending).encode())
    write_table(directory / METADATA_FILE, metadata_rows(keys, rng), line_ending)
    return keys


def write_template_curve_files(directory: Path, keys: pd.DataFrame, n_templates: int = 8) -> None:
    """Curve files for many trials, fast: each row reuses one of a few formatted curves (CRLF)."""
    templates = template_curves(np.linspace(0.9, 1.1, n_templates))
    key_text = keys[list(ID_COLUMNS)].astype(str).agg(",".join, axis=1).to_numpy(dtype=object)
    choice = np.arange(len(keys)) % n_templates
    for position, channel in enumerate(CHANNELS):
        template_text = np.array(
            ["," + ",".join(f"{value:.6f}" for value in row) for row in templates[:, position]], dtype=object
        )
        header = ",".join([*ID_COLUMNS, *sample_names(channel)])
        lines = [header, *(key_text + template_text[choice])]
        (Path(directory) / CURVE_FILES[channel]).write_bytes(("\r\n".join(lines) + "\r\n").encode())


def file_bodies(n_subjects: int = 5, seed: int = 0, workspace: Path | None = None) -> dict[str, bytes]:
    """The bytes of every file of a valid GaitRec cohort, for the fake figshare server."""
    import tempfile

    with tempfile.TemporaryDirectory(dir=workspace) as scratch:
        write_cohort(Path(scratch), n_subjects=n_subjects, seed=seed)
        return {name: (Path(scratch) / name).read_bytes() for name in PUBLISHED_FILES}
