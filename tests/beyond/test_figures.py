"""The chapter's figures draw from their tables and stay legible at page width (checked by the autouse fixture)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.beyond import figures


def test_frontier_figure() -> None:
    table = pd.DataFrame(
        {
            "label": ["PCA", "PCA", "SAE (calibrated λ₂)"],
            "active_per_row": [1.0, 10.0, 11.0],
            "fve": [0.1, 0.4, 0.3],
            "fve_low": [0.05, 0.35, 0.25],
            "fve_high": [0.15, 0.45, 0.35],
            "mark": ["", "", "calibrated"],
        }
    )
    assert figures.frontier(table).axes


def test_parts_probes_and_stability_figures() -> None:
    parts = pd.DataFrame(
        {
            "part": ["band", "band", "channel", "channel"] * 2,
            "name": ["A5", "D1", "F_V_left", "F_V_right"] * 2,
            "fve": [0.9, 0.1, 0.5, 0.4, 0.8, 0.0, 0.4, 0.3],
            "label": ["SAE"] * 4 + ["PCA"] * 4,
        }
    )
    assert figures.parts(parts).axes
    probes = pd.DataFrame(
        {
            "label": ["SAE", "PCA"] * 2,
            "target": ["age (R²)", "age (R²)", "sex (AUC)", "sex (AUC)"],
            "k": [5] * 4,
            "score": [0.1, 0.2, 0.6, 0.7],
            "low": [0.0, 0.1, 0.5, 0.6],
            "high": [0.2, 0.3, 0.7, 0.8],
        }
    )
    assert figures.probes(probes, 5).axes
    quality = pd.DataFrame(
        {
            "label": ["SAE", "PCA"],
            "matched_cosine": [0.6, np.nan],
            "matched_cosine_min": [0.5, np.nan],
            "random_cosine": [0.1, np.nan],
        }
    )
    assert figures.stability(quality).axes
