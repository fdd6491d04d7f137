"""Calibration, twins, the evaluation design and the measures, on small hand-made inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from analysis import config, data
from analysis.data import CHANNELS
from analysis.gengait import evaluation, scoring, study_link, tables
from analysis.gengait.model import MaskedAutoencoder, ModelShape
from analysis.gengait.scoring import Calibration
from analysis.gengait.tokens import Scaler, TokenLayout
from analysis.gengait.training import TrainedAutoencoder


def test_calibration_sets_the_trial_level_rate():
    rng = np.random.default_rng(0)
    scores = rng.normal(size=(400, 50))
    calibration = Calibration.fit(scores, 0.05)
    assert calibration.flags(scores).any(axis=1).mean() == pytest.approx(0.05, abs=0.005)
    # One threshold per trial, not per part: each part alone is flagged far less often.
    assert calibration.flags(scores).mean() < 0.01


@pytest.mark.parametrize("rate", [0.0, 0.5, -1.0])
def test_bad_rate_is_named(rate):
    with pytest.raises(ValueError, match="rate must be in"):
        Calibration.fit(np.zeros((5, 3)), rate)


def tiny_trained() -> TrainedAutoencoder:
    layout = TokenLayout(CHANNELS, 101, 10)
    torch.manual_seed(0)
    network = MaskedAutoencoder(layout, ModelShape(d_model=8, encoder_layers=1, decoder_layers=1, heads=2, feedforward=8)).eval()
    curves = np.random.default_rng(1).normal(size=(10, 10, 101))
    return TrainedAutoencoder(network, layout, Scaler.fit(curves), pd.DataFrame(), 1, 0.0, False, "test")


def test_twin_copies_every_visible_sample_exactly():
    trained = tiny_trained()
    curves = np.random.default_rng(2).normal(size=(4, 10, 101))
    nothing = np.zeros((4, trained.layout.n_tokens), dtype=bool)
    np.testing.assert_array_equal(scoring.fill(trained, curves, nothing), curves)
    hidden = scoring.channel_tokens(trained, np.eye(4, 10, dtype=bool))
    twin = scoring.fill(trained, curves, hidden)
    changed = np.abs(twin - curves).max(axis=2) > 0
    np.testing.assert_array_equal(changed, np.eye(4, 10, dtype=bool))


def test_design_keeps_three_groups_of_people_apart(gutenberg_dir):
    cohort = data.load(gutenberg_dir)
    subjects = cohort.trials["SUBJECT_ID"].to_numpy()
    groups = [np.flatnonzero(subjects == subject) for subject in np.unique(subjects)]
    chosen = evaluation.design(cohort, groups[0], groups[1], groups[2], trials_per_subject=2, seed=0)
    assert chosen.evaluation.size == 2 and chosen.reidentify.size == groups[2].size - 2
    assert set(subjects[chosen.validation]).isdisjoint(subjects[chosen.evaluation])
    with pytest.raises(ValueError, match="validation and evaluation trials share subject"):
        evaluation.design(cohort, groups[0], groups[1], np.concatenate([groups[1][:1], groups[2]]), trials_per_subject=1)
    with pytest.raises(ValueError, match="trials_per_subject must be a positive integer, got 0"):
        evaluation.design(cohort, groups[0], groups[1], groups[2], trials_per_subject=0)


def test_conditions_and_bad_bilateral_kind():
    settings = config.resolve_gengait("smoke")
    found = evaluation.conditions(settings)
    assert found[0].kind == "none" and len(found) == 1 + 7 * 2 + 1 * 2
    with pytest.raises(ValueError, match=r"bilateral_kinds must be chosen from .*'antalgic'"):
        evaluation.conditions(config.resolve_gengait("smoke", bilateral_kinds=["antalgic"]))


def test_measures_on_known_values():
    assert evaluation.auroc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]) == pytest.approx(0.75)
    assert np.isnan(evaluation.auroc([1, 2], [1, 1]))
    scores = np.array([[3.0, 2.0, 1.0], [1.0, 2.0, 3.0]])
    labels = np.array([[False, False, True], [False, False, True]])
    np.testing.assert_array_equal(evaluation.top_k_hit(scores, labels, 2), [False, True])
    windows = np.zeros((1, 1, 101), bool)
    windows[0, 0, 10:20] = True
    truth = np.zeros((1, 1, 101), bool)
    truth[0, 0, 15:25] = True
    assert evaluation.window_iou(windows, truth, np.array([[True]]))[0] == pytest.approx(5 / 15)
    assert tables.verdict(0.01, 0.2) == tables.BETTER and tables.verdict(-0.2, -0.01) == tables.WORSE
    assert tables.verdict(-0.1, 0.1) == tables.UNCLEAR


def test_study_link_selectivity_and_atom_share():
    rng = np.random.default_rng(4)
    deltas = {kind: rng.normal(scale=0.01, size=(20, 5)) for kind in ("a", "b")}
    deltas["a"][:, 2] += 1.0
    deltas["b"][:, 4] += 1.0
    table = study_link.selectivity(deltas)
    assert table["feature"].tolist() == [2, 4]
    assert table["selectivity_auroc"].tolist() == [1.0, 1.0]
    atom = np.zeros((2, 101))
    atom[0, :10] = 1.0
    mask = np.zeros((2, 101), bool)
    mask[0, :20] = True
    assert study_link.inside_share(atom, mask) == pytest.approx((1.0, 20 / 202))
    with pytest.raises(ValueError, match="at least two kinds"):
        study_link.selectivity({"a": deltas["a"]})


def test_settings_errors_name_the_value():
    with pytest.raises(ValueError, match="unknown profile 'huge'"):
        config.resolve_gengait("huge")
    with pytest.raises(ValueError, match="severities must be .*got \\(0.5, 4.0\\)"):
        config.resolve_gengait("full", severities=[0.5, 4])
    with pytest.raises(ValueError, match="epochs must be a positive integer, got 0"):
        config.resolve_gengait("full", epochs=0)
    with pytest.raises(ValueError, match="unknown GenGait setting"):
        config.resolve_gengait("full", width=3)


def test_numbers_never_show_a_negative_zero():
    assert tables.number(-0.001) == "0.00"
    assert tables.number(-0.001, signed=True) == "+0.00"
    assert tables.with_interval(-0.004, -0.2, 0.1) == "0.00 [-0.20, 0.10]"
    assert tables.p_value(0.0002) == "< 0.001" and tables.number(float("nan")) == "–"
