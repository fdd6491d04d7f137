"""Baselines reconstruct what they should, the measures say where variance is lost, bad inputs are named."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from analysis.data import gutenberg
from analysis.engine import training
from analysis.evaluation import baselines
from analysis.features.model_inputs import build_features
from analysis.features.wavelets import BANDS, layout


def low_rank(rows: int = 240, columns: int = 30, rank: int = 6, noise: float = 0.0, seed: int = 0) -> np.ndarray:
    """Centred random rows of a known rank, float32 like the book's feature matrices."""
    rng = np.random.default_rng(seed)
    values = rng.normal(size=(rows, rank)) @ rng.normal(size=(rank, columns))
    values += noise * rng.normal(size=values.shape)
    return (values - values.mean(axis=0)).astype(np.float32)


def test_pca_with_all_components_reconstructs_exactly() -> None:
    data = low_rank(columns=12, rank=12)
    fitted = baselines.fit_baseline("pca", data[:160], n_components=12)
    test = data[160:]
    assert baselines.fraction_variance_explained(test, fitted.reconstruct(test)) == pytest.approx(1.0, abs=1e-6)


def test_pca_fve_rises_with_components() -> None:
    data = low_rank(rank=8, noise=0.1)
    table = baselines.frontier("pca", data[:160], data[160:], knobs=[1, 2, 3, 4, 6, 8, 12], seed=0)
    assert list(table.columns) == list(baselines.FRONTIER_COLUMNS)
    assert (np.diff(table["fve"]) > 0).all()
    assert (np.diff(table["mse"]) < 0).all()
    assert table["fve"].iloc[-1] > 0.99
    # PCA codes are dense: the non-zero share is exact, and the row count is the component count.
    assert (table["l0"] == 1.0).all()
    assert table["active_per_row"].tolist() == table["n_components"].astype(float).tolist()


def test_fve_matches_the_engine_measure() -> None:
    data = low_rank(noise=0.3)
    fitted = baselines.fit_baseline("pca", data[:160], n_components=3)
    test = data[160:]
    reconstruction = fitted.reconstruct(test)
    assert baselines.fraction_variance_explained(test, reconstruction) == pytest.approx(
        training.fraction_variance_explained(test, reconstruction), abs=1e-12
    )


def test_dictionary_codes_have_exactly_sparsity_nonzeros_per_row() -> None:
    data = low_rank(rank=10, noise=0.2)
    table = baselines.frontier("dictionary", data[:160], data[160:], knobs=[1, 3, 5], seed=0, n_atoms=20)
    assert table["active_per_row"].tolist() == [1.0, 3.0, 5.0]
    assert table["l0"].tolist() == pytest.approx([1 / 20, 3 / 20, 5 / 20])
    assert (np.diff(table["fve"]) > 0).all()
    fitted = baselines.fit_baseline("dictionary", data[:160], n_components=20, sparsity=4, seed=0)
    codes = fitted.encode(data[160:])
    assert codes.shape == (80, 20)
    assert ((codes != 0).sum(axis=1) == 4).all()


def test_changing_the_sparsity_leaves_the_fitted_coder_alone() -> None:
    data = low_rank(rank=10, noise=0.2)
    fitted = baselines.fit_baseline("dictionary", data[:160], n_components=12, sparsity=2, seed=0)
    sparser = fitted.with_sparsity(5)
    assert ((sparser.encode(data[160:]) != 0).sum(axis=1) == 5).all()
    assert ((fitted.encode(data[160:]) != 0).sum(axis=1) == 2).all()


def test_ica_with_all_components_reconstructs_nearly_exactly() -> None:
    data = low_rank(columns=10, rank=10)
    fitted = baselines.fit_baseline("ica", data[:160], n_components=10, seed=1)
    test = data[160:]
    assert baselines.fraction_variance_explained(test, fitted.reconstruct(test)) == pytest.approx(1.0, abs=1e-4)


def test_fve_by_part_separates_a_perfect_band_from_a_missing_one() -> None:
    segments = layout(("Fz", "Fy"), "trial")
    width = segments[-1].stop
    rng = np.random.default_rng(3)
    x = rng.normal(size=(50, width))
    reconstruction = np.zeros_like(x)
    for segment in segments:
        if segment.band == "A4":
            reconstruction[:, segment.start : segment.stop] = x[:, segment.start : segment.stop]
    table = baselines.fve_by_part(x, reconstruction, segments).set_index(["part", "name"])
    assert table.loc[("band", "A4"), "fve"] == pytest.approx(1.0, abs=1e-12)
    assert table.loc[("band", "D1"), "fve"] == pytest.approx(0.0, abs=1e-12)
    assert set(table.loc["band"].index) == set(BANDS)
    assert set(table.loc["channel"].index) == {"Fz", "Fy"}
    assert table.loc["band", "columns"].sum() == width
    # Control: the perfect reconstruction is perfect everywhere.
    assert np.allclose(baselines.fve_by_part(x, x, segments)["fve"], 1.0)


def test_physical_rmse_is_zero_only_for_a_perfect_reconstruction(gutenberg_dir: Path) -> None:
    features = build_features(gutenberg.load(gutenberg_dir))
    x = features.test
    perfect = baselines.physical_rmse(x, x, features)
    assert perfect["channel"].tolist() == list(features.channels)
    assert set(perfect["unit"]) == {"BW", "m"}
    assert np.allclose(perfect["rmse"], 0.0, atol=1e-9)
    blurred = baselines.physical_rmse(np.zeros_like(x), x, features)
    assert (blurred["rmse"] > 0).all()


def test_physical_rmse_reads_the_channel_unit_too(gutenberg_dir: Path) -> None:
    features = build_features(gutenberg.load(gutenberg_dir), unit="channel")
    x = features.test
    assert np.allclose(baselines.physical_rmse(x, x, features)["rmse"], 0.0, atol=1e-9)
    noisy = x + np.random.default_rng(0).normal(scale=0.1, size=x.shape)
    assert (baselines.physical_rmse(noisy, x, features)["rmse"] > 0).all()


@pytest.mark.parametrize(
    ("call", "named"),
    [
        (lambda data: baselines.fit_baseline("nmf", data, 3), "'pca', 'ica', 'dictionary'"),
        (lambda data: baselines.fit_baseline("dictionary", data, 8, sparsity=0), "sparsity"),
        (lambda data: baselines.fit_baseline("dictionary", data, 8, sparsity=9), "sparsity"),
        (lambda data: baselines.fit_baseline("dictionary", data, 8), "sparsity"),
        (lambda data: baselines.fit_baseline("pca", data, 3, sparsity=2), "sparsity"),
        (lambda data: baselines.fit_baseline("pca", data, 0), "n_components"),
        (lambda data: baselines.fit_baseline("pca", data, 31), "n_components=31"),
        (lambda data: baselines.fit_baseline("pca", data[0], 3), "train must be"),
        (lambda data: baselines.fit_baseline("pca", data, 3).encode(data[:, :5]), "x has 5 columns"),
        (lambda data: baselines.fit_baseline("pca", data, 3).decode(data[:, :5]), "codes has 5 columns"),
        (lambda data: baselines.frontier("pca", data, data[:, :5], [2]), "test has 5 columns"),
        (lambda data: baselines.frontier("dictionary", data, data, [2]), "n_atoms"),
        (lambda data: baselines.frontier("pca", data, data, []), "knobs"),
        (lambda data: baselines.fraction_variance_explained(data, data[:, :5]), "x_hat"),
        (lambda data: baselines.fve_by_part(data, data, layout(("Fz",), "trial")), "layout"),
    ],
)
def test_bad_inputs_name_the_argument(call, named: str) -> None:
    with pytest.raises(ValueError, match=named):
        call(low_rank())


def test_physical_rmse_rejects_a_shape_mismatch(gutenberg_dir: Path) -> None:
    features = build_features(gutenberg.load(gutenberg_dir))
    with pytest.raises(ValueError, match="x_hat_standardised and x_standardised differ in shape"):
        baselines.physical_rmse(features.test[:1], features.test, features)
