"""Properties of the relevance system: folds, LRP identities, conservation, planted recovery, errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from analysis import config
from analysis.relevance import attribution, checks, folds, models, shares, training
from analysis.relevance.data import EARLY_PHASE, ContrastData, Scaler, checked_contrast, phase_mask
from analysis.relevance.planted import early_taper


def _labels(n_subjects: int = 20, per_subject: int = 3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    subjects = np.repeat(np.arange(n_subjects), per_subject)
    labels = np.repeat(np.arange(n_subjects) % 2, per_subject)
    return labels, subjects


def test_grouped_folds_keep_subjects_apart_and_cover_every_trial() -> None:
    labels, subjects = _labels(25, 4)
    split = folds.grouped_folds(labels, subjects, 5, seed=0)
    assert folds.disjoint(split, subjects)
    assert np.array_equal(np.sort(np.concatenate([test for _, test in split])), np.arange(labels.size))
    for _, test in split:
        assert set(labels[test]) == {0, 1}


def test_trial_folds_are_the_leaky_split() -> None:
    labels, subjects = _labels(10, 6)
    assert not folds.disjoint(folds.trial_folds(labels, 3, seed=0), subjects)


def test_validation_split_holds_out_whole_subjects() -> None:
    labels, subjects = _labels(20, 3)
    rows = np.arange(labels.size)
    fit, validation = folds.validation_split(labels, subjects, rows, 0.2, seed=0)
    assert not set(subjects[fit]) & set(subjects[validation])
    assert set(labels[validation]) == {0, 1}


def test_unknown_contrast_is_named() -> None:
    with pytest.raises(ValueError, match="unknown contrast 'mileage'"):
        checked_contrast("mileage")
    from analysis.relevance import study

    with pytest.raises(ValueError, match="unknown contrast 'mileage'"):
        study.prepare(config.resolve_relevance("smoke", contrasts=["mileage"]))


def test_fewer_than_two_classes_is_refused() -> None:
    labels, subjects = _labels(10, 2)
    with pytest.raises(ValueError, match="fewer than two classes with data: only \\['slow'\\]"):
        folds.grouped_folds(np.zeros_like(labels), subjects, 3, seed=0, class_names=("slow", "fast"))


def test_class_without_subjects_in_a_fold_is_named() -> None:
    labels, subjects = _labels(20, 2)
    labels = labels.copy()
    labels[subjects >= 2] = 0  # only subject 1 is in class 1
    with pytest.raises(ValueError, match="class 'older' has 1 subject"):
        folds.grouped_folds(labels, subjects, 3, seed=0, class_names=("young", "older"))


def test_unknown_settings_and_models_are_named() -> None:
    with pytest.raises(ValueError, match="unknown relevance setting"):
        config.resolve_relevance("smoke", epochs=3)
    with pytest.raises(ValueError, match="unknown model"):
        models.checked_models(("transformer",))
    with pytest.raises(ValueError, match="unknown scaling 'robust'"):
        Scaler.fit(np.zeros((3, 2, 5)), "robust")


def _linear(seed: int = 0, bias: bool = True) -> nn.Module:
    torch.manual_seed(seed)
    model = models.Linear(3, 11, 2)
    if not bias:
        with torch.no_grad():
            model.linear.bias.zero_()
    return model.eval()


def test_lrp_of_a_linear_model_equals_gradient_times_input() -> None:
    model = _linear()
    x = np.random.default_rng(0).normal(size=(8, 3, 11)).astype(np.float32)
    targets = np.array([0, 1] * 4)
    relevance = attribution.lrp(model, x, targets, epsilon=1e-9)
    expected = attribution.gradient_x_input(model, x, targets)
    np.testing.assert_allclose(relevance, expected, rtol=1e-4, atol=1e-5)
    weights = model.linear.weight.detach().numpy()
    np.testing.assert_allclose(relevance[0], (weights[0] * x[0].ravel()).reshape(3, 11), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", ["mlp", "cnn"])
def test_lrp_conserves_the_logit_without_biases(name: str) -> None:
    """With all biases zero, Σ relevance = logit within 1 % at small ε (the stated tolerance)."""
    torch.manual_seed(0)
    model = models.build(name, 10, 101, 2, (32, 16), 0.0).eval()
    with torch.no_grad():
        for module in model.modules():
            if getattr(module, "bias", None) is not None:
                module.bias.zero_()
    x = np.random.default_rng(1).normal(size=(16, 10, 101)).astype(np.float32)
    targets = np.zeros(16, dtype=int)
    relevance = attribution.lrp(model, x, targets, epsilon=1e-9)
    ratio = attribution.conservation(relevance, attribution.logits(model, x, targets))
    np.testing.assert_allclose(ratio, 1.0, atol=0.01)


def test_an_input_with_zero_weight_gets_zero_relevance() -> None:
    torch.manual_seed(0)
    model = models.build("mlp", 10, 101, 2, (32, 16), 0.0).eval()
    with torch.no_grad():
        first = model.layers[0].weight.view(32, 10, 101)
        first[:, 3, 20:30] = 0.0
    x = np.random.default_rng(2).normal(size=(6, 10, 101)).astype(np.float32)
    relevance = attribution.lrp(model, x, np.ones(6, dtype=int), epsilon=1e-6)
    assert np.all(relevance[:, 3, 20:30] == 0)
    assert np.abs(relevance[:, 3, 30:40]).sum() > 0


@pytest.mark.parametrize("name", ["mlp", "cnn"])
def test_lrp_keeps_its_rule_across_batches(name: str) -> None:
    """captum strips the rules after each call; every batch must still use the chosen ε."""
    torch.manual_seed(0)
    model = models.build(name, 10, 101, 2, (16,), 0.0).eval()
    x = np.random.default_rng(5).normal(size=(6, 10, 101)).astype(np.float32)
    targets = np.zeros(6, dtype=int)
    whole = attribution.lrp(model, x, targets, epsilon=0.5, batch_size=6)
    batched = attribution.lrp(model, x, targets, epsilon=0.5, batch_size=2)
    np.testing.assert_allclose(batched, whole, rtol=1e-5, atol=1e-6)


def test_bad_epsilon_is_named() -> None:
    with pytest.raises(ValueError, match="lrp_epsilon must be positive"):
        attribution.lrp(_linear(), np.zeros((1, 3, 11), dtype=np.float32), np.zeros(1, dtype=int), epsilon=0.0)


def test_phase_share_is_per_sample() -> None:
    """A uniform map gives 0.5 although the late phase has more samples."""
    assert shares.early_share(np.ones((10, 101))) == pytest.approx(0.5)
    only_early = np.zeros((10, 101))
    only_early[:, phase_mask(101, EARLY_PHASE)] = 1.0
    assert shares.early_share(only_early) == pytest.approx(1.0)
    channels = ("F_V_left", "F_V_right", "COP_AP_left")
    pooled = shares.component_shares(np.array([[1.0], [1.0], [2.0]]), channels)
    assert pooled.to_dict() == pytest.approx({"F_V": 0.5, "COP_AP": 0.5})


def test_taper_keeps_the_change_inside_the_early_phase() -> None:
    taper = early_taper(101)
    assert taper[0] == 0 and np.all(taper[EARLY_PHASE[1] + 1 :] == 0)
    assert np.all(taper[1:41] == 1) and np.all(np.diff(taper[40:48]) <= 0)


def test_per_sample_scaling_leaves_a_constant_sample_at_zero() -> None:
    curves = np.random.default_rng(0).normal(size=(20, 2, 5))
    curves[:, 1, 0] = 0.0
    scaled = Scaler.fit(curves, "sample").transform(curves)
    assert np.all(scaled[:, 1, 0] == 0) and np.isfinite(scaled).all()


def test_spm_drops_the_constant_node() -> None:
    labels, subjects = _labels(16, 2)
    rng = np.random.default_rng(3)
    curves = rng.normal(size=(labels.size, 2, 30))
    curves[:, 1, 0] = 0.0
    curves[labels == 1, 0, 5:15] += 3.0
    mask, clusters, notes = checks.spm_tests(curves, labels, subjects, 0.05, ("F_V_left", "COP_AP_left"))
    assert mask[0, 8:12].all() and not mask[1].any()
    assert notes == ["COP_AP_left: sample at 0 %"]
    assert clusters and clusters[0]["channel"] == 0


def test_planted_window_is_recovered_above_chance() -> None:
    """A small problem with its signal in 10–30 % of one channel: the MLP's LRP mass there beats a uniform map."""
    rng = np.random.default_rng(0)
    labels, subjects = _labels(40, 4)
    curves = rng.normal(size=(labels.size, 4, 101)).astype(np.float32)
    curves[labels == 1, 1, 10:31] += 1.2
    window = np.zeros((4, 101), dtype=bool)
    window[1, 10:31] = True
    x = Scaler.fit(curves).transform(curves)
    train, test = folds.grouped_folds(labels, subjects, 4, seed=0)[0]
    fit, validation = folds.validation_split(labels, subjects, train, 0.2, seed=0)
    fitted = training.fit_network(
        "mlp", x[fit], labels[fit], x[validation], labels[validation], n_classes=2, hidden=(32,), dropout=0.0,
        max_epochs=30, patience=5, batch_size=32, learning_rate=1e-3, seed=0,
    )
    predicted = training.probabilities(fitted.model, x[test]).argmax(axis=1)
    assert (predicted == labels[test]).mean() > 0.75
    correct = test[predicted == labels[test]]
    relevance = attribution.lrp(fitted.model, x[correct], labels[correct], epsilon=1e-6)
    relevance_map = checks.class_mean_map(relevance, labels[correct])
    assert checks.mass_inside(relevance_map, window) > 2 * window.mean()


def test_randomised_model_has_new_weights() -> None:
    model = models.build("mlp", 2, 5, 2, (4,), 0.0)
    shuffled = models.randomised(model, seed=1)
    assert not torch.equal(model.layers[0].weight, shuffled.layers[0].weight)


def test_contrast_data_checks_lengths() -> None:
    with pytest.raises(ValueError, match="one entry per trial"):
        ContrastData("sex", np.zeros((3, 2, 5)), np.zeros(2, dtype=int), np.zeros(3), ("a", "b"), ("x", "y"), "")


def test_deletion_with_a_perfect_ranking_beats_random() -> None:
    model = _linear(bias=False)
    x = np.random.default_rng(4).normal(size=(40, 3, 11)).astype(np.float32)
    logits = attribution.logits(model, x, np.zeros(40, dtype=int)), attribution.logits(model, x, np.ones(40, dtype=int))
    labels = (logits[1] > logits[0]).astype(int)
    relevance = attribution.gradient_x_input(model, x, labels)
    baseline = np.zeros((3, 11), dtype=np.float32)
    ranked = checks.deletion_curve(model, x, labels, relevance, baseline, (0.0, 0.3))
    shuffled = checks.deletion_curve(model, x, labels, np.random.default_rng(0).random(x.shape), baseline, (0.0, 0.3))
    assert ranked[0] == 1.0 and ranked[1] < shuffled[1]


@pytest.mark.slow
def test_planted_contrast_recovery_on_the_smoke_profile() -> None:
    """The generator's planted contrast, smoke-sized: accuracy and relevance mass in the window above chance."""
    from analysis.relevance import experiment, study

    settings = config.resolve_relevance("smoke", contrasts=["planted"], models=["mlp"])
    inputs = study.prepare(settings)
    data = study.build_contrast("planted", inputs)
    assert np.all(data.truth_map[:, EARLY_PHASE[1] + 1 :] == 0) and data.truth_map[:, 0].max() == 0
    result = experiment.run_contrast(data, settings, faithfulness=False)
    values = experiment.explanation_checks(result, settings)
    assert values["mass_in_window"] > values["window_chance"]
    assert result.scores[result.scores.model == "mlp"]["subject_balanced_accuracy"].mean() > 0.5


def test_gaitrec_class_contrast_labels_healthy_against_one_class() -> None:
    import pandas as pd

    from analysis.data.cohort import Cohort
    from analysis.data.gaitrec import CLASS_LABELS, ID_COLUMNS
    from analysis.relevance.data import class_contrast

    classes = ["HC", "K", "H", "K", "HC"]
    trials = pd.DataFrame(
        {"SUBJECT_ID": [1, 2, 3, 4, 5], "SESSION_ID": [10, 20, 30, 40, 50], "TRIAL_ID": 1, "CLASS_LABEL": classes}
    )
    cohort = Cohort(np.zeros((5, 10, 101)), tuple(f"c{i}" for i in range(10)), trials, directory=Path("."), dataset="gaitrec", trial_key=ID_COLUMNS)
    data = class_contrast(cohort, "K", CLASS_LABELS)
    assert data.subjects.tolist() == [1, 2, 4, 5] and data.labels.tolist() == [0, 1, 1, 0]
    assert data.class_names == ("healthy control", "knee")
    with pytest.raises(ValueError, match="unknown impairment class 'X'"):
        class_contrast(cohort, "X", CLASS_LABELS)


def test_atom_agreement_ranks_the_matching_atom_first() -> None:
    relevance_map = np.zeros((2, 20))
    relevance_map[0, 5:10] = 1.0
    rng = np.random.default_rng(0)
    atoms = rng.normal(size=(5, 2, 20)) * 0.1
    atoms[3, 0, 5:10] += 2.0
    rho, beaten = checks.atom_agreement(relevance_map, atoms, 3)
    assert rho > 0.3 and beaten == 1.0
    with pytest.raises(ValueError, match="chosen feature 7"):
        checks.atom_agreement(relevance_map, atoms, 7)


def test_contrast_table_states_the_verdicts() -> None:
    import pandas as pd

    from analysis.relevance import tables

    rows = []
    for fold in range(5):
        rows.append({"contrast": "sex", "model": "oracle", "fold": fold, "seed": -1, "trial_balanced_accuracy": 0.8, "subject_balanced_accuracy": 0.8 + 0.01 * fold})
        rows.append({"contrast": "sex", "model": "mlp", "fold": fold, "seed": 0, "trial_balanced_accuracy": 0.79, "subject_balanced_accuracy": 0.79 + 0.01 * fold})
        rows.append({"contrast": "sex", "model": "cnn", "fold": fold, "seed": 0, "trial_balanced_accuracy": 0.5, "subject_balanced_accuracy": 0.45 + 0.03 * fold})
    table = tables.contrast_table(pd.DataFrame(rows)).set_index("model")
    assert table.loc["oracle (LDA on generator factors)", "verdict"] == "yardstick"
    assert table.loc["MLP", "verdict"] == "separates, reaches the oracle"
    assert table.loc["1-D CNN", "verdict"] == "does not separate"
    assert tables.oracle_note(pd.DataFrame(rows)) == "No model exceeds its oracle."
