"""Curves as channel × time-patch tokens, and the masks the autoencoder learns to fill.

A trial (10 channels × 101 samples) is cut into tokens of ``patch`` samples
per channel; the curve is edge-padded to whole patches, and padded samples
never count in a loss or a score. A token carries its patch's values and
their first differences (the analogue of GenGait's motion embedding), taken
inside the patch only, so a token holds nothing of its neighbours. Where a
token sits is told by three learned embeddings in the model: the channel's
component (F_V, F_AP, F_ML, COP_AP, COP_ML), its side and the time patch.

Values are deviations from the training subjects' mean curve, divided by
each channel's SD of those deviations (one scale per channel, so the
constant first COP_AP sample never divides by zero).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

N_TILES = 4  # stance tiles of the tiled occlusion (pass 1)


@dataclass(frozen=True)
class TokenLayout:
    """Where every token of a trial sits: its channel, component, side, time patch and stance tile."""

    channels: tuple[str, ...]
    n_samples: int
    patch: int

    def __post_init__(self) -> None:
        if isinstance(self.patch, bool) or not isinstance(self.patch, int) or not 1 <= self.patch <= self.n_samples:
            raise ValueError(f"patch must be an integer in 1..{self.n_samples} samples, got {self.patch!r}")
        if not self.channels:
            raise ValueError("channels must name at least one channel")

    @property
    def n_channels(self) -> int:
        return len(self.channels)

    @property
    def n_patches(self) -> int:
        return -(-self.n_samples // self.patch)

    @property
    def n_tokens(self) -> int:
        return self.n_channels * self.n_patches

    @property
    def padded(self) -> int:
        return self.n_patches * self.patch

    @property
    def components(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(channel.rpartition("_")[0] for channel in self.channels))

    @property
    def sides(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(channel.rpartition("_")[2] for channel in self.channels))

    def token_channel(self) -> np.ndarray:
        """Channel of each token (tokens are channel-major: all patches of channel 0 first)."""
        return np.repeat(np.arange(self.n_channels), self.n_patches)

    def token_patch(self) -> np.ndarray:
        return np.tile(np.arange(self.n_patches), self.n_channels)

    def token_component(self) -> np.ndarray:
        index = {name: position for position, name in enumerate(self.components)}
        return np.array([index[self.channels[c].rpartition("_")[0]] for c in self.token_channel()])

    def token_side(self) -> np.ndarray:
        index = {name: position for position, name in enumerate(self.sides)}
        return np.array([index[self.channels[c].rpartition("_")[2]] for c in self.token_channel()])

    def tiles(self) -> list[np.ndarray]:
        """The patches of each stance tile: the patches split into N_TILES contiguous groups."""
        return [np.asarray(group) for group in np.array_split(np.arange(self.n_patches), N_TILES)]

    def tile_samples(self) -> list[tuple[int, int]]:
        """First and last real sample of each tile (% stance for 101 samples)."""
        return [(int(group[0] * self.patch), int(min((group[-1] + 1) * self.patch, self.n_samples) - 1)) for group in self.tiles()]

    def contralateral(self) -> np.ndarray:
        """For each channel, the same component's channel on the other side (itself if there is none)."""
        partner = np.arange(self.n_channels)
        for position, channel in enumerate(self.channels):
            component, _, side = channel.rpartition("_")
            for other_position, other in enumerate(self.channels):
                other_component, _, other_side = other.rpartition("_")
                if other_component == component and other_side != side:
                    partner[position] = other_position
        return partner

    def part_mask(self, channel: int, tile: int | None = None) -> np.ndarray:
        """Token mask (n_tokens,) of one channel, or of one channel × tile."""
        mask = np.zeros((self.n_channels, self.n_patches), dtype=bool)
        if tile is None:
            mask[channel] = True
        else:
            mask[channel, self.tiles()[tile]] = True
        return mask.ravel()

    def parts(self) -> list[tuple[int, int | None]]:
        """Every occlusion of pass 1: each channel, then each channel × tile."""
        return [(c, None) for c in range(self.n_channels)] + [(c, t) for c in range(self.n_channels) for t in range(N_TILES)]

    def sample_mask(self, token_mask: np.ndarray) -> np.ndarray:
        """Token masks (..., n_tokens) as sample masks (..., n_channels, n_samples)."""
        grid = np.asarray(token_mask).reshape(*np.shape(token_mask)[:-1], self.n_channels, self.n_patches)
        return np.repeat(grid, self.patch, axis=-1)[..., : self.n_samples]

    def sample_weight(self) -> np.ndarray:
        """(n_patches, patch): 1 for real samples, 0 for padding."""
        weight = np.zeros(self.padded)
        weight[: self.n_samples] = 1.0
        return weight.reshape(self.n_patches, self.patch)


@dataclass(frozen=True)
class Scaler:
    """Deviation from the training mean curve, per-channel scale (fitted on training trials only)."""

    mean_curve: np.ndarray  # (channels, samples)
    scale: np.ndarray  # (channels,)

    @classmethod
    def fit(cls, curves: np.ndarray) -> Scaler:
        values = _curves(curves)
        if values.shape[0] < 2:
            raise ValueError(f"the scaler needs at least 2 training trials, got {values.shape[0]}")
        mean_curve = values.mean(axis=0)
        scale = (values - mean_curve).std(axis=(0, 2))
        return cls(mean_curve, np.where(scale > 0, scale, 1.0))

    def transform(self, curves: np.ndarray) -> np.ndarray:
        return (_curves(curves) - self.mean_curve) / self.scale[:, None]

    def inverse(self, standardised: np.ndarray) -> np.ndarray:
        return np.asarray(standardised) * self.scale[:, None] + self.mean_curve


def _curves(curves: np.ndarray) -> np.ndarray:
    values = np.asarray(curves, dtype=np.float64)
    if values.ndim != 3:
        raise ValueError(f"curves must be (trials, channels, samples), got shape {values.shape}")
    if not np.isfinite(values).all():
        raise ValueError("curves hold missing or infinite samples; drop incomplete trials first")
    return values


def tokenize(standardised: np.ndarray, layout: TokenLayout) -> np.ndarray:
    """(n, channels, samples) -> (n, n_tokens, 2·patch): patch values, then their in-patch differences."""
    values = np.asarray(standardised, dtype=np.float32)
    if values.shape[1:] != (layout.n_channels, layout.n_samples):
        raise ValueError(f"curves must be (n, {layout.n_channels}, {layout.n_samples}), got {values.shape}")
    padded = np.concatenate([values, np.repeat(values[..., -1:], layout.padded - layout.n_samples, axis=-1)], axis=-1)
    patches = padded.reshape(values.shape[0], layout.n_channels, layout.n_patches, layout.patch)
    differences = np.diff(patches, axis=-1, prepend=patches[..., :1])
    return np.concatenate([patches, differences], axis=-1).reshape(values.shape[0], layout.n_tokens, 2 * layout.patch)


def untokenize(patch_values: np.ndarray, layout: TokenLayout) -> np.ndarray:
    """(n, n_tokens, patch) patch values -> (n, channels, samples), padding dropped."""
    values = np.asarray(patch_values)
    grid = values.reshape(values.shape[0], layout.n_channels, layout.padded)
    return grid[..., : layout.n_samples]


# ---------------------------------------------------------------------------
# The masking curriculum

STRUCTURES: tuple[str, ...] = ("channel", "side", "span", "tile", "pair")


def random_mask(n: int, layout: TokenLayout, ratio: float, rng: np.random.Generator) -> np.ndarray:
    """Exactly ``round(ratio · n_tokens)`` random tokens per row (at least one)."""
    count = int(np.clip(round(ratio * layout.n_tokens), 1, layout.n_tokens - 1))
    order = rng.random((n, layout.n_tokens)).argsort(axis=1)
    mask = np.zeros((n, layout.n_tokens), dtype=bool)
    np.put_along_axis(mask, order[:, :count], True, axis=1)
    return mask


def structured_mask(n: int, layout: TokenLayout, rng: np.random.Generator, kinds: Sequence[str] = STRUCTURES) -> np.ndarray:
    """One structured mask per row: a whole channel or two, a whole side, a time span of 10–40 % stance
    in 1–3 channels, a channel × tile, or a channel with its contralateral partner."""
    grid = np.zeros((n, layout.n_channels, layout.n_patches), dtype=bool)
    partner = layout.contralateral()
    side_of = np.array([channel.rpartition("_")[2] for channel in layout.channels])
    chosen = rng.choice(len(kinds), size=n)
    for row in range(n):
        kind = kinds[chosen[row]]
        if kind == "channel":
            grid[row, rng.choice(layout.n_channels, size=rng.integers(1, 3), replace=False)] = True
        elif kind == "side":
            grid[row, side_of == rng.choice(np.unique(side_of))] = True
        elif kind == "span":
            length = max(1, int(round(rng.uniform(0.1, 0.4) * layout.n_patches)))
            start = rng.integers(0, layout.n_patches - length + 1)
            rows = rng.choice(layout.n_channels, size=rng.integers(1, 4), replace=False)
            grid[row, rows, start : start + length] = True
        elif kind == "tile":
            grid[row, rng.integers(layout.n_channels), layout.tiles()[rng.integers(N_TILES)]] = True
        elif kind == "pair":
            channel = rng.integers(layout.n_channels)
            grid[row, [channel, partner[channel]]] = True
        else:
            raise ValueError(f"unknown mask structure {kind!r}; choose from {list(STRUCTURES)}")
    return grid.reshape(n, layout.n_tokens)


def curriculum_mask(n: int, layout: TokenLayout, progress: float, ratios: tuple[float, float], structured_share: float,
                    rng: np.random.Generator) -> np.ndarray:  # fmt: skip
    """Masks for one batch at ``progress`` ∈ [0, 1] of training: random tokens first, structured ones later.

    The random ratio rises linearly from ``ratios[0]`` to ``ratios[1]`` over
    the first half; the share of rows with a structured mask rises from 0 to
    ``structured_share`` over the whole run.
    """
    progress = float(np.clip(progress, 0.0, 1.0))
    ratio = ratios[0] + (ratios[1] - ratios[0]) * min(1.0, 2 * progress)
    mask = random_mask(n, layout, ratio, rng)
    structured = rng.random(n) < structured_share * progress
    if structured.any():
        mask[structured] = structured_mask(int(structured.sum()), layout, rng)
    return mask
