"""Small random inputs (with missing metadata) that every figure test draws on."""

from __future__ import annotations

import io
from collections import namedtuple

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from analysis.data import CHANNELS, N_SAMPLES  # noqa: E402

Segment = namedtuple("Segment", "channel band start stop")


BAND_LENGTHS = {"A4": 14, "D4": 14, "D3": 20, "D2": 32, "D1": 55}


def render(figure: Figure) -> Figure:
    """Draw the figure completely (layout warnings only appear when drawing)."""
    assert isinstance(figure, Figure)
    figure.savefig(io.BytesIO(), format="png", dpi=40)
    return figure


@pytest.fixture(autouse=True)
def no_pyplot_figures_left():
    yield
    assert plt.get_fignums() == [], "plot functions must not register figures with pyplot"


@pytest.fixture
def trials() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n_subjects, per_subject = 12, 5
    subject = np.repeat(np.arange(1, n_subjects + 1), per_subject)
    index = subject - 1
    speed = rng.normal(1.45, 0.15, n_subjects)[index] + rng.normal(0, 0.03, subject.size)
    speed[:7] = np.nan
    age = rng.uniform(20, 70, n_subjects)[index]
    age[subject == 3] = np.nan
    sex = (np.arange(n_subjects) % 2).astype(float)[index]
    sex[subject == 4] = np.nan
    return pd.DataFrame(
        {
            "DATASET_ID": np.where(subject <= 2, 6, 1),
            "SUBJECT_ID": subject,
            "SESSION_ID": subject * 10,
            "TRIAL_ID": np.tile(np.arange(per_subject), n_subjects),
            "WALKING_SPEED": speed,
            "AGE": age,
            "HEIGHT": rng.normal(172, 9, n_subjects)[index],
            "BODY_WEIGHT": rng.normal(720, 110, n_subjects)[index],
            "SUBJECT_SEX": sex,
        }
    )


@pytest.fixture
def codes(trials: pd.DataFrame) -> np.ndarray:
    values = np.maximum(np.random.default_rng(1).normal(-0.5, 1, (len(trials), 8)), 0)
    values[:, 7] = 0.0  # a dead feature
    return values


@pytest.fixture
def curves(trials: pd.DataFrame) -> np.ndarray:
    rng = np.random.default_rng(2)
    stance = np.linspace(0, np.pi, N_SAMPLES)
    shape = np.sin(stance)[None, None, :] * rng.uniform(0.5, 1.5, (1, len(CHANNELS), 1))
    return shape + rng.normal(0, 0.05, (len(trials), len(CHANNELS), N_SAMPLES))


def layout() -> tuple[Segment, ...]:
    segments, start = [], 0
    for channel in CHANNELS:
        for band, length in BAND_LENGTHS.items():
            segments.append(Segment(channel, band, start, start + length))
            start += length
    return tuple(segments)


# --- style and output -------------------------------------------------------
