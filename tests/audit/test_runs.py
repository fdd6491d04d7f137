"""The audit sweep end to end on a tiny cohort: every configuration trains, is measured and tabulated."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import config
from analysis.audit import runs, switches, tables
from analysis.data import Cohort


def _cohort(n_subjects: int = 6, trials_per_subject: int = 3) -> Cohort:
    rng = np.random.default_rng(1)
    n = n_subjects * trials_per_subject
    subject = np.repeat(np.arange(1, n_subjects + 1), trials_per_subject)
    trials = pd.DataFrame(
        {
            "DATASET_ID": 1, "SUBJECT_ID": subject, "SESSION_ID": subject, "TRIAL_ID": np.tile(np.arange(1, trials_per_subject + 1), n_subjects),
            "WALKING_SPEED": rng.uniform(0.8, 1.6, n), "AGE": np.repeat(rng.uniform(20, 70, n_subjects), trials_per_subject),
            "HEIGHT": np.repeat(rng.uniform(150, 190, n_subjects), trials_per_subject),
            "BODY_WEIGHT": np.repeat(rng.uniform(500, 900, n_subjects), trials_per_subject),
        }
    )  # fmt: skip
    curves = np.sin(np.linspace(0, np.pi, 101))[None, None, :] + 0.1 * rng.standard_normal((n, 2, 101))
    return Cohort(curves=curves, channels=("F_V_left", "F_V_right"), trials=trials, directory=Path("."))


@pytest.mark.slow
def test_every_configuration_is_trained_measured_and_tabulated() -> None:
    audit = config.resolve_audit("smoke", seeds=[0], epochs=2, latent_dim=4)
    settings = runs.study_settings(audit)
    audit_runs = runs.train_all(_cohort(), settings, audit, cache_dir=None)
    per_seed = runs.metrics(audit_runs)
    names = [configuration.name for configuration in audit_runs.configurations]
    assert names == ["none", *switches.SWITCH_KEYS, "all"]
    assert len(per_seed) == len(names) * len(config.MODEL_NAMES)
    # Switch 5 makes the plain SAE the SAE + disentanglement: same weights, same numbers.
    penalties = per_seed[per_seed["configuration"] == "code_penalties"].set_index("model")
    assert penalties.loc["sae", "same_as_sae_disentangled"] == 1.0
    # Switch 7 trains nothing: the pipeline's models, measured the code's way.
    figure = per_seed[per_seed["configuration"] == "coefficient_figure"].set_index("model")
    pipeline = per_seed[per_seed["configuration"] == "none"].set_index("model")
    assert np.allclose(figure["mse"], pipeline["mse"])
    widths = runs.input_widths(audit_runs).set_index("configuration")
    assert widths.loc["2", "coefficients per sample"] == 141 * 2 and widths.loc["all but 7", "coefficients per sample"] == 141
    table = tables.switch_table(per_seed, names)
    assert list(table.columns[2:-1]) == ["none", "1", "2", "3", "4", "5", "6", "7", "all"]
    assert audit_runs.trained_rows > 0 and runs.training_speed(audit_runs)["pairs"] == len(audit_runs.runs)
