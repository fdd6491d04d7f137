"""Real walking curves that ship with a package: the vertical GRF of Pataky et al. (2008).

The ``spm1d`` package carries, as example data for its regression tests, the
stance-phase vertical ground reaction force of 10 healthy adults who each
walked 60 times at speeds they varied on purpose (slow to fast), one curve of
101 samples per trial together with the trial's walking speed in m/s
(``spm1d.data.uv1d.regress.SpeedGRF``). The forces were summed from plantar
pressure, so their units are arbitrary and only relative quantities (shapes
scaled by their stance mean, relative slopes, variance shares) can be compared
with other sources. These are the only real trial-level GRF curves the book can
ship; :func:`load` turns them into the project's cohort form with one channel.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.data.gutenberg import N_SAMPLES, SPEED_COLUMN, SUBJECT_COLUMN, Cohort

N_SUBJECTS = 10
TRIALS_PER_SUBJECT = 60
CHANNEL = "F_V"  # which foot the insole measured is not stated with the data
DATASET = "spm1d SpeedGRF"
TRIAL_KEY = (SUBJECT_COLUMN, "SESSION_ID", "TRIAL_ID")
CITATION_KEY = "pataky2008speed"
PROVENANCE = (
    "Vertical ground reaction force of 10 healthy adults × 60 walking trials at self-varied speeds, "
    "101 samples of stance per trial, from plantar pressure (arbitrary force units), with each trial's "
    "walking speed; Pataky et al. (2008), J Biomech 41:1987–1994, distributed with the spm1d package "
    "as spm1d.data.uv1d.regress.SpeedGRF."
)


def _dataset(subject: int):  # noqa: ANN202 - spm1d's own dataset class
    try:
        from spm1d.data.uv1d.regress import SpeedGRF
    except ImportError as error:  # pragma: no cover - spm1d is a declared dependency
        raise ImportError("the real vertical GRF curves need the spm1d package (pip install spm1d)") from error
    return SpeedGRF(subj=subject)


def load(subjects: range | list[int] | None = None) -> Cohort:
    """The curves as a one-channel cohort: SUBJECT_ID 1–10, one session, TRIAL_ID 1–60, WALKING_SPEED.

    The values are checked on the way in (shape, finiteness, speeds), so a
    changed copy of the package's data cannot pass unnoticed.
    """
    chosen = list(range(N_SUBJECTS)) if subjects is None else [int(subject) for subject in subjects]
    bad = [subject for subject in chosen if not 0 <= subject < N_SUBJECTS]
    if bad or not chosen:
        raise ValueError(f"subjects must be indices in 0–{N_SUBJECTS - 1}, got {list(subjects or [])}")
    curves, rows = [], []
    directory = None
    for subject in chosen:
        dataset = _dataset(subject)
        values = np.asarray(dataset.Y, dtype=np.float64)
        speeds = np.asarray(dataset.x, dtype=np.float64)
        where = f"spm1d SpeedGRF subject {subject}"
        if values.shape != (TRIALS_PER_SUBJECT, N_SAMPLES):
            raise ValueError(f"{where}: expected curves of shape ({TRIALS_PER_SUBJECT}, {N_SAMPLES}), got {values.shape}")
        if speeds.shape != (TRIALS_PER_SUBJECT,):
            raise ValueError(f"{where}: expected {TRIALS_PER_SUBJECT} speeds, got shape {speeds.shape}")
        if not np.isfinite(values).all():
            row = int(np.argwhere(~np.isfinite(values))[0][0])
            raise ValueError(f"{where}: trial {row + 1} has a non-finite force value")
        if not (np.isfinite(speeds).all() and (speeds > 0).all()):
            raise ValueError(f"{where}: every walking speed must be a positive number")
        curves.append(values)
        directory = Path(dataset.datafile).parent
        for trial, speed in enumerate(speeds, start=1):
            rows.append({SUBJECT_COLUMN: subject + 1, "SESSION_ID": 1, "TRIAL_ID": trial, SPEED_COLUMN: float(speed)})
    stacked = np.concatenate(curves)[:, None, :]
    return Cohort(
        curves=stacked,
        channels=(CHANNEL,),
        trials=pd.DataFrame(rows),
        directory=directory or Path("."),
        dataset=DATASET,
        trial_key=TRIAL_KEY,
    )
