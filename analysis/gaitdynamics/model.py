"""The denoiser: a transformer over time tokens of a trial, told which entries are known.

Each token holds ``patch`` consecutive samples of all 15 rows (ten curves,
five metadata rows) three times over: the noisy trial, the known values
(zero where unknown) and the known-mask. ``patch=8`` gives 13 tokens (the
101 samples padded to 104 by repeating the last one) and is cheap on a CPU;
``patch=1`` gives one token per sample, as GaitDynamics does. The diffusion
step enters as a sinusoidal embedding through a small MLP, added to every
token, and so do the known metadata values with their flags (a condition
vector, like GaitDynamics' own). The output is the v-target of the step (Salimans & Ho's
``v = sqrt(ab) * eps - sqrt(1 - ab) * x0``), from which both the clean trial
and the noise follow at every noise level, so the same network serves
sampling, inpainting and deterministic inversion.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from analysis.data import N_SAMPLES
from analysis.gaitdynamics.curves import N_CURVES, N_ROWS

N_METADATA = N_ROWS - N_CURVES


@dataclass(frozen=True)
class DenoiserShape:
    patch: int
    width: int
    layers: int
    heads: int
    feedforward: int
    dropout: float = 0.0

    @property
    def n_tokens(self) -> int:
        return math.ceil(N_SAMPLES / self.patch)


def step_embedding(steps: torch.Tensor, width: int) -> torch.Tensor:
    """Sinusoidal embedding of integer diffusion steps, ``(batch, width)``."""
    half = width // 2
    frequencies = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32, device=steps.device) / max(half, 1))
    angles = steps.float()[:, None] * frequencies[None, :]
    embedding = torch.cat([torch.sin(angles), torch.cos(angles)], dim=1)
    return nn.functional.pad(embedding, (0, width - embedding.shape[1]))


class Denoiser(nn.Module):
    """``forward(noisy, known, mask, steps)`` → v-prediction, all ``(batch, 15, 101)``."""

    def __init__(self, shape: DenoiserShape) -> None:
        super().__init__()
        self.shape = shape
        token_size = 3 * N_ROWS * shape.patch
        self.embed = nn.Linear(token_size, shape.width)
        # Token positions: a fixed sinusoidal code (so attention can find neighbours from the first step) plus a learned part.
        self.register_buffer("fixed_position", step_embedding(torch.arange(shape.n_tokens) * (1000 // shape.n_tokens), shape.width)[None])
        self.position = nn.Parameter(torch.zeros(1, shape.n_tokens, shape.width))
        self.step_mlp = nn.Sequential(nn.Linear(shape.width, shape.width), nn.GELU(), nn.Linear(shape.width, shape.width))
        # The known metadata (values and flags) also enter every token directly, as GaitDynamics' condition vector does.
        self.condition_mlp = nn.Sequential(nn.Linear(2 * N_METADATA, shape.width), nn.GELU(), nn.Linear(shape.width, shape.width))
        layer = nn.TransformerEncoderLayer(
            d_model=shape.width,
            nhead=shape.heads,
            dim_feedforward=shape.feedforward,
            dropout=shape.dropout,
            activation="gelu",
            batch_first=True,
            norm_first=True,
        )
        self.blocks = nn.TransformerEncoder(layer, num_layers=shape.layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(shape.width)
        self.out = nn.Linear(shape.width, N_ROWS * shape.patch)
        # A linear path from a token's inputs to its outputs: a patch holds more values (15 rows × patch) than
        # the token's width, so without it the values themselves would have to squeeze through the transformer.
        self.skip = nn.Linear(token_size, N_ROWS * shape.patch)

    def _tokens(self, array: torch.Tensor) -> torch.Tensor:
        """``(batch, rows, 101)`` → ``(batch, tokens, rows * patch)``, padding by repeating the last sample."""
        padded_length = self.shape.n_tokens * self.shape.patch
        if padded_length > N_SAMPLES:
            array = torch.cat([array, array[..., -1:].expand(*array.shape[:-1], padded_length - N_SAMPLES)], dim=-1)
        batch, rows, _ = array.shape
        return array.reshape(batch, rows, self.shape.n_tokens, self.shape.patch).permute(0, 2, 1, 3).reshape(batch, self.shape.n_tokens, -1)

    def forward(self, noisy: torch.Tensor, known: torch.Tensor, mask: torch.Tensor, steps: torch.Tensor) -> torch.Tensor:
        tokens = torch.cat([self._tokens(noisy), self._tokens(known), self._tokens(mask)], dim=-1)
        condition = torch.cat([known[:, N_CURVES:, 0], mask[:, N_CURVES:, 0]], dim=1)
        hidden = self.embed(tokens) + self.fixed_position + self.position + (self.step_mlp(step_embedding(steps, self.shape.width)) + self.condition_mlp(condition))[:, None, :]
        hidden = self.norm(self.blocks(hidden))
        batch = noisy.shape[0]
        output = (self.out(hidden) + self.skip(tokens)).reshape(batch, self.shape.n_tokens, N_ROWS, self.shape.patch).permute(0, 2, 1, 3)
        return output.reshape(batch, N_ROWS, -1)[..., :N_SAMPLES]
