"""The original code's "time-domain" picture versus the exact inverse transform."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from analysis.features import wavelets  # noqa: E402
from analysis.sae import coefficient_view

from linear_runs import random_run, small_study  # noqa: E402

pytestmark = pytest.mark.filterwarnings("error::UserWarning", "error::RuntimeWarning")


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    return small_study(tmp_path_factory.mktemp("cohort"))


def test_decomposition_then_reconstruction_returns_the_vector():
    vector = np.random.default_rng(0).standard_normal(135)
    returned = coefficient_view.decompose_and_reconstruct(vector)
    assert returned.shape == (135,)
    np.testing.assert_allclose(returned, vector, atol=1e-10)


def test_decomposition_then_reconstruction_rejects_matrices():
    with pytest.raises(ValueError, match=r"vector must be 1-D with at least 2 values, got shape \(2, 3\)"):
        coefficient_view.decompose_and_reconstruct(np.zeros((2, 3)))


def test_view_holds_one_channels_coefficients_and_its_inverse_transform(study):
    width = study.features.train.shape[1]
    run = random_run(width, 4, seed=1)
    view = coefficient_view.coefficient_view(run, study, feature=2, channel="F_AP_right", magnitude=1.5)
    one_hot = np.zeros((1, 4))
    one_hot[0, 2] = 1.5
    coefficients = study.features.standardizer.inverse_transform(run.decode(one_hot))
    segments = [segment for segment in study.features.layout if segment.channel == "F_AP_right"]
    expected = coefficients[0, segments[0].start : segments[-1].stop]
    np.testing.assert_allclose(view.coefficients, expected, rtol=1e-6, atol=1e-6)
    assert view.round_trip_error < 1e-10
    curve = wavelets.decode(coefficients, "trial", n_channels=10)[0, list(study.features.channels).index("F_AP_right")]
    np.testing.assert_allclose(view.curve, curve, rtol=1e-6, atol=1e-6)
    assert [stop - start for _, start, stop in view.bands] == [14, 14, 20, 32, 55]
    assert (view.model, view.seed, view.feature, view.unit) == ("sae", 1, 2, "BW")
    assert view.baseline.shape == (101,)


def test_view_names_a_bad_channel_or_feature(study):
    run = random_run(study.features.train.shape[1], 3)
    with pytest.raises(ValueError, match="unknown channel 'F_Z_left'"):
        coefficient_view.coefficient_view(run, study, feature=0, channel="F_Z_left")
    with pytest.raises(ValueError, match="feature 3 out of range for 3 features"):
        coefficient_view.coefficient_view(run, study, feature=3, channel="F_V_left")


def test_comparison_figure_draws_both_pictures_without_pyplot(study):
    run = random_run(study.features.train.shape[1], 3)
    view = coefficient_view.coefficient_view(run, study, feature=0, channel="F_V_left")
    figure = coefficient_view.comparison_figure(view)
    assert isinstance(figure, Figure)
    assert len(figure.axes) == 2
    figure.savefig(io.BytesIO(), format="png", dpi=40)
    left, right = figure.axes
    assert len(left.lines[0].get_xdata()) == 135
    assert len(right.lines[-1].get_xdata()) == 101
    assert plt.get_fignums() == []
