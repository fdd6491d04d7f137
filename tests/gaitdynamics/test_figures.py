"""The chapter's figures draw from small inputs and are legible at page width (checked by the autouse fixture)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.gaitdynamics import figures


def test_figures_draw_legibly() -> None:
    rng = np.random.default_rng(0)
    truth = rng.standard_normal((10, 101))
    known = np.zeros((10, 101), dtype=bool)
    known[0] = True
    assert figures.inpainting_example(truth, rng.standard_normal((4, 10, 101)), known, ("F_V_left", "F_AP_left", "F_ML_left")).axes
    frame = pd.DataFrame(
        {
            "group": ["a", "a", "b", "b", "none"],
            "filler": ["diffusion inpainting", "median filling"] * 2 + ["none"],
            "loss": [0.1, 0.2, 0.0, 0.3, 0.0],
        }
    )
    assert figures.missing_inputs(frame).axes
    curves = 1.0 + 0.1 * rng.standard_normal((4, 10, 101))
    speed = {"original": curves, "twin": curves * 1.01, "predictions": {"diffusion edit": curves * 1.005, "linear population shift": curves * 1.01}}
    assert figures.counterfactual_changes(speed).axes
