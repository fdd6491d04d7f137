"""Where in stance the classic landmarks are searched: one definition for every layer.

Windows are in % stance, which for the 101-sample curves is the sample
index; both ends are included. The landmark table of
:mod:`analysis.evaluation.landmarks` reads landmarks in these windows, and the
abnormality operators of :mod:`analysis.data.abnormalities` edit and measure
the same landmarks, so both must search the same places.
"""

from __future__ import annotations

LANDMARK_WINDOWS: dict[str, tuple[int, int]] = {
    "v_first_peak": (10, 40),
    "v_valley": (35, 65),
    "v_second_peak": (60, 90),
    "ap_braking_min": (0, 50),
    "ap_propulsive_max": (50, 100),
    "ml_early_min": (0, 10),
    "ml_medial_max": (10, 100),
}
