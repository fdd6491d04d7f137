"""Metrics on constructed data whose answers are known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.evaluation import seed_summary

from code_tables import blobs, codes, make_trials, trials  # noqa: F401


def test_summarize_over_seeds_numbers() -> None:
    table = pd.DataFrame(
        {"model": ["sae"] * 3 + ["svae"], "seed": [0, 1, 2, 0], "mse": [1.0, 2.0, 3.0, 5.0], "rate": [0.1, 0.1, 0.1, np.nan]}
    )
    summary = seed_summary.summarize_over_seeds(table).set_index(["model", "quantity"])
    sae = summary.loc[("sae", "mse")]
    half_width = stats.t.ppf(0.975, 2) * 1.0 / np.sqrt(3)
    assert (sae["n"], sae["mean"], sae["sd"]) == (3, 2.0, 1.0)
    assert sae["ci_low"] == pytest.approx(2 - half_width) and sae["ci_high"] == pytest.approx(2 + half_width)
    assert half_width == pytest.approx(2.484, abs=1e-3)
    single = summary.loc[("svae", "mse")]
    assert single["n"] == 1 and single["mean"] == 5.0
    assert np.isnan(single["sd"]) and np.isnan(single["ci_low"])
    assert summary.loc[("svae", "rate"), "n"] == 0
    assert summary.loc[("sae", "rate"), "sd"] == pytest.approx(0.0)
    assert set(summary.index.get_level_values("quantity")) == {"mse", "rate"}


def test_format_mean_sd() -> None:
    assert seed_summary.format_mean_sd(0.0712, 0.0149) == "0.07 ± 0.01"
    assert seed_summary.format_mean_sd(0.0712, 0.0149, digits=3) == "0.071 ± 0.015"
    assert seed_summary.format_mean_sd(0.0712, float("nan")) == "0.07 ± n/a"
    assert seed_summary.format_mean_sd(float("nan"), 1.0) == "n/a"
