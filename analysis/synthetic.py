"""A synthetic cohort in the Gutenberg Gait Database format.

The real curve files cannot always be obtained, so the book can run on a
stand-in whose files are indistinguishable in format from the published ones
and whose curves follow what is known about healthy walking. Every number
below is a field of :class:`SyntheticParameters`, labelled in comments and in
the book page ``synthetic_model.md`` as V (verified in a primary source),
D (derived from real published data) or U (an assumption).

Generative model, per trial ``i`` of subject ``s`` in session ``e``, side
``k`` (left = +1, right = -1) and knot ``j`` of a channel template::

    value[i,k,j] = (mu_j + beta_j . (x_i - x_ref) + u_sj + v_ej
                    + g(speed_i) * eps_ikj) * (1 + k * a_sj / 2)
    time[i,k,j]  = tau_j + u'_sj + v'_ej + eps'_ikj

* ``mu_j, tau_j``: landmark amplitude and timing (% stance) at the
  reference covariates; ``x`` = (walking speed, age, body mass, height,
  sex, shod), ``beta_j`` their slopes.
* ``u`` (subject), ``v`` (session, nested in subject) and ``eps`` (trial):
  independent normal effects. The published between-subject SD of a
  landmark is split into the part the covariates explain and a residual
  subject signature, ``sd_u = sqrt(sd_between^2 - sum((beta * sd_x)^2))``;
  the within-subject SD into a speed part, a session part and trial noise.
* ``g(speed) = 1 + gain * (speed - reference speed)``: trial-to-trial
  variability grows with speed.
* ``a_sj``: the subject's left-right symmetry index of that landmark.

Between two landmarks, shape knots fix the curve's course: a knot at a
given fraction of the time between them takes a given fraction of the way
between their values. A monotone piecewise cubic (PCHIP) through all knots
gives a smooth curve whose extrema lie exactly on the landmarks, sampled at
0, 1, ..., 100 % stance; low-pass (Gaussian-smoothed) noise is added last.
Centre-of-pressure templates are fractions of a per-trial length (AP) or
range (ML), which are modelled like landmarks.
"""

from __future__ import annotations

import io
import math
import os
import shutil
import tempfile
import time
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.ndimage import gaussian_filter1d

from analysis.data import (
    COMPONENTS,
    CURVE_FILES,
    ID_COLUMNS,
    METADATA_FILE,
    N_SAMPLES,
    SESSION_KEY,
    SIDES,
    SPEED_FILE,
    DataFormatError,
)

GENERATOR_VERSION = "1.0.0"
GROUND_TRUTH_FILE = "synthetic_ground_truth.csv"

METADATA_COLUMNS: tuple[str, ...] = (
    "DATASET_ID", "SUBJECT_ID", "SESSION_ID", "CLASS_LABEL", "CLASS_LABEL_DETAILED", "SEX", "AGE", "HEIGHT",
    "BODY_WEIGHT", "BODY_MASS", "SHOE_SIZE", "AFFECTED_SIDE", "SHOD_CONDITION", "ORTHOPEDIC_INSOLE", "SPEED",
    "READMISSION", "SESSION_TYPE", "SESSION_DATE", "TRAIN", "TRAIN_BALANCED", "TEST",
)
SPEED_COLUMN = "WALKING_SPEED"
# Metadata columns the generator reads from a real structure directory.
STRUCTURE_COVARIATES: dict[str, str] = {
    "SEX": "sex", "AGE": "age", "HEIGHT": "height", "BODY_MASS": "body_mass", "SHOD_CONDITION": "shod",
}
STRUCTURE_COLUMNS: tuple[str, ...] = (*SESSION_KEY, *STRUCTURE_COVARIATES)
# What the generator knows about each trial (published or imputed).
TRIAL_COVARIATES: tuple[str, ...] = (
    "speed", "speed_imputed", "sex", "sex_imputed", "age", "age_imputed", "height", "height_imputed",
    "body_mass", "body_mass_imputed", "shod",
)
STANCE_PERCENT = np.linspace(0.0, 100.0, N_SAMPLES)
GRAVITY = 9.81  # m/s^2, as in BODY_WEIGHT = BODY_MASS * 9.81 (V)
LINE_END = "\r\n"
FORCE_DECIMALS = 6  # 1e-6 BW
COP_DECIMALS = 6  # 1e-6 m
SIDE_SIGNS = np.array([1.0, -1.0])  # left, right: sign of the symmetry index share


# ---------------------------------------------------------------------------
# Parameters.


@dataclass(frozen=True)
class Landmark:
    """One knot of a channel template: where it lies, how it varies, what moves it.

    SDs are totals as published (between-subject, within-subject); the
    generator decides how much of them the covariates already explain.
    """

    name: str
    time: float  # % stance
    value: float  # BW for forces; fraction of the length/range for COP
    between_sd: float = 0.0
    within_sd: float = 0.0
    time_between_sd: float = 0.0
    time_within_sd: float = 0.0
    fast_delta: float = 0.0  # fast minus self-selected walking, same unit as value
    age_r: float = 0.0  # correlation of the subject's value with age
    mass_r: float = 0.0  # correlation of the subject's value with body mass
    height_slope: float = 0.0  # per cm of height
    sex_effect: float = 0.0  # male minus female
    shod_delta: float = 0.0  # shod minus barefoot
    asymmetry_sd: float = 0.0  # SD of the left-right symmetry index (fraction, not %)
    source: str = ""

    @property
    def varies(self) -> bool:
        return any(
            sd > 0 for sd in (self.between_sd, self.within_sd, self.time_between_sd, self.time_within_sd)
        ) or self.asymmetry_sd > 0


@dataclass(frozen=True)
class ShapeKnot:
    """A knot at ``position`` (0-1) of the time from landmark ``after`` to the next,
    taking ``fraction`` (0-1) of the way from the one value to the other."""

    after: str
    position: float
    fraction: float


@dataclass(frozen=True)
class ComponentModel:
    """The template of one force or COP component (both sides).

    For COP, landmark values are fractions of ``scale`` (the trial's AP length
    or ML range, in metres), which is itself modelled like a landmark whose
    time is not used.
    """

    component: str
    landmarks: tuple[Landmark, ...]
    shape_knots: tuple[ShapeKnot, ...] = ()
    smooth_noise_sd: float = 0.0  # BW or m
    scale: Landmark | None = None

    def landmark(self, name: str) -> Landmark:
        for landmark in self.landmarks:
            if landmark.name == name:
                return landmark
        raise KeyError(f"{self.component} has no landmark {name!r}")


FACTS = "grf-facts: 62 healthy adults, checked against 211 GaitRec controls"

VERTICAL = ComponentModel(
    component="F_V",
    landmarks=(
        Landmark("start", 0.0, 0.076, between_sd=0.010, within_sd=0.010, source="D end point; U spread"),
        Landmark(
            "first_peak", 23.0, 1.08, between_sd=0.061, within_sd=0.035, time_between_sd=1.5, time_within_sd=2.0,
            fast_delta=0.09, asymmetry_sd=0.03, source=f"D {FACTS}; timing SDs U within the published ranges",
        ),
        Landmark(
            "valley", 48.0, 0.77, between_sd=0.056, within_sd=0.027, time_between_sd=2.5, time_within_sd=3.5,
            fast_delta=-0.085, mass_r=0.24, asymmetry_sd=0.03, source=f"D {FACTS}",
        ),
        Landmark(
            "second_peak", 76.5, 1.13, between_sd=0.067, within_sd=0.027, time_between_sd=1.0, time_within_sd=1.5,
            fast_delta=0.015, age_r=-0.28, mass_r=-0.38, asymmetry_sd=0.03, source=f"D {FACTS}",
        ),
        Landmark("end", 100.0, 0.054, between_sd=0.008, within_sd=0.008, source="D end point; U spread"),
    ),
    shape_knots=(
        ShapeKnot("start", 0.2, 0.35),
        ShapeKnot("start", 0.5, 0.82),
        ShapeKnot("second_peak", 0.5, 0.45),
        ShapeKnot("second_peak", 0.8, 0.85),
    ),
    smooth_noise_sd=0.005,
)

ANTERIOR_POSTERIOR = ComponentModel(
    component="F_AP",
    landmarks=(
        Landmark("start", 0.0, 0.0, source="D"),
        Landmark(
            "braking_minimum", 16.0, -0.175, between_sd=0.031, within_sd=0.028, time_between_sd=1.5,
            time_within_sd=2.5, fast_delta=-0.03, asymmetry_sd=0.10, source=f"D {FACTS}",
        ),
        Landmark("zero_crossing", 55.0, 0.0, time_between_sd=1.5, time_within_sd=2.0, source="D timing; U SDs"),
        Landmark(
            "propulsive_maximum", 87.0, 0.219, between_sd=0.031, within_sd=0.018, time_between_sd=1.0,
            time_within_sd=1.0, fast_delta=0.03, asymmetry_sd=0.067, source=f"D {FACTS}",
        ),
        Landmark("end", 100.0, 0.0, source="D"),
    ),
    shape_knots=(
        ShapeKnot("start", 0.35, 0.5),
        ShapeKnot("braking_minimum", 0.45, 0.63),
        ShapeKnot("zero_crossing", 0.5, 0.5),
        ShapeKnot("propulsive_maximum", 0.5, 0.42),
    ),
    smooth_noise_sd=0.003,
)

MEDIO_LATERAL = ComponentModel(
    component="F_ML",
    landmarks=(
        Landmark("start", 0.0, 0.0, source="D"),
        Landmark(
            "lateral_minimum", 4.0, -0.046, between_sd=0.015, within_sd=0.009, time_between_sd=0.5,
            time_within_sd=0.7, fast_delta=-0.01, asymmetry_sd=0.25,
            source=f"D {FACTS}: -0.044 measured on the curves (the knot lies between samples); timing SDs U",
        ),
        Landmark(
            "early_medial_peak", 27.0, 0.042, between_sd=0.011, within_sd=0.009, time_between_sd=2.5,
            time_within_sd=4.0, asymmetry_sd=0.25,
            source=f"D {FACTS}: 0.050 is the per-trial maximum of both humps, which these knots give",
        ),
        Landmark(
            "midstance_trough", 48.0, 0.030, between_sd=0.008, within_sd=0.006, time_between_sd=2.5,
            time_within_sd=4.0, asymmetry_sd=0.25, source="U",
        ),
        Landmark(
            "late_medial_peak", 70.0, 0.040, between_sd=0.011, within_sd=0.009, time_between_sd=2.5,
            time_within_sd=4.0, asymmetry_sd=0.25,
            source=f"D {FACTS}: 0.050 is the per-trial maximum of both humps, which these knots give",
        ),
        Landmark("end", 100.0, 0.0, source="D"),
    ),
    shape_knots=(ShapeKnot("lateral_minimum", 0.3, 0.5), ShapeKnot("late_medial_peak", 0.6, 0.6)),
    smooth_noise_sd=0.002,
)

COP_ANTERIOR_POSTERIOR = ComponentModel(
    component="COP_AP",
    landmarks=(Landmark("start", 0.0, 0.0, source="D/U origin"), Landmark("end", 100.0, 1.0, source="D")),
    shape_knots=(
        ShapeKnot("start", 0.08, 0.12),
        ShapeKnot("start", 0.30, 0.35),
        ShapeKnot("start", 0.60, 0.62),
        ShapeKnot("start", 0.85, 0.87),
    ),
    smooth_noise_sd=0.0002,
    scale=Landmark(
        "length", 100.0, 0.21, between_sd=0.02, within_sd=0.004, height_slope=0.0017, shod_delta=0.04,
        asymmetry_sd=0.025, source="D length, SD, height slope, asymmetry; U within SD",
    ),
)

COP_MEDIO_LATERAL = ComponentModel(
    component="COP_ML",
    landmarks=(
        Landmark("start", 0.0, 0.0, source="U"),
        Landmark(
            "lateral_excursion", 35.0, -0.25, between_sd=0.06, within_sd=0.04, time_between_sd=4.0,
            time_within_sd=5.0, source="U",
        ),
        Landmark("end", 100.0, 0.75, source="U"),
    ),
    shape_knots=(ShapeKnot("lateral_excursion", 0.45, 0.3), ShapeKnot("lateral_excursion", 0.8, 0.8)),
    smooth_noise_sd=0.0003,
    scale=Landmark(
        "range", 0.0, 0.03, between_sd=0.008, within_sd=0.002, asymmetry_sd=0.10,
        source="D range and SD; U within SD and asymmetry",
    ),
)

DEFAULT_COMPONENTS: tuple[ComponentModel, ...] = (
    VERTICAL,
    ANTERIOR_POSTERIOR,
    MEDIO_LATERAL,
    COP_ANTERIOR_POSTERIOR,
    COP_MEDIO_LATERAL,
)


@dataclass(frozen=True)
class SyntheticParameters:
    """Every number of the generative model; defaults from the project's facts sheet."""

    components: tuple[ComponentModel, ...] = DEFAULT_COMPONENTS

    # Covariate reference points and spreads (D: Gutenberg metadata and speeds).
    reference_speed: float = 1.48  # m/s, trial mean
    speed_sd: float = 0.17  # all trials
    speed_between_session_sd: float = 0.071  # sessions of one subject
    speed_within_session_sd: float = 0.038  # trials of one session
    reference_age: float = 24.7  # years
    age_sd: float = 6.6
    reference_mass: float = 69.3  # kg
    mass_sd: float = 11.4
    reference_height: float = 174.4  # cm
    height_sd: float = 9.1
    male_share: float = 0.48

    # Speed (U): GaitRec's fast minus self-selected speed that turns the
    # published fast-speed deltas into slopes per m/s.
    fast_speed_gain: float = 0.40  # m/s
    # Growth of trial-to-trial SD per m/s above the reference (U; Masani 2002).
    noise_speed_gain: float = 0.5

    # Variance split (U).
    session_variance_share: float = 0.3  # of the residual within-subject variance
    minimum_residual_share: float = 0.25  # floor of a residual SD, as a share of its total
    shape_subject_sd: float = 0.03  # shape-knot fractions
    shape_trial_sd: float = 0.015
    min_knot_gap: float = 1.0  # % stance between consecutive landmarks
    smooth_noise_width: float = 3.0  # % stance, Gaussian sigma of the low-pass noise

    # Sign and origin conventions (U for Gutenberg).
    ml_sign_left: int = 1  # +1: medial positive after side harmonisation (as in GaitRec)
    ml_sign_right: int = 1
    cop_ml_sign_left: int = 1
    cop_ml_sign_right: int = 1
    cop_ml_centred: bool = True  # mean-centred per trial; False: origin at the first sample
    cop_ap_origin: str = "start"  # "start": 0 at the first sample; "mean": mean-centred

    # Population, for sampled cohorts and for imputing missing values (D).
    height_mean_female: float = 169.0  # cm
    height_sd_female: float = 7.0
    height_mean_male: float = 180.6
    height_sd_male: float = 7.1
    bmi_mean_female: float = 21.7  # kg/m^2
    bmi_sd_female: float = 2.2
    bmi_mean_male: float = 23.7
    bmi_sd_male: float = 2.3
    mass_mean_female: float = 61.9  # kg
    mass_sd_female: float = 8.8
    mass_mean_male: float = 77.2
    mass_sd_male: float = 8.1
    # HEIGHT = a + b * BODY_MASS + c * SEX + N(0, sd)
    height_from_mass: tuple[float, float, float] = (139.1, 0.482, 4.37)
    height_from_mass_residual_sd: float = 5.8
    age_median: float = 23.5  # years; log-normal (D median, U shape)
    age_log_sd: float = 0.22
    age_range: tuple[float, float] = (16.0, 70.0)
    session_mass_sd: float = 0.6  # kg, between sessions of one subject
    # SHOE_SIZE (EU) = a + b * HEIGHT + c * SEX + N(0, sd), only in these datasets
    shoe_size_from_height: tuple[float, float, float] = (-1.42, 0.242, 1.25)
    shoe_size_residual_sd: float = 1.34
    shoe_size_datasets: tuple[int, ...] = (3, 6)

    # Structure of a sampled cohort (D unless marked).
    dataset_subject_counts: tuple[int, ...] = (8, 9, 128, 57, 33, 38, 26, 25, 23, 3)
    trials_per_session: tuple[tuple[int, int], ...] = (
        (14, 16), (14, 15), (9, 10), (18, 21), (13, 15), (9, 10), (8, 9), (14, 15), (9, 12), (7, 8),
    )
    sessions_per_subject_probabilities: tuple[float, ...] = (0.6, 0.2, 0.1, 0.1)  # 1..4 sessions (U)
    missing_speed_datasets: tuple[int, ...] = (6, 8, 10)
    missing_demographics_datasets: tuple[int, ...] = (10,)

    def __post_init__(self) -> None:
        names = tuple(model.component for model in self.components)
        if names != COMPONENTS:
            raise ValueError(f"components must be {list(COMPONENTS)} in that order, got {list(names)}")
        for model in self.components:
            _check_component(model)
        for name in ("ml_sign_left", "ml_sign_right", "cop_ml_sign_left", "cop_ml_sign_right"):
            if getattr(self, name) not in (1, -1):
                raise ValueError(f"{name} must be +1 or -1, got {getattr(self, name)!r}")
        if self.cop_ap_origin not in ("start", "mean"):
            raise ValueError(f"cop_ap_origin must be 'start' or 'mean', got {self.cop_ap_origin!r}")
        if not 0.0 <= self.session_variance_share < 1.0:
            raise ValueError(f"session_variance_share must be in [0, 1), got {self.session_variance_share}")
        if not math.isclose(sum(self.sessions_per_subject_probabilities), 1.0, abs_tol=1e-9):
            raise ValueError("sessions_per_subject_probabilities must sum to 1")
        if len(self.trials_per_session) != len(self.dataset_subject_counts):
            raise ValueError("trials_per_session needs one (min, max) pair per dataset in dataset_subject_counts")
        if self.speed_subject_sd <= 0:
            raise ValueError("speed_sd must exceed the combined between-session and within-session speed SDs")

    @property
    def speed_subject_sd(self) -> float:
        """Between-subject SD of the subject's mean speed (D: total minus nested parts)."""
        remainder = self.speed_sd**2 - self.speed_between_session_sd**2 - self.speed_within_session_sd**2
        return math.sqrt(remainder) if remainder > 0 else 0.0

    @property
    def speed_within_subject_sd(self) -> float:
        return math.hypot(self.speed_between_session_sd, self.speed_within_session_sd)

    def component(self, name: str) -> ComponentModel:
        for model in self.components:
            if model.component == name:
                return model
        raise KeyError(f"no component {name!r}; choose one of {list(COMPONENTS)}")

    def slopes(self, landmark: Landmark) -> dict[str, float]:
        """Effect per unit of each covariate (per m/s, year, kg, cm, male, shod)."""
        return {
            "speed": landmark.fast_delta / self.fast_speed_gain,
            "age": landmark.age_r * landmark.between_sd / self.age_sd,
            "mass": landmark.mass_r * landmark.between_sd / self.mass_sd,
            "height": landmark.height_slope,
            "sex": landmark.sex_effect,
            "shod": landmark.shod_delta,
        }

    def residual_sds(self, landmark: Landmark) -> tuple[float, float, float]:
        """(subject, session, trial) SDs left after the covariates took their share."""
        slopes = self.slopes(landmark)
        explained_between = (
            (slopes["speed"] * self.speed_subject_sd) ** 2
            + (slopes["age"] * self.age_sd) ** 2
            + (slopes["mass"] * self.mass_sd) ** 2
            + (slopes["height"] * self.height_sd) ** 2
            + (slopes["sex"] / 2) ** 2
        )
        explained_within = (slopes["speed"] * self.speed_within_subject_sd) ** 2
        subject = self._residual(landmark.between_sd, explained_between)
        within = self._residual(landmark.within_sd, explained_within)
        return (
            subject,
            within * math.sqrt(self.session_variance_share),
            within * math.sqrt(1.0 - self.session_variance_share),
        )

    def _residual(self, total: float, explained_variance: float) -> float:
        floor = self.minimum_residual_share * total
        return max(math.sqrt(max(total**2 - explained_variance, 0.0)), floor)


def _check_component(model: ComponentModel) -> None:
    times = [landmark.time for landmark in model.landmarks]
    if len(times) < 2 or times[0] != 0.0 or times[-1] != 100.0:
        raise ValueError(f"{model.component}: landmarks must start at 0 and end at 100 % stance")
    if any(later <= earlier for earlier, later in zip(times, times[1:])):
        raise ValueError(f"{model.component}: landmark times must increase, got {times}")
    for end in (model.landmarks[0], model.landmarks[-1]):
        if end.time_between_sd or end.time_within_sd:
            raise ValueError(f"{model.component}: the {end.name} landmark is fixed in time; give it no timing SD")
    names = [landmark.name for landmark in model.landmarks[:-1]]
    for knot in model.shape_knots:
        if knot.after not in names:
            raise ValueError(f"{model.component}: shape knot after unknown landmark {knot.after!r}")
        if not (0.0 < knot.position < 1.0 and 0.0 <= knot.fraction <= 1.0):
            raise ValueError(f"{model.component}: shape knot after {knot.after!r} needs 0 < position < 1, 0 <= fraction <= 1")


# ---------------------------------------------------------------------------
# Report.


@dataclass(frozen=True)
class SynthesisReport:
    """What :func:`synthesize` wrote."""

    out: Path
    n_subjects: int
    n_sessions: int
    n_trials: int
    real_structure: bool
    seed: int
    seconds: float
    generator_version: str = GENERATOR_VERSION

    def __str__(self) -> str:
        structure = "copied from the real metadata and speed files" if self.real_structure else "sampled"
        return (
            f"synthetic Gutenberg cohort (generator {self.generator_version}, seed {self.seed}) in {self.out}\n"
            f"{self.n_subjects:,} subjects, {self.n_sessions:,} sessions, {self.n_trials:,} trials; "
            f"cohort structure {structure}\n"
            f"written in {self.seconds:.1f} s"
        )


# ---------------------------------------------------------------------------
# Random streams: one per purpose, so adding a draw elsewhere changes nothing here.


def _rng(seed: int, *labels: str) -> np.random.Generator:
    return np.random.default_rng([seed, *(zlib.crc32(label.encode()) for label in labels)])


# ---------------------------------------------------------------------------
# Cohort structure: who walked, when, how fast.


@dataclass(frozen=True)
class _Cohort:
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


def _real_cohort(like: Path, parameters: SyntheticParameters, seed: int) -> _Cohort:
    """The real sessions and trials of ``like``, missing covariates imputed for the generator only."""
    if not like.is_dir():
        raise FileNotFoundError(f"structure directory {like} does not exist or is not a directory")
    metadata_bytes = _read_raw(like / METADATA_FILE)
    speed_bytes = _read_raw(like / SPEED_FILE)
    sessions = _impute_demographics(_read_sessions(metadata_bytes), parameters, seed)
    trials = _impute_speeds(_read_trials(speed_bytes, sessions), parameters, seed)
    return _Cohort(trials=trials, metadata_bytes=metadata_bytes, speed_bytes=speed_bytes)


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
    population = _Population(parameters, _rng(seed, "impute"))
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
    rng = _rng(seed, "speed imputation")
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


def _sampled_cohort(n_subjects: int, parameters: SyntheticParameters, seed: int) -> _Cohort:
    """A cohort drawn from the published summaries, with files filled as the real ones are."""
    sessions = _sample_sessions(n_subjects, parameters, seed)
    trials = _sample_trials(sessions, parameters, seed)
    published_speed = np.where(trials["speed_imputed"] == 1, np.nan, trials["speed"])
    speeds = trials[list(ID_COLUMNS)].assign(**{SPEED_COLUMN: published_speed})
    return _Cohort(
        trials=trials,
        metadata_bytes=_table_text(_metadata_table(sessions, parameters)).encode(),
        speed_bytes=_table_text(speeds).encode(),
    )


def _sample_sessions(n_subjects: int, parameters: SyntheticParameters, seed: int) -> pd.DataFrame:
    """One row per session: keys, the person's demographics, and when the session took place."""
    p = parameters
    rng = _rng(seed, "sessions")
    population = _Population(p, _rng(seed, "population"))
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
    rng = _rng(seed, "trials")
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


# ---------------------------------------------------------------------------
# Curves.


@dataclass(frozen=True)
class _Indices:
    subject: np.ndarray  # per trial, 0..n_subjects-1
    session: np.ndarray  # per trial, 0..n_sessions-1
    n_subjects: int
    n_sessions: int


def _indices(trials: pd.DataFrame) -> _Indices:
    subject = pd.factorize(trials["SUBJECT_ID"], sort=True)[0]
    session = trials.groupby(list(SESSION_KEY), sort=True).ngroup().to_numpy()
    return _Indices(subject=subject, session=session, n_subjects=int(subject.max()) + 1, n_sessions=int(session.max()) + 1)


@dataclass(frozen=True)
class _Draws:
    """Standard-normal effects of one quantity at each level of the hierarchy."""

    subject: np.ndarray  # (n_subjects, m)
    session: np.ndarray  # (n_sessions, m)
    trial: np.ndarray  # (n_trials, 2, m)

    @classmethod
    def normal(cls, rng: np.random.Generator, index: _Indices, n_trials: int, m: int) -> _Draws:
        return cls(
            subject=rng.standard_normal((index.n_subjects, m)),
            session=rng.standard_normal((index.n_sessions, m)),
            trial=rng.standard_normal((n_trials, 2, m)),
        )


@dataclass(frozen=True)
class _Realisation:
    """What one landmark became in every trial, kept for the ground-truth file."""

    subject_effect: np.ndarray  # (n_trials,) residual subject signature
    session_effect: np.ndarray  # (n_trials,)
    asymmetry: np.ndarray  # (n_trials,) the subject's symmetry index
    value: np.ndarray  # (n_trials, 2) knot value per side
    time_subject_effect: np.ndarray | None = None  # (n_trials,); None where the knot has no time
    time: np.ndarray | None = None  # (n_trials, 2)


def _landmark_values(
    landmarks: Sequence[Landmark],
    trials: pd.DataFrame,
    index: _Indices,
    noise_scale: np.ndarray,
    parameters: SyntheticParameters,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Values (n, 2, m) per side plus subject, session and asymmetry effects (n, m)."""
    n, m = len(trials), len(landmarks)
    covariates = {
        "speed": trials["speed"].to_numpy() - parameters.reference_speed,
        "age": trials["age"].to_numpy() - parameters.reference_age,
        "mass": trials["body_mass"].to_numpy() - parameters.reference_mass,
        "height": trials["height"].to_numpy() - parameters.reference_height,
        "sex": trials["sex"].to_numpy() - parameters.male_share,
        "shod": trials["shod"].to_numpy(),
    }
    mean = np.empty((n, m))
    sds = np.empty((3, m))
    for j, landmark in enumerate(landmarks):
        slopes = parameters.slopes(landmark)
        mean[:, j] = landmark.value + sum(slopes[name] * covariates[name] for name in covariates)
        sds[:, j] = parameters.residual_sds(landmark)
    draws = _Draws.normal(rng, index, n, m)
    subject_effect = (draws.subject * sds[0])[index.subject]
    session_effect = (draws.session * sds[1])[index.session]
    trial_effect = draws.trial * sds[2] * noise_scale[:, None, None]
    asymmetry_sd = np.array([landmark.asymmetry_sd for landmark in landmarks])
    asymmetry = (rng.standard_normal((index.n_subjects, m)) * asymmetry_sd)[index.subject]
    level = (mean + subject_effect + session_effect)[:, None, :] + trial_effect
    values = level * (1.0 + SIDE_SIGNS[None, :, None] * asymmetry[:, None, :] / 2.0)
    return values, subject_effect, session_effect, asymmetry


def _landmark_times(
    landmarks: Sequence[Landmark], index: _Indices, n: int, parameters: SyntheticParameters, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Times (n, 2, m) in % stance, kept in order, plus the subject timing effect (n, m)."""
    m = len(landmarks)
    between = np.array([landmark.time_between_sd for landmark in landmarks])
    within = np.array([landmark.time_within_sd for landmark in landmarks])
    share = parameters.session_variance_share
    draws = _Draws.normal(rng, index, n, m)
    subject_effect = (draws.subject * between)[index.subject]
    session_effect = (draws.session * within * math.sqrt(share))[index.session]
    trial_effect = draws.trial * within * math.sqrt(1.0 - share)
    means = np.array([landmark.time for landmark in landmarks])
    times = (means + subject_effect + session_effect)[:, None, :] + trial_effect
    gap = parameters.min_knot_gap
    times[..., 0], times[..., -1] = 0.0, 100.0
    for j in range(1, m - 1):  # forward: leave room after the previous landmark
        times[..., j] = np.maximum(times[..., j], times[..., j - 1] + gap)
    for j in range(m - 2, 0, -1):  # backward: and before the next one
        times[..., j] = np.minimum(times[..., j], times[..., j + 1] - gap)
    return times, subject_effect


def _knots(
    model: ComponentModel,
    values: np.ndarray,
    times: np.ndarray,
    index: _Indices,
    parameters: SyntheticParameters,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Landmarks plus shape knots, in time order: (n, 2, K) times and values."""
    names = [landmark.name for landmark in model.landmarks]
    n = values.shape[0]
    n_shape = len(model.shape_knots)
    fractions = np.array([knot.fraction for knot in model.shape_knots])
    draws = _Draws.normal(rng, index, n, n_shape)
    jitter = (draws.subject * parameters.shape_subject_sd)[index.subject][:, None, :]
    jitter = jitter + draws.trial * parameters.shape_trial_sd
    shape_fraction = np.clip(fractions + jitter, 0.02, 0.98)

    knot_times, knot_values = [], []
    for j, name in enumerate(names):
        knot_times.append(times[..., j])
        knot_values.append(values[..., j])
        following = [(s, knot) for s, knot in enumerate(model.shape_knots) if knot.after == name]
        previous_fraction = np.zeros(values.shape[:2])
        for s, knot in sorted(following, key=lambda item: item[1].position):
            fraction = np.maximum(shape_fraction[..., s], previous_fraction)  # stay monotone between landmarks
            previous_fraction = fraction
            knot_times.append(times[..., j] + knot.position * (times[..., j + 1] - times[..., j]))
            knot_values.append(values[..., j] + fraction * (values[..., j + 1] - values[..., j]))
    return np.stack(knot_times, axis=-1), np.stack(knot_values, axis=-1)


def _pchip(x: np.ndarray, y: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Monotone piecewise cubic through knots (..., K), evaluated at ``grid`` for every row.

    Fritsch-Carlson slopes: zero at every local extremum of the knots, so a
    landmark that is higher (lower) than its neighbours is exactly the curve's
    maximum (minimum) there, and no overshoot appears between knots.
    """
    h = np.diff(x, axis=-1)
    delta = np.diff(y, axis=-1) / h
    slope = np.zeros_like(y)
    w1 = 2 * h[..., 1:] + h[..., :-1]
    w2 = h[..., 1:] + 2 * h[..., :-1]
    same_sign = delta[..., :-1] * delta[..., 1:] > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        harmonic = (w1 + w2) / (w1 / delta[..., :-1] + w2 / delta[..., 1:])
    slope[..., 1:-1] = np.where(same_sign, harmonic, 0.0)
    slope[..., 0] = _end_slope(h[..., 0], h[..., 1], delta[..., 0], delta[..., 1])
    slope[..., -1] = _end_slope(h[..., -1], h[..., -2], delta[..., -1], delta[..., -2])

    segment = (grid[:, None] >= x[..., None, 1:-1]).sum(axis=-1)  # (..., G)

    def at(array: np.ndarray) -> np.ndarray:
        return np.take_along_axis(array, segment, axis=-1)

    x0, width = at(x[..., :-1]), at(h)
    t = (grid - x0) / width
    t2, t3 = t * t, t * t * t
    return (
        (2 * t3 - 3 * t2 + 1) * at(y[..., :-1])
        + (t3 - 2 * t2 + t) * width * at(slope[..., :-1])
        + (-2 * t3 + 3 * t2) * at(y[..., 1:])
        + (t3 - t2) * width * at(slope[..., 1:])
    )


def _end_slope(h0: np.ndarray, h1: np.ndarray, delta0: np.ndarray, delta1: np.ndarray) -> np.ndarray:
    """One-sided three-point slope, limited so the end segment does not overshoot."""
    slope = ((2 * h0 + h1) * delta0 - h0 * delta1) / (h0 + h1)
    slope = np.where(np.sign(slope) != np.sign(delta0), 0.0, slope)
    limit = (np.sign(delta0) != np.sign(delta1)) & (np.abs(slope) > 3 * np.abs(delta0))
    return np.where(limit, 3 * delta0, slope)


def _smooth_noise(rng: np.random.Generator, shape: tuple[int, ...], sd: float, width: float) -> np.ndarray:
    """Gaussian-smoothed white noise with standard deviation ``sd`` (low-pass, no sample-to-sample jitter)."""
    if sd == 0:
        return np.zeros(shape)
    step = STANCE_PERCENT[1] - STANCE_PERCENT[0]
    impulse = np.zeros(8 * int(math.ceil(width / step)) + 1)
    impulse[impulse.size // 2] = 1.0
    gain = float(np.sqrt(np.sum(gaussian_filter1d(impulse, width / step) ** 2)))
    return gaussian_filter1d(rng.standard_normal(shape), width / step, axis=-1, mode="reflect") * (sd / gain)


def _component_curves(
    model: ComponentModel,
    trials: pd.DataFrame,
    index: _Indices,
    noise_scale: np.ndarray,
    parameters: SyntheticParameters,
    seed: int,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Left and right curves (n, 2, 101) of one component and its ground-truth columns."""
    rng = _rng(seed, "curves", model.component)
    n = len(trials)
    values, subject_effect, session_effect, asymmetry = _landmark_values(
        model.landmarks, trials, index, noise_scale, parameters, rng
    )
    times, time_subject_effect = _landmark_times(model.landmarks, index, n, parameters, rng)
    knot_times, knot_values = _knots(model, values, times, index, parameters, rng)
    curves = _pchip(knot_times, knot_values, STANCE_PERCENT)

    columns: dict[str, np.ndarray] = {}
    for j, landmark in enumerate(model.landmarks):
        if landmark.varies:
            realisation = _Realisation(
                subject_effect=subject_effect[:, j],
                session_effect=session_effect[:, j],
                asymmetry=asymmetry[:, j],
                value=values[..., j],
                time_subject_effect=time_subject_effect[:, j],
                time=times[..., j],
            )
            _record(columns, f"{model.component}_{landmark.name}", realisation)

    if model.scale is not None:
        scale, scale_subject, scale_session, scale_asymmetry = _landmark_values(
            (model.scale,), trials, index, noise_scale, parameters, rng
        )
        scale = np.maximum(scale[..., 0], 1e-3)  # a length or range stays positive
        curves = curves * scale[..., None]
        realisation = _Realisation(
            subject_effect=scale_subject[:, 0],
            session_effect=scale_session[:, 0],
            asymmetry=scale_asymmetry[:, 0],
            value=scale,
        )
        _record(columns, f"{model.component}_{model.scale.name}", realisation)

    curves = curves + _smooth_noise(rng, curves.shape, model.smooth_noise_sd, parameters.smooth_noise_width)
    return _apply_conventions(model.component, curves, parameters), columns


def _record(columns: dict[str, np.ndarray], prefix: str, realisation: _Realisation) -> None:
    columns[f"{prefix}_subject_effect"] = realisation.subject_effect
    columns[f"{prefix}_session_effect"] = realisation.session_effect
    columns[f"{prefix}_asymmetry"] = realisation.asymmetry
    for k, side in enumerate(SIDES):
        columns[f"{prefix}_{side}"] = realisation.value[:, k]
    if realisation.time is not None and realisation.time_subject_effect is not None:
        columns[f"{prefix}_time_subject_effect"] = realisation.time_subject_effect
        for k, side in enumerate(SIDES):
            columns[f"{prefix}_time_{side}"] = realisation.time[:, k]


def _apply_conventions(component: str, curves: np.ndarray, parameters: SyntheticParameters) -> np.ndarray:
    """Side signs and COP origins, the conventions the published files may use."""
    if component == "F_ML":
        return curves * np.array([parameters.ml_sign_left, parameters.ml_sign_right], dtype=np.float64)[None, :, None]
    if component == "COP_ML":
        signs = np.array([parameters.cop_ml_sign_left, parameters.cop_ml_sign_right], dtype=np.float64)
        origin = curves.mean(axis=-1, keepdims=True) if parameters.cop_ml_centred else curves[..., :1]
        return (curves - origin) * signs[None, :, None]
    if component == "COP_AP":
        origin = curves[..., :1] if parameters.cop_ap_origin == "start" else curves.mean(axis=-1, keepdims=True)
        return curves - origin
    return curves


def _generate(cohort: _Cohort, parameters: SyntheticParameters, seed: int) -> tuple[dict[str, np.ndarray], pd.DataFrame]:
    """Curves per channel (n, 101) and the ground-truth table."""
    trials = cohort.trials
    index = _indices(trials)
    speed = trials["speed"].to_numpy()
    noise_scale = np.clip(1.0 + parameters.noise_speed_gain * (speed - parameters.reference_speed), 0.5, 2.0)
    truth = trials[list(ID_COLUMNS)].copy()
    for column in TRIAL_COVARIATES:
        truth[column] = trials[column].to_numpy()
    truth["noise_scale"] = noise_scale
    channels: dict[str, np.ndarray] = {}
    extra: dict[str, np.ndarray] = {}
    for model in parameters.components:
        curves, columns = _component_curves(model, trials, index, noise_scale, parameters, seed)
        for k, side in enumerate(SIDES):
            channels[f"{model.component}_{side}"] = curves[:, k, :]
        extra.update(columns)
    truth = pd.concat([truth, pd.DataFrame(extra, index=truth.index)], axis=1)
    return channels, truth


# ---------------------------------------------------------------------------
# Writing.


def _curve_text(component: str, keys: np.ndarray, curves: np.ndarray) -> str:
    """One curve file: ID columns, then 101 fixed-point samples; literal NaN; CRLF."""
    decimals = COP_DECIMALS if component.startswith("COP") else FORCE_DECIMALS
    header = ",".join((*ID_COLUMNS, *(f"{component}_PRO_{i}" for i in range(1, N_SAMPLES + 1))))
    row = ",".join(["%d"] * len(ID_COLUMNS) + [f"%.{decimals}f"] * N_SAMPLES) + LINE_END
    rounded = np.round(curves, decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    table = np.concatenate([keys.astype(np.float64), rounded], axis=1)
    body = (row * len(table)) % tuple(table.ravel().tolist())
    if np.isnan(rounded).any():
        body = body.replace("nan", "NaN")
    return header + LINE_END + body


def _format_cell(value: object) -> str:
    if isinstance(value, str):
        return value
    number = float(value)
    if math.isnan(number):
        return "NaN"
    return f"{number:.10g}"


def _table_text(table: pd.DataFrame) -> str:
    """A small table as the published files write it: shortest numbers, literal NaN, CRLF."""
    lines = [",".join(table.columns)]
    for row in table.itertuples(index=False):
        lines.append(",".join(_format_cell(value) for value in row))
    return LINE_END.join(lines) + LINE_END


def _ground_truth_text(truth: pd.DataFrame) -> str:
    integer_columns = {*ID_COLUMNS, *(column for column in truth.columns if column.endswith("_imputed"))}
    formats = ["%d" if column in integer_columns else "%.7g" for column in truth.columns]
    row = ",".join(formats) + LINE_END
    values = truth.to_numpy(dtype=np.float64)
    return ",".join(truth.columns) + LINE_END + (row * len(values)) % tuple(values.ravel().tolist())


def read_ground_truth(directory: str | os.PathLike[str]) -> pd.DataFrame:
    """The generative factors of every trial of a synthetic cohort, one row per trial.

    Columns: the trial key; the covariates the generator used (``speed`` etc.,
    with ``*_imputed`` = 1 where the published file has NaN); ``noise_scale``;
    and per landmark ``{COMPONENT}_{landmark}_`` + ``subject_effect``,
    ``session_effect``, ``asymmetry``, ``left``/``right`` (knot value: BW for
    forces, a fraction of the length/range for COP landmarks, metres for
    ``COP_AP_length`` and ``COP_ML_range``) and, for knots that move in time,
    ``time_subject_effect`` and ``time_left``/``time_right`` (% stance).
    """
    path = Path(directory) / GROUND_TRUTH_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: {directory} is not a synthetic cohort written by analysis.synthetic")
    return pd.read_csv(path)


@contextmanager
def _staging(out: Path) -> Iterator[Path]:
    """A directory beside ``out`` to write into; its files move into place only on success.

    A new ``out`` appears in one rename; in an existing directory each file is
    replaced in one rename. On any error the staging directory is removed, so
    no half-written file ever carries a published name.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    try:
        yield staging
        if out.exists():
            for path in sorted(staging.iterdir()):
                os.replace(path, out / path.name)
            staging.rmdir()
        else:
            staging.chmod(0o755)
            os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


# ---------------------------------------------------------------------------
# Entry point.


def synthesize(
    out: str | os.PathLike[str],
    like: str | os.PathLike[str] | None = None,
    seed: int = 0,
    parameters: SyntheticParameters | None = None,
    n_subjects: int | None = None,
) -> SynthesisReport:
    """Write a synthetic cohort in the Gutenberg format into ``out``.

    With ``like`` (a directory holding the real ``GRF_metadata.csv`` and
    ``GRF_walking_speed.csv``) the cohort is exactly the real one: both files
    are copied byte for byte and curves are generated for every listed trial.
    Without it, a cohort of ``n_subjects`` (default 350) is sampled from the
    published summaries. Besides the twelve published files, ``out`` receives
    :data:`GROUND_TRUTH_FILE` with the generative factors of every trial.
    """
    started = time.perf_counter()
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    seed = int(seed)
    parameters = parameters if parameters is not None else SyntheticParameters()
    out = Path(out).expanduser()
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"{out} exists and is not a directory")
    if like is not None:
        if n_subjects is not None:
            raise ValueError("n_subjects applies only to a sampled cohort; a like directory fixes the cohort")
        cohort = _real_cohort(Path(like).expanduser(), parameters, seed)
    else:
        n_subjects = sum(parameters.dataset_subject_counts) if n_subjects is None else n_subjects
        if isinstance(n_subjects, bool) or not isinstance(n_subjects, (int, np.integer)) or n_subjects < 1:
            raise ValueError(f"n_subjects must be a positive integer, got {n_subjects!r}")
        cohort = _sampled_cohort(int(n_subjects), parameters, seed)

    channels, truth = _generate(cohort, parameters, seed)
    keys = cohort.trials[list(ID_COLUMNS)].to_numpy()
    with _staging(out) as staging:
        for channel, name in CURVE_FILES.items():
            component = channel.rsplit("_", 1)[0]
            (staging / name).write_bytes(_curve_text(component, keys, channels[channel]).encode())
        (staging / METADATA_FILE).write_bytes(cohort.metadata_bytes)
        (staging / SPEED_FILE).write_bytes(cohort.speed_bytes)
        (staging / GROUND_TRUTH_FILE).write_bytes(_ground_truth_text(truth).encode())
    return SynthesisReport(
        out=out,
        n_subjects=cohort.n_subjects,
        n_sessions=cohort.n_sessions,
        n_trials=len(cohort.trials),
        real_structure=like is not None,
        seed=seed,
        seconds=time.perf_counter() - started,
    )
