"""Who walked, when and how fast: the cohort structure of a synthetic cohort.

Either copied from the real Gutenberg metadata and walking-speed files (with
missing covariates imputed for the generator only; the files themselves are
copied byte for byte) or sampled from the published summaries.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.data.gutenberg import (
    ID_COLUMNS,
    METADATA_FILE,
    SESSION_KEY,
    SPEED_FILE,
    DataFormatError,
)
from analysis.data.synthetic.parameters import (
    GRAVITY,
    LINE_END,
    METADATA_COLUMNS,
    SPEED_COLUMN,
    STRUCTURE_COLUMNS,
    STRUCTURE_COVARIATES,
    TRIAL_COVARIATES,
    SyntheticParameters,
    stream_rng,
)

# ---------------------------------------------------------------------------
# Cohort structure: who walked, when, how fast.


@dataclass(frozen=True)
class CohortStructure:
    """Trials in output order with the covariates the generator uses."""

    trials: pd.DataFrame  # ID_COLUMNS, speed, speed_imputed, sex, age, height, body_mass, shod, *_imputed
    metadata_bytes: bytes
    speed_bytes: bytes

    @property
    def n_subjects(self) -> int:
        return int(self.trials["SUBJECT_ID"].nunique())

    @property
    def n_sessions(self) -> int:
        return len(self.trials.drop_duplicates(list(SESSION_KEY)))


def _read_raw(path: Path) -> bytes:
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} not found: a structure directory must hold the real {METADATA_FILE} and {SPEED_FILE}"
        )
    return path.read_bytes()


def _read_table(name: str, raw: bytes, required: Sequence[str]) -> pd.DataFrame:
    """Every cell as text, so that a bad cell can be reported as written."""
    try:
        table = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False, skip_blank_lines=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise DataFormatError(f"{name} could not be read as a CSV table: {error}") from None
    table.columns = [column.strip() for column in table.columns]
    missing = [column for column in required if column not in table.columns]
    if missing:
        raise DataFormatError(f"{name} lacks the column(s) {', '.join(missing)}")
    if table.empty:
        raise DataFormatError(f"{name} has a header but no data rows")
    return table


def _first_line(mask: np.ndarray | pd.Series) -> int | None:
    """File line (header = 1) of the first flagged row, or None."""
    rows = np.flatnonzero(np.asarray(mask))
    return int(rows[0]) + 2 if rows.size else None


def _numbers(name: str, table: pd.DataFrame, column: str, whole: bool = False) -> np.ndarray:
    """A column as floats (NaN where the file says NaN); any other text is an error naming the line."""
    text = table[column].str.strip()
    missing = text.isin(("NaN", "nan", ""))
    numbers = pd.to_numeric(text.where(~missing), errors="coerce").to_numpy(dtype=np.float64)
    bad = (np.isnan(numbers) & ~missing.to_numpy()) | np.isinf(numbers)
    if whole:
        bad |= np.isnan(numbers) | (numbers != np.round(numbers))
    line = _first_line(bad)
    if line is not None:
        expected = "a whole number" if whole else "a number or NaN"
        raise DataFormatError(f"{name} line {line}, column {column}: {table[column].iat[line - 2]!r} is not {expected}")
    return numbers


def _keys(name: str, table: pd.DataFrame, columns: Sequence[str], what: str) -> pd.DataFrame:
    """Whole-number key columns, each key present once."""
    keys = pd.DataFrame({column: _numbers(name, table, column, whole=True) for column in columns}).astype(np.int64)
    line = _first_line(keys.duplicated())
    if line is not None:
        raise DataFormatError(f"{name} line {line}: {what} {_key_text(keys.iloc[line - 2])} appears twice")
    return keys


def _key_text(key: pd.Series) -> str:
    return ", ".join(f"{column}={int(value)}" for column, value in key.items())


def _read_sessions(raw: bytes) -> pd.DataFrame:
    """Session keys and the covariates the generator needs, checked."""
    table = _read_table(METADATA_FILE, raw, STRUCTURE_COLUMNS)
    sessions = _keys(METADATA_FILE, table, SESSION_KEY, "session")
    for column, name in STRUCTURE_COVARIATES.items():
        sessions[name] = _numbers(METADATA_FILE, table, column)
    line = _first_line(~(sessions["sex"].isin((0.0, 1.0)) | sessions["sex"].isna()))
    if line is not None:
        raise DataFormatError(f"{METADATA_FILE} line {line}, column SEX: {table['SEX'].iat[line - 2]!r} is not 0, 1 or NaN")
    line = _first_line(sessions["body_mass"] <= 0)
    if line is not None:
        raise DataFormatError(
            f"{METADATA_FILE} line {line}, column BODY_MASS: {table['BODY_MASS'].iat[line - 2]!r} is not positive"
        )
    sessions["shod"] = (sessions["shod"].fillna(0.0) > 0).astype(np.float64)
    return sessions


def _read_trials(raw: bytes, sessions: pd.DataFrame) -> pd.DataFrame:
    """Trial keys in file order with their published speed and their session's covariates."""
    table = _read_table(SPEED_FILE, raw, (*ID_COLUMNS, SPEED_COLUMN))
    trials = _keys(SPEED_FILE, table, ID_COLUMNS, "trial")
    trials["published_speed"] = _numbers(SPEED_FILE, table, SPEED_COLUMN)
    merged = trials.merge(sessions, how="left", on=list(SESSION_KEY), indicator=True)
    line = _first_line(merged["_merge"] == "left_only")
    if line is not None:
        session = _key_text(trials.iloc[line - 2][list(SESSION_KEY)])
        raise DataFormatError(f"{SPEED_FILE} line {line}: session {session} is not in {METADATA_FILE}")
    return merged.drop(columns="_merge")


def real_cohort(like: Path, parameters: SyntheticParameters, seed: int) -> CohortStructure:
    """The real sessions and trials of ``like``, missing covariates imputed for the generator only."""
    if not like.is_dir():
        raise FileNotFoundError(f"structure directory {like} does not exist or is not a directory")
    metadata_bytes = _read_raw(like / METADATA_FILE)
    speed_bytes = _read_raw(like / SPEED_FILE)
    sessions = _impute_demographics(_read_sessions(metadata_bytes), parameters, seed)
    trials = _impute_speeds(_read_trials(speed_bytes, sessions), parameters, seed)
    return CohortStructure(trials=trials, metadata_bytes=metadata_bytes, speed_bytes=speed_bytes)


def _impute_demographics(sessions: pd.DataFrame, parameters: SyntheticParameters, seed: int) -> pd.DataFrame:
    """Fill SEX, HEIGHT, BODY_MASS, AGE: from the subject's other sessions, else from the population."""
    sessions = sessions.copy()
    by_subject = sessions.groupby("SUBJECT_ID")
    for column in ("sex", "height", "body_mass", "age"):
        sessions[f"{column}_imputed"] = sessions[column].isna().astype(np.int64)
        subject_value = by_subject[column].transform("mean")
        if column == "sex":
            subject_value = subject_value.round()
        sessions[column] = sessions[column].fillna(subject_value)
    population = _Population(parameters, stream_rng(seed, "impute"))
    sex = sessions["sex"].to_numpy().copy()
    gap = np.isnan(sex)
    sex[gap] = population.sex_given_mass(sessions["body_mass"].to_numpy()[gap])
    height = sessions["height"].to_numpy().copy()
    gap = np.isnan(height)
    height[gap] = population.height(sex[gap], sessions["body_mass"].to_numpy()[gap])
    mass = sessions["body_mass"].to_numpy().copy()
    gap = np.isnan(mass)
    mass[gap] = population.mass(sex[gap], height[gap])
    age = sessions["age"].to_numpy().copy()
    gap = np.isnan(age)
    age[gap] = population.age(int(gap.sum()))
    sessions["sex"], sessions["height"], sessions["body_mass"], sessions["age"] = sex, height, mass, age
    return sessions


class _Population:
    """Draws of healthy adults' demographics from the published summaries."""

    def __init__(self, parameters: SyntheticParameters, rng: np.random.Generator) -> None:
        self.parameters = parameters
        self.rng = rng

    def sex_given_mass(self, mass: np.ndarray) -> np.ndarray:
        """Male with the probability that a person of this mass is male (prior where mass is unknown)."""
        p = self.parameters
        male = p.male_share * _normal_density(mass, p.mass_mean_male, p.mass_sd_male)
        female = (1 - p.male_share) * _normal_density(mass, p.mass_mean_female, p.mass_sd_female)
        probability = np.where(np.isnan(mass), p.male_share, male / np.maximum(male + female, 1e-300))
        return (self.rng.random(mass.size) < probability).astype(np.float64)

    def height(self, sex: np.ndarray, mass: np.ndarray) -> np.ndarray:
        p = self.parameters
        noise = self.rng.standard_normal(sex.size)
        intercept, per_kg, male = p.height_from_mass
        from_mass = intercept + per_kg * mass + male * sex + p.height_from_mass_residual_sd * noise
        from_sex = np.where(
            sex == 1,
            p.height_mean_male + p.height_sd_male * noise,
            p.height_mean_female + p.height_sd_female * noise,
        )
        return np.round(np.where(np.isnan(mass), from_sex, from_mass))

    def mass(self, sex: np.ndarray, height: np.ndarray) -> np.ndarray:
        p = self.parameters
        noise = self.rng.standard_normal(sex.size)
        bmi = np.where(sex == 1, p.bmi_mean_male + p.bmi_sd_male * noise, p.bmi_mean_female + p.bmi_sd_female * noise)
        return np.round(bmi * (height / 100.0) ** 2, 1)

    def shoe_size(self, sex: np.ndarray, height: np.ndarray) -> np.ndarray:
        """EU size in half sizes."""
        p = self.parameters
        intercept, per_cm, male = p.shoe_size_from_height
        size = intercept + per_cm * height + male * sex + p.shoe_size_residual_sd * self.rng.standard_normal(sex.size)
        return np.round(2 * size) / 2

    def age(self, n: int) -> np.ndarray:
        p = self.parameters
        ages = p.age_median * np.exp(p.age_log_sd * self.rng.standard_normal(n))
        return np.round(np.clip(ages, *p.age_range))


def _normal_density(x: np.ndarray, mean: float, sd: float) -> np.ndarray:
    return np.exp(-0.5 * ((x - mean) / sd) ** 2) / sd


def _impute_speeds(trials: pd.DataFrame, parameters: SyntheticParameters, seed: int) -> pd.DataFrame:
    """Speed for every trial: published where present, else drawn around what the person showed.

    A missing speed is the session's observed mean plus trial noise; without
    one, the subject's observed mean plus session and trial noise; without
    that, the cohort mean plus subject, session and trial noise.
    """
    trials = trials.copy()
    rng = stream_rng(seed, "speed imputation")
    subject_index = pd.factorize(trials["SUBJECT_ID"])[0]
    session_index = trials.groupby(list(SESSION_KEY), sort=False).ngroup().to_numpy()
    subject_draw = parameters.speed_subject_sd * rng.standard_normal(subject_index.max() + 1)
    session_draw = parameters.speed_between_session_sd * rng.standard_normal(session_index.max() + 1)
    trial_draw = parameters.speed_within_session_sd * rng.standard_normal(len(trials))
    published = trials["published_speed"]
    session_mean = published.groupby(session_index).transform("mean").to_numpy()
    subject_mean = published.groupby(subject_index).transform("mean").to_numpy()
    speed = np.where(
        ~np.isnan(session_mean),
        session_mean + trial_draw,
        np.where(
            ~np.isnan(subject_mean),
            subject_mean + session_draw[session_index] + trial_draw,
            parameters.reference_speed + subject_draw[subject_index] + session_draw[session_index] + trial_draw,
        ),
    )
    missing = published.isna().to_numpy()
    trials["speed"] = np.where(missing, np.round(speed, 2), published.to_numpy())
    trials["speed_imputed"] = missing.astype(np.int64)
    return trials.drop(columns="published_speed")


def sampled_cohort(n_subjects: int, parameters: SyntheticParameters, seed: int) -> CohortStructure:
    """A cohort drawn from the published summaries, with files filled as the real ones are."""
    sessions = _sample_sessions(n_subjects, parameters, seed)
    trials = _sample_trials(sessions, parameters, seed)
    published_speed = np.where(trials["speed_imputed"] == 1, np.nan, trials["speed"])
    speeds = trials[list(ID_COLUMNS)].assign(**{SPEED_COLUMN: published_speed})
    return CohortStructure(
        trials=trials,
        metadata_bytes=table_text(_metadata_table(sessions, parameters)).encode(),
        speed_bytes=table_text(speeds).encode(),
    )


def _sample_sessions(n_subjects: int, parameters: SyntheticParameters, seed: int) -> pd.DataFrame:
    """One row per session: keys, the person's demographics, and when the session took place."""
    p = parameters
    rng = stream_rng(seed, "sessions")
    population = _Population(p, stream_rng(seed, "population"))
    dataset = np.repeat(np.arange(1, len(p.dataset_subject_counts) + 1), _allocate(n_subjects, p.dataset_subject_counts))
    sex = (rng.random(n_subjects) < p.male_share).astype(np.float64)
    height = population.height(sex, np.full(n_subjects, np.nan))
    subjects = pd.DataFrame(
        {
            "DATASET_ID": dataset,
            "SUBJECT_ID": np.arange(1, n_subjects + 1),
            "sex": sex,
            "age": population.age(n_subjects),
            "height": height,
            "body_mass": population.mass(sex, height),
            "shoe_size": population.shoe_size(sex, height),
            "first_day": rng.integers(0, 6 * 365, size=n_subjects),
            "start_second": rng.integers(8 * 3600, 18 * 3600, size=n_subjects),
        }
    )
    counts = rng.choice(
        np.arange(1, len(p.sessions_per_subject_probabilities) + 1),
        size=n_subjects,
        p=np.asarray(p.sessions_per_subject_probabilities),
    )
    sessions = subjects.loc[np.repeat(subjects.index, counts)].reset_index(drop=True)
    sessions.insert(2, "SESSION_ID", np.arange(1, len(sessions) + 1))
    sessions["readmission"] = np.concatenate([np.arange(count) for count in counts])
    sessions["body_mass"] = np.round(sessions["body_mass"] + p.session_mass_sd * rng.standard_normal(len(sessions)), 1)
    sessions["shod"] = 0.0
    stamps = (
        np.datetime64("2013-01-07T00:00:00")
        + (sessions["first_day"] + sessions["readmission"]).to_numpy().astype("timedelta64[D]")
        + (sessions["start_second"] + rng.integers(-900, 900, size=len(sessions))).to_numpy().astype("timedelta64[s]")
    )
    sessions["date"] = pd.to_datetime(stamps).strftime("%d.%m.%Y %H:%M:%S")
    sessions["hidden"] = sessions["DATASET_ID"].isin(p.missing_demographics_datasets)
    return sessions.drop(columns=["first_day", "start_second"])


def _metadata_table(sessions: pd.DataFrame, parameters: SyntheticParameters) -> pd.DataFrame:
    """The 21 metadata columns, filled as in the published file."""
    hidden = sessions["hidden"].to_numpy()
    with_shoe_size = sessions["DATASET_ID"].isin(parameters.shoe_size_datasets).to_numpy()
    return pd.DataFrame(
        {
            "DATASET_ID": sessions["DATASET_ID"],
            "SUBJECT_ID": sessions["SUBJECT_ID"],
            "SESSION_ID": sessions["SESSION_ID"],
            "CLASS_LABEL": "HC",
            "CLASS_LABEL_DETAILED": "HC",
            "SEX": np.where(hidden, np.nan, sessions["sex"]),
            "AGE": np.where(hidden, np.nan, sessions["age"]),
            "HEIGHT": np.where(hidden, np.nan, sessions["height"]),
            "BODY_WEIGHT": np.round(sessions["body_mass"] * GRAVITY, 1),
            "BODY_MASS": sessions["body_mass"],
            "SHOE_SIZE": np.where(with_shoe_size, sessions["shoe_size"], np.nan),
            "AFFECTED_SIDE": np.nan,
            "SHOD_CONDITION": 0,
            "ORTHOPEDIC_INSOLE": 0,
            "SPEED": 2,
            "READMISSION": sessions["readmission"],
            "SESSION_TYPE": np.where(sessions["readmission"] == 0, 1, 2),
            "SESSION_DATE": sessions["date"],
            "TRAIN": 1,
            "TRAIN_BALANCED": 0,
            "TEST": 0,
        },
        columns=list(METADATA_COLUMNS),
    )


def _sample_trials(sessions: pd.DataFrame, parameters: SyntheticParameters, seed: int) -> pd.DataFrame:
    """One row per trial with its speed (subject + session + trial parts) and the session's covariates."""
    p = parameters
    rng = stream_rng(seed, "trials")
    low, high = np.asarray(p.trials_per_session).T
    dataset_position = sessions["DATASET_ID"].to_numpy() - 1
    counts = rng.integers(low[dataset_position], high[dataset_position] + 1)
    subject_position = pd.factorize(sessions["SUBJECT_ID"])[0]
    subject_speed = p.reference_speed + p.speed_subject_sd * rng.standard_normal(subject_position.max() + 1)
    session_speed = subject_speed[subject_position] + p.speed_between_session_sd * rng.standard_normal(len(sessions))
    trials = sessions.loc[np.repeat(sessions.index, counts)].reset_index(drop=True)
    trials.insert(3, "TRIAL_ID", np.concatenate([np.arange(1, count + 1) for count in counts]))
    speed = np.repeat(session_speed, counts) + p.speed_within_session_sd * rng.standard_normal(len(trials))
    trials["speed"] = np.round(np.clip(speed, 0.3, 2.5), 2)
    trials["speed_imputed"] = trials["DATASET_ID"].isin(p.missing_speed_datasets).astype(np.int64)
    for column in ("sex", "age", "height"):
        trials[f"{column}_imputed"] = trials["hidden"].astype(np.int64)
    trials["body_mass_imputed"] = 0
    return trials[[*ID_COLUMNS, *TRIAL_COVARIATES]]


def _allocate(total: int, weights: Sequence[int]) -> np.ndarray:
    """``total`` split in proportion to ``weights`` by largest remainder."""
    share = total * np.asarray(weights, dtype=np.float64) / float(sum(weights))
    counts = np.floor(share).astype(np.int64)
    order = np.argsort(-(share - counts), kind="stable")
    counts[order[: total - counts.sum()]] += 1
    return counts


def format_cell(value: object) -> str:
    if isinstance(value, str):
        return value
    number = float(value)
    if math.isnan(number):
        return "NaN"
    return f"{number:.10g}"


def table_text(table: pd.DataFrame) -> str:
    """A small table as the published files write it: shortest numbers, literal NaN, CRLF."""
    lines = [",".join(table.columns)]
    for row in table.itertuples(index=False):
        lines.append(",".join(format_cell(value) for value in row))
    return LINE_END.join(lines) + LINE_END
