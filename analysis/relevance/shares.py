"""The seed's statistics on our maps: how relevance divides between stance phases and channels.

The two phases hold different numbers of samples (1–47 %: 47, 48–100 %:
53), so the phase share compares the mean |relevance| *per sample*; the
sample at 0 % stance belongs to neither phase. Channel and component shares
are shares of the total |relevance|.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.relevance.data import EARLY_PHASE, LATE_PHASE, component_of, phase_mask

# The seed's numbers (Xu et al. 2022, abstract), for the page's comparison.
SEED_ACCURACY = 0.9125
SEED_JOINT_SHARES: dict[str, float] = {"ankle": 0.4310, "knee": 0.3707, "hip": 0.1983}


def early_share(relevance_map: np.ndarray) -> float:
    """Mean |relevance| per sample in 1–47 % over that of both phases (0.5 = no preference)."""
    magnitude = np.abs(relevance_map)
    n = magnitude.shape[-1]
    early = magnitude[..., phase_mask(n, EARLY_PHASE)].mean()
    late = magnitude[..., phase_mask(n, LATE_PHASE)].mean()
    return float(early / (early + late)) if early + late > 0 else float("nan")


def channel_shares(relevance_map: np.ndarray, channels: tuple[str, ...]) -> pd.Series:
    magnitude = np.abs(relevance_map).sum(axis=-1)
    return pd.Series(magnitude / magnitude.sum(), index=list(channels))


def component_shares(relevance_map: np.ndarray, channels: tuple[str, ...]) -> pd.Series:
    """Channel shares with left and right pooled."""
    shares = channel_shares(relevance_map, channels)
    return shares.groupby([component_of(channel) for channel in channels], sort=False).sum()
