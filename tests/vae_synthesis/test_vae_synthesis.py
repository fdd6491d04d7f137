"""The VAE-synthesis system: controls of the two-sample tests, fold-local training, SPM edge cases, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import config
from analysis.vae_synthesis import generation, networks, realism, spm
from analysis.vae_synthesis.samples import CONDITIONS, SUBJECT, CurveScaler, Samples, fewer_subjects, grouped_folds

CHANNELS = ("F_V_left", "F_V_right", "F_AP_left", "F_AP_right", "F_ML_left", "F_ML_right", "COP_AP_left", "COP_AP_right", "COP_ML_left", "COP_ML_right")


def toy_curves(n_subjects: int, per_subject: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Smooth random curves with a subject effect; COP AP starts at exactly 0 as in the format."""
    rng = np.random.default_rng(seed)
    grid = np.linspace(0, 1, 101)
    basis = np.stack([np.sin(np.pi * (k + 1) * grid) for k in range(4)])
    subject_scores = rng.normal(size=(n_subjects, 10, 4))
    scores = np.repeat(subject_scores, per_subject, axis=0) + 0.3 * rng.normal(size=(n_subjects * per_subject, 10, 4))
    curves = scores @ basis + 0.02 * rng.normal(size=(n_subjects * per_subject, 10, 101))
    curves[:, 6:8, 0] = 0.0
    return curves, np.repeat(np.arange(n_subjects), per_subject)


def toy_samples(n_subjects: int = 24, per_subject: int = 3) -> Samples:
    curves, subjects = toy_curves(n_subjects, per_subject, 0)
    rng = np.random.default_rng(1)
    trials = pd.DataFrame({SUBJECT: subjects, **{name: rng.normal(size=len(subjects)) for name in CONDITIONS}})
    return Samples(curves, trials, CHANNELS, len(curves), 0)


def test_grouped_c2st_is_chance_on_halves_and_detects_the_poor_generator() -> None:
    curves, subjects = toy_curves(60, 2, 3)
    half = np.isin(subjects, np.arange(30))
    table = realism.c2st_table(
        {"halves": (curves[half], curves[~half], subjects[half], subjects[~half])},
        seed=0, boosting_iterations=10, n_bootstrap=200, classifiers=realism.CLASSIFIERS[:2],
    )
    assert table["accuracy"].between(0.35, 0.65).all()
    assert ((table["low"] <= 0.5) & (table["high"] >= 0.5)).any()
    scaler = CurveScaler(curves.reshape(len(curves), -1))
    poor = scaler.inverse(realism.pca_gaussian(scaler.transform(curves.reshape(len(curves), -1)), 120, 2, 0)).reshape(120, 10, 101)
    detected = realism.c2st_table({"poor": (curves, poor, subjects, None)}, seed=0, boosting_iterations=20, n_bootstrap=100)
    assert realism.headline(detected)["accuracy"].item() >= realism.DETECTED


def test_folds_keep_subjects_apart_and_test_each_once() -> None:
    subjects = np.repeat(np.arange(40), 3)
    folds = grouped_folds(subjects, 5, seed=0)
    tested = np.concatenate([subjects[fold.test] for fold in folds])
    assert sorted(np.unique(tested)) == list(range(40)) and len(tested) == len(subjects)
    for fold in folds:
        parts = [set(subjects[rows]) for rows in (fold.train, fold.validation, fold.test)]
        assert not (parts[0] & parts[1] or parts[0] & parts[2] or parts[1] & parts[2])
    fewer = fewer_subjects(folds[0].train, subjects, 5, seed=0)
    assert np.unique(subjects[fewer]).size == 5 and set(fewer) <= set(folds[0].train)


def test_fold_local_vae_never_sees_test_subjects(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("LATENT_MOTION_CACHE", str(tmp_path))
    samples = toy_samples()
    folds = grouped_folds(samples.subjects, 3, seed=0)
    seen: list[np.ndarray] = []
    original = networks.fit

    def spy(kind, arguments, training, train, validation, *rest, **options):
        seen.append(np.asarray(train))
        return original(kind, arguments, training, train, validation, *rest, **options)

    monkeypatch.setattr(networks, "fit", spy)
    settings = config.resolve_vae_synthesis("smoke", vae_epochs=2, vae_patience=1)
    models = generation.fold_vaes(samples, folds, settings)
    for fold, model, train in zip(folds, models, seen):
        expected = model.scaler.transform(samples.flat[fold.train])
        assert np.array_equal(train, expected)
        test_rows = model.scaler.transform(samples.flat[fold.test])
        assert not any((np.abs(train - row).max(axis=1) == 0).any() for row in test_rows)
    generated = models[0].curves(7, seed=0, noisy=True)
    assert generated.shape == (7, 10, 101)
    assert np.all(generated[:, 6:8, 0] == 0.0)  # the format's constant start is kept exact


def test_spm_drops_a_constant_node_with_a_note_and_finds_a_planted_shift() -> None:
    curves, _ = toy_curves(80, 1, 5)
    a, b = curves[:40], curves[40:]
    table = spm.channel_tests(a, b, CHANNELS, permutations=100, seed=0)
    assert table.loc[table["channel"] == "COP_AP_left", "note"].item() == "1 constant node(s) dropped"
    joint = spm.hotelling(a, b, permutations=100, seed=0)
    assert "constant" in joint["note"] and np.isfinite(joint["max T²"])
    planted = spm.plant_bump(b, 0, np.full(len(b), 30), amplitude=2.0)
    found = spm.channel_tests(a, planted, CHANNELS, permutations=100, seed=0)
    assert bool(found.loc[found["channel"] == "F_V_left", "significant"].item())


def test_permutation_t_field_matches_spm1d() -> None:
    import spm1d

    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(12, 30)), rng.normal(size=(15, 30))
    assert np.allclose(spm.t_field(a, b), spm1d.stats.ttest2(a, b).z)


@pytest.mark.parametrize(
    ("overrides", "named"),
    [({"n_folds": 2}, "n_folds"), ({"vae_epochs": 0}, "vae_epochs"), ({"subject_counts": [10, -1]}, "subject_counts"), ({"beta": -1.0}, "beta"), ({"augmentation_folds": 9}, "augmentation_folds"), ({"wrong": 1}, "wrong")],
)
def test_bad_settings_name_the_value(overrides: dict, named: str) -> None:
    with pytest.raises(ValueError, match=named):
        config.resolve_vae_synthesis("smoke", **overrides)


def test_bad_arguments_name_the_value() -> None:
    with pytest.raises(ValueError, match="n_folds"):
        grouped_folds(np.arange(30), 2, seed=0)
    with pytest.raises(ValueError, match="components"):
        realism.pca_gaussian(np.zeros((5, 4)), 3, 9, 0)
    with pytest.raises(ValueError, match="permutations"):
        spm.permutation_ttest(np.zeros((3, 4)), np.zeros((3, 4)), 1, 0, 0.05)
    with pytest.raises(ValueError, match="batch_size"):
        networks.Training(epochs=1, patience=1, batch_size=0)
    with pytest.raises(ValueError, match="unknown classifier"):
        realism.c2st_correct(np.zeros((6, 2)), np.zeros((6, 2)), np.arange(6), None, "svm")


def test_vectorised_permutations_match_one_at_a_time() -> None:
    rng = np.random.default_rng(0)
    pooled = rng.normal(size=(30, 12)).cumsum(axis=1)
    masks = spm._first_group_masks(30, 14, 6, seed=1)
    one_at_a_time = [np.abs(spm.t_field(pooled[mask == 1], pooled[mask == 0])).max() for mask in masks]
    assert np.allclose(spm.permuted_max_t(pooled, 14, 6, seed=1), one_at_a_time)
    assert (masks.sum(axis=1) == 14).all()
