"""DCI and MIG give their known values on disentangled and entangled toys."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.evaluation import disentanglement


def factors(rows: int = 600, n: int = 3, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(rows, n))


def test_dci_of_a_disentangled_code_is_near_one() -> None:
    values = factors()
    rng = np.random.default_rng(1)
    codes = values[:, [2, 0, 1]] + 0.01 * rng.normal(size=values.shape)  # one feature per factor, permuted
    result = disentanglement.dci(codes[:400], values[:400], codes[400:], values[400:], alpha=0.01)
    assert result.disentanglement > 0.95
    assert result.completeness > 0.95
    assert result.informativeness > 0.95


def test_dci_of_an_entangled_code_is_low() -> None:
    values = factors()
    rotation = np.linalg.qr(np.ones((3, 3)) + np.eye(3) * 0.1)[0]
    codes = values @ rotation
    result = disentanglement.dci(codes[:400], values[:400], codes[400:], values[400:], alpha=0.01)
    assert result.disentanglement < 0.5
    assert result.informativeness > 0.95  # mixing keeps the information


def test_scores_from_importance_known_values() -> None:
    d, c, per_factor = disentanglement.scores_from_importance(np.eye(2))
    assert (d, c) == (pytest.approx(1.0), pytest.approx(1.0))
    d, c, per_factor = disentanglement.scores_from_importance(np.ones((2, 2)))
    assert (d, c) == (pytest.approx(0.0), pytest.approx(0.0))


def test_mig_known_values() -> None:
    rng = np.random.default_rng(2)
    factor = rng.integers(0, 4, size=500).astype(float)
    copy_and_constant = np.column_stack([factor, np.zeros(500)])
    gap, per_factor = disentanglement.mig(copy_and_constant, factor)
    assert gap == pytest.approx(1.0)
    duplicated = np.column_stack([factor, factor])
    assert disentanglement.mig(duplicated, factor)[0] == pytest.approx(0.0)


def test_discretise_keeps_few_values_and_bins_many() -> None:
    labels = disentanglement.discretise(np.column_stack([np.repeat([0.5, 2.0], 50), np.arange(100.0)]), n_bins=10)
    assert set(labels[:, 0]) == {0, 1}
    assert np.bincount(labels[:, 1]).tolist() == [10] * 10


def test_bad_parameters_raise_clear_errors() -> None:
    with pytest.raises(ValueError, match="all zero"):
        disentanglement.scores_from_importance(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="n_bins"):
        disentanglement.discretise(np.ones((4, 1)), n_bins=1)
    with pytest.raises(ValueError, match="alpha"):
        disentanglement.dci(np.ones((4, 2)), np.ones((4, 2)), np.ones((4, 2)), np.ones((4, 2)), alpha=0.0)
    with pytest.raises(ValueError, match="factor_names"):
        values = factors(20)
        disentanglement.dci(values, values, values, values, factor_names=["a"])
