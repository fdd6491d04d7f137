"""Every figure function draws on small random inputs (with missing metadata)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from analysis import style  # noqa: E402

from figure_inputs import BAND_LENGTHS, Segment, codes, curves, layout, no_pyplot_figures_left, render, trials  # noqa: F401

pytestmark = pytest.mark.filterwarnings("error::UserWarning", "error::RuntimeWarning")


def test_set_style_applies_the_colour_blind_palette() -> None:
    with matplotlib.rc_context():
        style.set_style()
        colours = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
        assert len(colours) == len(style.PALETTE)
        assert matplotlib.colors.to_rgb(colours[0]) == pytest.approx(style.PALETTE[0])


def test_channels_and_components_get_human_labels() -> None:
    assert style.channel_label("F_V_left") == "vertical force, left"
    assert style.channel_label("COP_ML_right") == "medio-lateral COP, right"
    assert style.component_label("F_AP") == "anterior–posterior force"
    assert style.channel_label("unknown_channel") == "unknown_channel"  # kept, never guessed
