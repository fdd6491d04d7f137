"""Subject-grouped splits, train-only standardisation and the feature set's identity."""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from analysis.data import CHANNELS, N_SAMPLES
from analysis.features.model_inputs import (
    FeatureSet,
    Split,
    Standardizer,
    build_features,
    subject_split,
    to_curves,
)
from analysis.features.wavelets import encode, layout

PARTS = ("train", "validation", "test")


def trial_subjects(n_subjects: int, seed: int = 0) -> np.ndarray:
    """Subject ID of every trial; subjects have 1 to 6 trials, rows interleaved."""
    rng = np.random.default_rng(seed)
    ids = np.repeat(np.arange(100, 100 + n_subjects), rng.integers(1, 7, size=n_subjects))
    return rng.permutation(ids)


def stand_in_cohort(n_subjects: int = 24, seed: int = 0) -> SimpleNamespace:
    """A small cohort with GRF-like magnitudes: forces ~1 BW, COP ~0.1 m."""
    rng = np.random.default_rng(seed)
    subjects = trial_subjects(n_subjects, seed)
    time = np.linspace(0.0, 1.0, N_SAMPLES)
    harmonics = np.stack([np.sin((k + 1) * np.pi * time) for k in range(3)])
    amplitude = np.array([1.0 if name.startswith("F_V") else 0.2 if name.startswith("F") else 0.1 for name in CHANNELS])
    subject_weights = {subject: rng.normal([1.0, 0.0, 0.3], 0.1, size=(len(CHANNELS), 3)) for subject in set(subjects)}
    weights = np.stack([subject_weights[subject] for subject in subjects])
    weights += rng.normal(0.0, 0.02, size=weights.shape)
    curves = amplitude[None, :, None] * (weights @ harmonics)
    curves += rng.normal(0.0, 0.002, size=curves.shape)
    trials = pd.DataFrame(
        {
            "DATASET_ID": 1,
            "SUBJECT_ID": subjects,
            "SESSION_ID": 1,
            "TRIAL_ID": np.arange(len(subjects)),
        }
    )
    return SimpleNamespace(curves=curves, channels=CHANNELS, trials=trials)


# --- subject_split ---------------------------------------------------------


def test_split_keeps_subjects_whole_and_covers_every_trial() -> None:
    subjects = trial_subjects(40)
    split = subject_split(subjects, seed=3)
    subject_sets = [set(subjects[split.part(name)]) for name in PARTS]
    assert not subject_sets[0] & subject_sets[1]
    assert not subject_sets[0] & subject_sets[2]
    assert not subject_sets[1] & subject_sets[2]
    union = np.sort(np.concatenate([split.train, split.validation, split.test]))
    np.testing.assert_array_equal(union, np.arange(subjects.size))
    for name in PARTS:
        indices = split.part(name)
        assert indices.dtype == np.int64
        assert np.all(np.diff(indices) > 0)


def test_split_honours_subject_fractions() -> None:
    split = subject_split(np.arange(350))
    assert {name: size["subjects"] for name, size in split.sizes().items()} == {
        "train": 245,
        "validation": 53,
        "test": 52,
    }
    sizes = subject_split(trial_subjects(40), fractions=(0.5, 0.25, 0.25)).sizes()
    assert [sizes[name]["subjects"] for name in PARTS] == [20, 10, 10]
    assert sum(size["trials"] for size in sizes.values()) == trial_subjects(40).size


def test_split_is_deterministic_and_seed_dependent() -> None:
    subjects = trial_subjects(30)
    assert subject_split(subjects, seed=1) == subject_split(subjects, seed=1)
    assert subject_split(subjects, seed=1) != subject_split(subjects, seed=2)


def test_split_does_not_depend_on_row_order_of_subjects() -> None:
    subjects = np.array(["s3", "s1", "s2", "s1", "s4", "s5", "s6", "s2"])
    reordered = subjects[::-1]
    forward = subject_split(subjects, seed=4)
    backward = subject_split(reordered, seed=4)
    for name in PARTS:
        assert set(subjects[forward.part(name)]) == set(reordered[backward.part(name)])


def test_three_subjects_fill_every_part() -> None:
    split = subject_split(["a", "a", "b", "c", "c", "c"])
    assert all(size["subjects"] == 1 for size in split.sizes().values())


def test_split_accepts_any_hashable_ids() -> None:
    ids = [(1, "x"), (2, "y"), (1, "x"), (3, "z"), (4, "w")]
    split = subject_split(ids)
    assert sum(size["subjects"] for size in split.sizes().values()) == 4
    assert isinstance(split, Split)


def test_split_errors_are_clear() -> None:
    with pytest.raises(ValueError, match=re.escape("needs at least 3 subjects, got 2")):
        subject_split([7, 7, 8])
    with pytest.raises(ValueError, match=re.escape("fractions must sum to 1, got (0.7, 0.2, 0.2) (sum 1.1)")):
        subject_split(np.arange(10), fractions=(0.7, 0.2, 0.2))
    with pytest.raises(ValueError, match=re.escape("every fraction must be positive, got (0.9, 0.1, 0.0)")):
        subject_split(np.arange(10), fractions=(0.9, 0.1, 0.0))
    with pytest.raises(ValueError, match=re.escape("fractions must give one share per part")):
        subject_split(np.arange(10), fractions=(0.5, 0.5))
    with pytest.raises(ValueError, match=re.escape("subject_ids has a missing value at row 2")):
        subject_split(["a", "b", None, "c"])
    with pytest.raises(ValueError, match=re.escape("unknown part 'training'")):
        subject_split(np.arange(5)).part("training")


# --- Standardizer ----------------------------------------------------------


def test_standardizer_uses_training_rows_only() -> None:
    rng = np.random.default_rng(0)
    train = rng.normal(5.0, 2.0, size=(200, 4))
    test = rng.normal(8.0, 0.5, size=(50, 4))
    standardizer = Standardizer().fit(train)
    scaled_train = standardizer.transform(train)
    np.testing.assert_allclose(scaled_train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(scaled_train.std(axis=0), 1.0, atol=1e-12)
    scaled_test = standardizer.transform(test)
    assert np.all(np.abs(scaled_test.mean(axis=0)) > 0.5)
    np.testing.assert_allclose(standardizer.inverse_transform(scaled_test), test, atol=1e-12)


def test_standardizer_leaves_constant_columns_unscaled() -> None:
    x = np.column_stack([np.full(6, 0.1), np.zeros(6), np.arange(6.0)])
    standardizer = Standardizer().fit(x)
    np.testing.assert_array_equal(standardizer.scale_[:2], [1.0, 1.0])
    scaled = standardizer.transform(x)
    assert np.all(np.isfinite(scaled))
    np.testing.assert_allclose(scaled[:, :2], 0.0, atol=1e-15)


def test_standardizer_state_round_trip() -> None:
    x = np.random.default_rng(1).normal(size=(10, 3))
    fitted = Standardizer().fit(x)
    restored = Standardizer.from_state(fitted.state_dict())
    np.testing.assert_array_equal(restored.transform(x), fitted.transform(x))
    with pytest.raises(ValueError, match=re.escape("Standardizer state lacks ['scale']")):
        Standardizer.from_state({"mean": np.zeros(3)})


def test_standardizer_errors_are_clear() -> None:
    with pytest.raises(RuntimeError, match=re.escape("Standardizer is not fitted; call fit(x) first")):
        Standardizer().transform(np.zeros((2, 2)))
    fitted = Standardizer().fit(np.ones((3, 2)))
    with pytest.raises(ValueError, match=re.escape("x has 3 columns but the Standardizer was fitted on 2")):
        fitted.transform(np.zeros((1, 3)))
    with pytest.raises(ValueError, match=re.escape("x has a non-finite value at row 1, column 0")):
        Standardizer().fit(np.array([[0.0, 1.0], [np.inf, 2.0]]))


# --- build_features --------------------------------------------------------


def test_trial_feature_set_shapes_and_rows() -> None:
    cohort = stand_in_cohort()
    features = build_features(cohort)
    assert isinstance(features, FeatureSet)
    for name in PARTS:
        matrix = getattr(features, name)
        assert matrix.dtype == np.float32
        assert matrix.shape == (features.split.part(name).size, 1350)
        np.testing.assert_array_equal(features.rows(name), features.split.part(name))
    assert features.layout == layout(CHANNELS, "trial")
    assert features.channels == CHANNELS
    assert len(features.trials) == cohort.curves.shape[0]
    assert len(features.identity) == 64


def test_standardisation_is_fitted_on_training_trials() -> None:
    cohort = stand_in_cohort()
    features = build_features(cohort)
    training_coefficients = encode(cohort.curves[features.split.train])
    np.testing.assert_allclose(features.standardizer.mean_, training_coefficients.mean(axis=0), atol=1e-12)
    np.testing.assert_allclose(features.train.mean(axis=0), 0.0, atol=1e-5)
    assert np.abs(features.test.mean(axis=0)).max() > 0.05


def test_channel_feature_set_keeps_subjects_grouped() -> None:
    cohort = stand_in_cohort()
    features = build_features(cohort, unit="channel")
    subjects = cohort.trials["SUBJECT_ID"].to_numpy()
    for name in PARTS:
        rows = features.rows(name)
        assert getattr(features, name).shape == (rows.size, 135)
        assert rows.size == 10 * features.split.part(name).size
    assert not set(subjects[features.rows("train")]) & set(subjects[features.rows("test")])
    assert features.layout == layout(unit="channel")


def test_to_curves_restores_the_training_curves() -> None:
    cohort = stand_in_cohort()
    features = build_features(cohort)
    restored = to_curves(features.train, features)
    original = cohort.curves[features.rows("train")]
    assert restored.shape == original.shape
    assert np.max(np.abs(restored - original)) < 1e-6


def test_to_curves_in_channel_unit_gives_one_curve_per_row() -> None:
    cohort = stand_in_cohort()
    features = build_features(cohort, unit="channel")
    restored = to_curves(features.test, features)
    original = cohort.curves[features.split.test].reshape(-1, N_SAMPLES)
    assert restored.shape == original.shape
    assert np.max(np.abs(restored - original)) < 1e-6


def test_identity_is_stable_and_tracks_data_split_and_unit() -> None:
    cohort = stand_in_cohort()
    reference = build_features(cohort).identity
    assert build_features(stand_in_cohort()).identity == reference
    changed = stand_in_cohort()
    changed.curves[0, 0, 0] += 1e-9
    assert build_features(changed).identity != reference
    assert build_features(cohort, split_seed=1).identity != reference
    assert build_features(cohort, fractions=(0.6, 0.2, 0.2)).identity != reference
    assert build_features(cohort, unit="channel").identity != reference


def test_build_features_rejects_inconsistent_cohort() -> None:
    cohort = stand_in_cohort()
    short = SimpleNamespace(curves=cohort.curves, channels=CHANNELS, trials=cohort.trials.iloc[:-1])
    with pytest.raises(ValueError, match=re.escape(f"cohort.trials has {len(cohort.trials) - 1} rows but")):
        build_features(short)
    unnamed = SimpleNamespace(curves=cohort.curves, channels=CHANNELS, trials=cohort.trials.drop(columns="SUBJECT_ID"))
    with pytest.raises(ValueError, match=re.escape("cohort.trials has no SUBJECT_ID column")):
        build_features(unnamed)
    fewer_channels = SimpleNamespace(curves=cohort.curves, channels=CHANNELS[:4], trials=cohort.trials)
    with pytest.raises(ValueError, match=re.escape("cohort.curves must have shape (n_trials, 4 channels, n_samples)")):
        build_features(fewer_channels)
