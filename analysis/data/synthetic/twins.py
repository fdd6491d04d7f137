"""Counterfactual twins: the same people, sessions, trials and random draws, with one thing changed.

The generator draws every random number from a stream keyed by seed and
purpose whose shape depends only on the cohort structure, never on a
covariate's value. Generating the same cohort again with, say, every speed
times 1.1 therefore gives the same person with the same signature, the same
session and trial noise and the same style, walking faster: a ground truth
that no recorded data set has. :func:`counterfactual` returns both versions
and what changed in the generative factors of every trial.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.data.gutenberg import CHANNELS, ID_COLUMNS, METADATA_FILE, SESSION_KEY, SPEED_FILE
from analysis.data.synthetic.cohort import CohortStructure, format_cell
from analysis.data.synthetic.curves import LandmarkEdits, generate
from analysis.data.synthetic.parameters import (
    COP_DECIMALS,
    FORCE_DECIMALS,
    GRAVITY,
    SPEED_COLUMN,
    SyntheticParameters,
)
from analysis.data.synthetic.writer import build_cohort, checked_out, checked_seed, write_cohort

# Documented ranges of a change (the twin should stay a healthy adult walking in a lab).
FACTOR_RANGE: tuple[float, float] = (0.75, 1.25)  # speed and body-mass factors
VALUE_EDIT_LIMIT_SDS = 5.0  # a landmark value may move by at most this many between-subject SDs
TIME_EDIT_LIMIT = 10.0  # % stance, for a landmark's timing


@dataclass(frozen=True)
class Counterfactual:
    """A cohort and its twin, trial by trial, as the files hold them (rounded to file precision).

    ``original`` and ``twin`` are ``(n_trials, 10, 101)`` in ``channels``
    order, rows as in ``trials``. ``truth_change`` has the trial key and,
    for every column of the ground-truth file, twin minus original: zero
    wherever the change did not reach.
    """

    channels: tuple[str, ...]
    trials: pd.DataFrame  # ID columns, speed, twin_speed, body_mass, twin_body_mass
    original: np.ndarray
    twin: np.ndarray
    truth_change: pd.DataFrame
    out: Path | None = None

    @property
    def curve_change(self) -> np.ndarray:
        """Twin minus original, (n_trials, 10, 101)."""
        return self.twin - self.original

    def changed_columns(self) -> list[str]:
        """Ground-truth columns that differ in at least one trial."""
        values = self.truth_change.drop(columns=list(ID_COLUMNS))
        return [column for column in values.columns if (values[column].to_numpy() != 0).any()]


# ---------------------------------------------------------------------------
# Checking what to change.


def _subject_ids(cohort: CohortStructure) -> np.ndarray:
    return np.unique(cohort.trials["SUBJECT_ID"].to_numpy())


def _describe_subjects(ids: np.ndarray) -> str:
    return f"the cohort's {ids.size} SUBJECT_IDs ({int(ids.min())}–{int(ids.max())})"


def _checked_subjects(subjects: Sequence[int] | None, cohort: CohortStructure) -> np.ndarray:
    """A per-trial mask of the trials a change applies to (all when ``subjects`` is None)."""
    trial_subjects = cohort.trials["SUBJECT_ID"].to_numpy()
    if subjects is None:
        return np.ones(trial_subjects.size, dtype=bool)
    if isinstance(subjects, (str, bytes)) or not isinstance(subjects, Sequence | np.ndarray):
        raise ValueError(f"subjects must be a list of SUBJECT_IDs, got {subjects!r}")
    ids = _subject_ids(cohort)
    unknown = [subject for subject in subjects if subject not in set(ids.tolist())]
    if unknown or len(subjects) == 0:
        shown = unknown[0] if unknown else "an empty list"
        raise ValueError(f"subjects: {shown!r} is not in the cohort; allowed: {_describe_subjects(ids)}")
    return np.isin(trial_subjects, np.asarray(subjects))


def _checked_factor(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or not math.isfinite(value):
        raise ValueError(f"{name}: {value!r} is not a number; allowed: a factor in [{FACTOR_RANGE[0]}, {FACTOR_RANGE[1]}]")
    if not FACTOR_RANGE[0] <= float(value) <= FACTOR_RANGE[1]:
        raise ValueError(f"{name}: factor {value!r} is outside the allowed range [{FACTOR_RANGE[0]}, {FACTOR_RANGE[1]}]")
    return float(value)


def _factors(
    name: str, factor: object, cohort: CohortStructure, selected: np.ndarray, per_trial: bool
) -> np.ndarray:
    """One factor per trial from a single factor, a {SUBJECT_ID: factor} mapping or (speed) one per trial."""
    n = len(cohort.trials)
    if factor is None:
        return np.ones(n)
    if isinstance(factor, Mapping):
        if not selected.all():
            raise ValueError(f"{name}: a mapping names its subjects itself; leave subjects unset")
        ids = set(_subject_ids(cohort).tolist())
        result = np.ones(n)
        trial_subjects = cohort.trials["SUBJECT_ID"].to_numpy()
        for subject, value in factor.items():
            if subject not in ids:
                raise ValueError(f"{name}: SUBJECT_ID {subject!r} is not in the cohort; allowed: {_describe_subjects(_subject_ids(cohort))}")
            result[trial_subjects == subject] = _checked_factor(f"{name} for SUBJECT_ID {subject}", value)
        return result
    if isinstance(factor, Sequence | np.ndarray) and not isinstance(factor, (str, bytes)):
        if not per_trial:
            raise ValueError(f"{name}: allowed are one factor or a {{SUBJECT_ID: factor}} mapping, got a sequence")
        values = list(factor)
        if len(values) != n:
            raise ValueError(f"{name}: per-trial factors need one per trial ({n}), got {len(values)}")
        if not selected.all():
            raise ValueError(f"{name}: per-trial factors name their trials themselves; leave subjects unset")
        return np.array([_checked_factor(f"{name} of trial {position}", value) for position, value in enumerate(values)])
    single = _checked_factor(name, factor)
    return np.where(selected, single, 1.0)


def editable_landmarks(parameters: SyntheticParameters) -> dict[str, float]:
    """Every name :func:`counterfactual` accepts in ``landmark_edits``, with the largest shift allowed.

    ``"<component>.<landmark>"`` shifts a landmark's value (BW for forces, a
    fraction of the length or range for COP knots, metres for the COP
    ``length`` and ``range``), at most ``VALUE_EDIT_LIMIT_SDS`` of its
    between-subject SDs; ``"<component>.<landmark>.time"`` shifts its timing
    in % stance, at most ``TIME_EDIT_LIMIT``. Only landmarks that vary
    between people are editable.
    """
    allowed: dict[str, float] = {}
    for model in parameters.components:
        for landmark in (*model.landmarks, *((model.scale,) if model.scale is not None else ())):
            if landmark.between_sd > 0:
                allowed[f"{model.component}.{landmark.name}"] = VALUE_EDIT_LIMIT_SDS * landmark.between_sd
            if landmark is not model.scale and (landmark.time_between_sd > 0 or landmark.time_within_sd > 0):
                allowed[f"{model.component}.{landmark.name}.time"] = TIME_EDIT_LIMIT
    return allowed


def _edits(
    landmark_edits: Mapping[str, float] | None, parameters: SyntheticParameters, selected: np.ndarray
) -> LandmarkEdits:
    if landmark_edits is None:
        return {}
    if not isinstance(landmark_edits, Mapping):
        raise ValueError(f"landmark_edits must map landmark names to shifts, got {landmark_edits!r}")
    allowed = editable_landmarks(parameters)
    edits: LandmarkEdits = {}
    for name, shift in landmark_edits.items():
        if name not in allowed:
            raise ValueError(f"landmark_edits: unknown landmark {name!r}; allowed: {', '.join(allowed)}")
        if isinstance(shift, bool) or not isinstance(shift, (int, float, np.integer, np.floating)) or not math.isfinite(shift):
            raise ValueError(f"landmark_edits: the shift of {name} must be a finite number, got {shift!r}")
        if abs(shift) > allowed[name]:
            raise ValueError(f"landmark_edits: the shift of {name} by {shift!r} is outside the allowed range ±{allowed[name]:.4g}")
        component, landmark, *timing = name.split(".")
        edits[(component, landmark, "time" if timing else "value")] = np.where(selected, float(shift), 0.0)
    return edits


# ---------------------------------------------------------------------------
# The twin's files.


def _edited_table(raw: bytes, name: str, key_columns: Sequence[str], cells: dict[tuple[int, ...], dict[str, str]]) -> bytes:
    """``raw`` with the named cells of the rows whose key is in ``cells`` replaced; every other byte kept."""
    if not cells:
        return raw
    lines = raw.splitlines(keepends=True)
    header = [column.strip() for column in lines[0].decode("utf-8-sig").rstrip("\r\n").split(",")]
    positions = [header.index(column) for column in key_columns]
    edited, found = [lines[0]], set()
    for line in lines[1:]:
        text = line.decode()
        body = text.rstrip("\r\n")
        fields = body.split(",")
        if len(fields) == len(header):
            key = tuple(int(float(fields[position])) for position in positions)
            if key in cells:
                found.add(key)
                for column, value in cells[key].items():
                    fields[header.index(column)] = value
        edited.append((",".join(fields) + text[len(body) :]).encode())
    if len(found) != len(cells):
        raise RuntimeError(f"{name} does not list {len(cells) - len(found)} of the rows whose cells changed")
    return b"".join(edited)


def _text_table(raw: bytes) -> pd.DataFrame:
    table = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False)
    table.columns = [column.strip() for column in table.columns]
    return table


def _has_value(table: pd.DataFrame, key_columns: Sequence[str], column: str) -> dict[tuple[int, ...], bool]:
    """Per row key, whether the file gives ``column`` a value (a twin's file keeps a missing value missing)."""
    keys = table[list(key_columns)].astype(float).astype(int).itertuples(index=False, name=None)
    present = ~table[column].str.strip().isin(("NaN", "nan", "")).to_numpy()
    return dict(zip(keys, present))


def _twin_cohort(cohort: CohortStructure, speed: np.ndarray, mass: np.ndarray) -> CohortStructure:
    """The cohort with the twin's speeds and masses, in the generator's table and in the two files."""
    trials = cohort.trials.copy()
    changed_speed, changed_mass = speed != 1.0, mass != 1.0
    trials.loc[changed_speed, "speed"] = np.round(trials.loc[changed_speed, "speed"].to_numpy() * speed[changed_speed], 2)
    trials.loc[changed_mass, "body_mass"] = np.round(trials.loc[changed_mass, "body_mass"].to_numpy() * mass[changed_mass], 1)

    published_speed = _has_value(_text_table(cohort.speed_bytes), ID_COLUMNS, SPEED_COLUMN)
    speed_cells: dict[tuple[int, ...], dict[str, str]] = {}
    for row in trials.loc[changed_speed].itertuples(index=False):
        key = tuple(int(getattr(row, column)) for column in ID_COLUMNS)
        if published_speed.get(key, False):
            speed_cells[key] = {SPEED_COLUMN: format_cell(row.speed)}

    metadata = _text_table(cohort.metadata_bytes)
    published_mass = _has_value(metadata, SESSION_KEY, "BODY_MASS")
    metadata_cells: dict[tuple[int, ...], dict[str, str]] = {}
    for row in trials.loc[changed_mass].drop_duplicates(list(SESSION_KEY)).itertuples(index=False):
        key = tuple(int(getattr(row, column)) for column in SESSION_KEY)
        if published_mass.get(key, False):
            metadata_cells[key] = {"BODY_MASS": format_cell(row.body_mass)}
            if "BODY_WEIGHT" in metadata.columns:  # BODY_WEIGHT = BODY_MASS x 9.81 N, one decimal (V)
                metadata_cells[key]["BODY_WEIGHT"] = format_cell(round(row.body_mass * GRAVITY, 1))
    return replace(
        cohort,
        trials=trials,
        metadata_bytes=_edited_table(cohort.metadata_bytes, METADATA_FILE, SESSION_KEY, metadata_cells),
        speed_bytes=_edited_table(cohort.speed_bytes, SPEED_FILE, ID_COLUMNS, speed_cells),
    )


def _as_written(channels: dict[str, np.ndarray]) -> np.ndarray:
    """Curves (n, 10, 101) in CHANNELS order, rounded as the curve files write them."""
    rounded = [
        np.round(channels[channel], COP_DECIMALS if channel.startswith("COP") else FORCE_DECIMALS) + 0.0 for channel in CHANNELS
    ]
    return np.stack(rounded, axis=1)


# ---------------------------------------------------------------------------
# Entry point.


def counterfactual(
    out: str | os.PathLike[str] | None = None,
    like: str | os.PathLike[str] | None = None,
    seed: int = 0,
    parameters: SyntheticParameters | None = None,
    n_subjects: int | None = None,
    *,
    speed_factor: float | Mapping[int, float] | Sequence[float] | np.ndarray | None = None,
    mass_factor: float | Mapping[int, float] | None = None,
    landmark_edits: Mapping[str, float] | None = None,
    subjects: Sequence[int] | None = None,
) -> Counterfactual:
    """The cohort :func:`~analysis.data.synthetic.synthesize` makes, and its twin with the given changes.

    ``like``, ``seed``, ``parameters`` and ``n_subjects`` mean what they mean
    for ``synthesize``. Changes: ``speed_factor`` multiplies walking speed
    (one factor, ``{SUBJECT_ID: factor}`` or one factor per trial),
    ``mass_factor`` body mass (one factor or per subject), both within
    :data:`FACTOR_RANGE`; ``landmark_edits`` shifts landmarks by name (see
    :func:`editable_landmarks`). ``subjects`` limits a single factor and the
    edits to these SUBJECT_IDs. Speeds and masses are rounded as the files
    write them (0.01 m/s, 0.1 kg) and the twin's speed and metadata files
    carry them where the original files have a value. With ``out``, the
    twin is written there like a synthesized cohort; with no change its files
    are byte-identical to ``synthesize``'s. Every argument is checked before
    anything is generated or written: a bad one raises ValueError naming it
    and what is allowed, and ``out`` is left untouched.
    """
    seed = checked_seed(seed)
    parameters = parameters if parameters is not None else SyntheticParameters()
    target = checked_out(out) if out is not None else None
    cohort = build_cohort(like, seed, parameters, n_subjects)
    selected = _checked_subjects(subjects, cohort)
    speed = _factors("speed_factor", speed_factor, cohort, selected, per_trial=True)
    mass = _factors("mass_factor", mass_factor, cohort, selected, per_trial=False)
    edits = _edits(landmark_edits, parameters, selected)

    twin_cohort = _twin_cohort(cohort, speed, mass)
    original_channels, original_truth = generate(cohort, parameters, seed)
    twin_channels, twin_truth = generate(twin_cohort, parameters, seed, edits or None)
    if target is not None:
        write_cohort(target, twin_cohort, twin_channels, twin_truth)

    keys = list(ID_COLUMNS)
    change = twin_truth.drop(columns=keys) - original_truth.drop(columns=keys)
    trials = cohort.trials[keys].assign(
        speed=cohort.trials["speed"].to_numpy(),
        twin_speed=twin_cohort.trials["speed"].to_numpy(),
        body_mass=cohort.trials["body_mass"].to_numpy(),
        twin_body_mass=twin_cohort.trials["body_mass"].to_numpy(),
    )
    return Counterfactual(
        channels=CHANNELS,
        trials=trials.reset_index(drop=True),
        original=_as_written(original_channels),
        twin=_as_written(twin_channels),
        truth_change=pd.concat([original_truth[keys], change], axis=1).reset_index(drop=True),
        out=target,
    )
