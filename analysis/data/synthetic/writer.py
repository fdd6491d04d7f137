"""Write a synthetic cohort in the exact Gutenberg file format, atomically."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.data.gutenberg import (
    CURVE_FILES,
    ID_COLUMNS,
    METADATA_FILE,
    N_SAMPLES,
    SPEED_FILE,
)
from analysis.data.synthetic.cohort import CohortStructure, real_cohort, sampled_cohort
from analysis.data.synthetic.curves import generate
from analysis.data.synthetic.parameters import (
    COP_DECIMALS,
    FORCE_DECIMALS,
    GENERATOR_VERSION,
    GROUND_TRUTH_FILE,
    LINE_END,
    SyntheticParameters,
)

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
    coupling: bool = True

    def __str__(self) -> str:
        structure = "copied from the real metadata and speed files" if self.real_structure else "sampled"
        channels = "channels coupled by mechanics" if self.coupling else "independent channels"
        return (
            f"synthetic Gutenberg cohort (generator {self.generator_version}, seed {self.seed}, {channels}) in {self.out}\n"
            f"{self.n_subjects:,} subjects, {self.n_sessions:,} sessions, {self.n_trials:,} trials; "
            f"cohort structure {structure}\n"
            f"written in {self.seconds:.1f} s"
        )



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

    With coupled channels (the default) the shear forces are the pivot part
    plus an independent remainder, and their landmark columns describe the
    remainder's knots (effects scaled as in ``mechanics.Remainder``), not the
    curve's extremes. The coupling adds per subject ``style_<factor>``
    (standard normal) and ``pivot_height`` (m), and per step
    ``com_travel_<side>`` (m), ``lateral_offset_change_<side>`` (m, medial +),
    ``net_impulse_share_<side>`` (net AP impulse / braking impulse aimed at)
    and ``pivot_shift_<side>`` (m, the pivot's horizontal shift that the
    impulse balance chose).
    """
    path = Path(directory) / GROUND_TRUTH_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: {directory} is not a synthetic cohort written by analysis.data.synthetic")
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


def checked_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return int(seed)


def checked_out(out: str | os.PathLike[str]) -> Path:
    path = Path(out).expanduser()
    if path.exists() and not path.is_dir():
        raise FileExistsError(f"{path} exists and is not a directory")
    return path


def build_cohort(
    like: str | os.PathLike[str] | None, seed: int, parameters: SyntheticParameters, n_subjects: int | None
) -> CohortStructure:
    """The cohort structure: copied from ``like``, or sampled with ``n_subjects`` (default 350)."""
    if like is not None:
        if n_subjects is not None:
            raise ValueError("n_subjects applies only to a sampled cohort; a like directory fixes the cohort")
        return real_cohort(Path(like).expanduser(), parameters, seed)
    n_subjects = sum(parameters.dataset_subject_counts) if n_subjects is None else n_subjects
    if isinstance(n_subjects, bool) or not isinstance(n_subjects, (int, np.integer)) or n_subjects < 1:
        raise ValueError(f"n_subjects must be a positive integer, got {n_subjects!r}")
    return sampled_cohort(int(n_subjects), parameters, seed)


def write_cohort(
    out: Path, cohort: CohortStructure, channels: dict[str, np.ndarray], truth: pd.DataFrame
) -> None:
    """The twelve published files and the ground truth, moved into ``out`` only when all are written."""
    keys = cohort.trials[list(ID_COLUMNS)].to_numpy()
    with _staging(out) as staging:
        for channel, name in CURVE_FILES.items():
            component = channel.rsplit("_", 1)[0]
            (staging / name).write_bytes(_curve_text(component, keys, channels[channel]).encode())
        (staging / METADATA_FILE).write_bytes(cohort.metadata_bytes)
        (staging / SPEED_FILE).write_bytes(cohort.speed_bytes)
        (staging / GROUND_TRUTH_FILE).write_bytes(_ground_truth_text(truth).encode())


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
    seed = checked_seed(seed)
    parameters = parameters if parameters is not None else SyntheticParameters()
    out = checked_out(out)
    cohort = build_cohort(like, seed, parameters, n_subjects)
    channels, truth = generate(cohort, parameters, seed)
    write_cohort(out, cohort, channels, truth)
    return SynthesisReport(
        out=out,
        n_subjects=cohort.n_subjects,
        n_sessions=cohort.n_sessions,
        n_trials=len(cohort.trials),
        real_structure=like is not None,
        seed=seed,
        seconds=time.perf_counter() - started,
        coupling=parameters.coupling,
    )
