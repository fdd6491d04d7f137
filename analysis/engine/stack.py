"""Models that hold several seeds at once: what the training engine asks of a model.

Every parameter of a :class:`SeedStack` carries a leading seed dimension: a
model built for S seeds is S independently initialised copies that train
together through batched matrix products, which keeps the processor busy where
S separate runs of small products would not. Nothing couples the seeds: each
loss term is computed per seed, and the training loss is the sum over seeds,
whose gradient with respect to one seed's parameters is exactly that seed's
own gradient.

A model writes its forward pass (all loss terms as columns of one
``(seeds, terms)`` tensor) and its backward pass by hand; the stack offers
three ways to use them: :meth:`SeedStack.loss_and_gradients` (the training
loop, no autograd graph), :meth:`SeedStack.loss_terms` (through an autograd
Function, so any weighting of the terms can be differentiated) and
:meth:`SeedStack.autograd_loss_terms` (plain tensor operations, the test
oracle). A model *configuration* (:class:`ModelSpec`) names the model,
describes it as a dict for the cache, and builds the stack for given seeds.

Rows of a stack need not share their loss weights: :func:`concatenate` joins
stacks of the same architecture built with different penalty weights (a sweep
over a weight), each row keeping its own weights, and :attr:`SeedStack.penalty_scale`
scales every penalty at once (the engine's warm-up).
"""

from __future__ import annotations

import copy
import zlib
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import torch
from torch import Tensor, nn


class ModelSpec(Protocol):
    """What the engine needs of a model configuration."""

    name: str
    input_dim: int
    latent_dim: int

    def as_dict(self) -> dict[str, Any]:
        """Every field that changes the model, for the cache key."""

    def build(self, seeds: Sequence[int]) -> SeedStack:
        """The model, one independently initialised copy per seed."""


def seed_generator(seed: int, stream: str) -> torch.Generator:
    """A CPU generator for one random stream ("init", "shuffle", ...) of one seed.

    Streams of the same seed are statistically independent (numpy's
    SeedSequence mixes the seed with the stream name), so drawing more
    shuffles never changes the initial weights and vice versa.
    """
    if int(seed) < 0:
        raise ValueError(f"seeds must be non-negative integers, got {seed}")
    sequence = np.random.SeedSequence([int(seed), zlib.crc32(stream.encode())])
    generator = torch.Generator(device="cpu")
    generator.manual_seed(int(sequence.generate_state(1, dtype=np.uint64)[0]))
    return generator


class _HandDifferentiated(torch.autograd.Function):
    """Autograd's view of a model's forward pass and its hand-written backward pass.

    The parameters are passed as inputs so that autograd routes their
    gradients; the passes read the same tensors from the model.
    """

    @staticmethod
    def forward(ctx: Any, model: SeedStack, x: Tensor, noise: Tensor | None, *parameters: Tensor) -> Tensor:
        columns, saved = model._forward_pass(x, noise)
        ctx.model = model
        ctx.save_for_backward(*saved)
        return columns

    @staticmethod
    def backward(ctx: Any, term_weights: Tensor) -> tuple[Tensor | None, ...]:
        x_grad, *parameter_grads = ctx.model._backward_pass(ctx.saved_tensors, term_weights, ctx.needs_input_grad[1])
        return (None, x_grad, None, *parameter_grads)


class SeedStack(nn.Module, ABC):
    """Shared plumbing: input shapes, seed bookkeeping, extraction of seeds."""

    uses_noise = False  # True for models whose training loss draws random numbers

    def __init__(self, input_dim: int, latent_dim: int, seeds: Sequence[int]) -> None:
        super().__init__()
        if input_dim < 1 or latent_dim < 1:
            raise ValueError(f"input_dim and latent_dim must be positive, got {input_dim} and {latent_dim}")
        seeds = tuple(int(seed) for seed in seeds)
        if not seeds:
            raise ValueError("a model needs at least one seed")
        self.input_dim = input_dim
        self.latent_dim = latent_dim
        self.seeds = seeds
        # Per-row penalty weights (rows, penalties) when rows differ; None: every row uses penalty_weights().
        self.row_penalty_weights: Tensor | None = None
        # Multiplies every penalty weight (1 outside the warm-up of training).
        self.penalty_scale = 1.0

    @property
    def n_seeds(self) -> int:
        return len(self.seeds)

    def _init_generators(self) -> list[torch.Generator]:
        return [seed_generator(seed, "init") for seed in self.seeds]

    def _stack(self, x: Tensor, width: int, name: str) -> tuple[Tensor, bool]:
        """(seeds, batch, width) view of x, and whether to answer in 2-D."""
        if x.dim() == 2 and x.shape[1] == width:
            return x.unsqueeze(0).expand(self.n_seeds, -1, -1), self.n_seeds == 1
        if x.dim() == 3 and x.shape[0] == self.n_seeds and x.shape[2] == width:
            return x, False
        raise ValueError(
            f"{name} must have shape (batch, {width}) or ({self.n_seeds}, batch, {width}), got {tuple(x.shape)}"
        )

    def encode(self, x: Tensor) -> Tensor:
        """Latent codes (the mean μ for the Sparse VAE)."""
        stacked, squeeze = self._stack(x, self.input_dim, "x")
        codes = self._encode(stacked)
        return codes.squeeze(0) if squeeze else codes

    def decode(self, z: Tensor) -> Tensor:
        """Standardised coefficients reconstructed from latent codes."""
        stacked, squeeze = self._stack(z, self.latent_dim, "z")
        output = self._decode(stacked)
        return output.squeeze(0) if squeeze else output

    def forward(self, x: Tensor) -> Tensor:
        """Reconstruction of x."""
        return self.decode(self.encode(x))

    def loss_terms(self, x: Tensor, noise: Tensor | None = None) -> dict[str, Tensor]:
        """Every loss term separately and their weighted sum under "total".

        ``noise`` holds the standard-normal draws of stochastic models (same
        shape as their codes; drawn from torch's global generator when
        missing) and is ignored by deterministic models and in evaluation
        mode. Autograd differentiates the terms through the hand-written
        backward pass (see the module notes).
        """
        stacked, noise, squeeze = self._inputs(x, noise)
        columns = _HandDifferentiated.apply(self, stacked, noise, *self.parameters())
        return self._named(columns, squeeze)

    def autograd_loss_terms(self, x: Tensor, noise: Tensor | None = None) -> dict[str, Tensor]:
        """The terms of :meth:`loss_terms` from plain tensor operations, for autograd to differentiate."""
        stacked, noise, squeeze = self._inputs(x, noise)
        return self._named(self._autograd_terms(stacked, noise), squeeze)

    @torch.no_grad()
    def loss_and_gradients(self, x: Tensor, noise: Tensor | None = None) -> dict[str, Tensor]:
        """The terms of :meth:`loss_terms`, with the gradient of the summed totals in each parameter's ``.grad``.

        What ``loss_terms(x, noise)["total"].sum().backward()`` computes, in
        the training loop's fast lane: the two passes run directly, without
        autograd recording a graph (about a tenth of a step on a small CPU).
        Existing gradients are replaced, not accumulated. The terms carry no
        graph.
        """
        stacked, noise, squeeze = self._inputs(x, noise)
        columns, saved = self._forward_pass(stacked, noise)
        _, *gradients = self._backward_pass(saved, self._total_weights(columns).expand_as(columns), False)
        for parameter, gradient in zip(self.parameters(), gradients, strict=True):
            parameter.grad = gradient
        return self._named(columns, squeeze)

    def penalty_weights(self) -> dict[str, float]:
        """Each penalty term's weight in the total, in the order the terms are reported."""
        return {}

    def structure(self) -> dict[str, Any]:
        """Everything but the penalty weights that the forward pass depends on (rows to be stacked must agree)."""
        return {"type": type(self).__name__, "input_dim": self.input_dim, "latent_dim": self.latent_dim}

    def _inputs(self, x: Tensor, noise: Tensor | None) -> tuple[Tensor, Tensor | None, bool]:
        """(seeds, batch, d) inputs, the noise the loss will use (None when deterministic), and whether to answer in 0-D."""
        stacked, squeeze = self._stack(x, self.input_dim, "x")
        if not (self.uses_noise and self.training):
            return stacked, None, squeeze
        if noise is None:
            noise = torch.randn(*stacked.shape[:2], self.latent_dim, dtype=stacked.dtype, device=stacked.device)
        noise, _ = self._stack(noise, self.latent_dim, "noise")
        return stacked, noise, squeeze

    def _total_weights(self, columns: Tensor) -> Tensor:
        """Weight of each column in the total: 1 for reconstruction, then each λ; (terms,) or (rows, terms)."""
        if self.row_penalty_weights is None:
            penalties = columns.new_tensor(list(self.penalty_weights().values())) * self.penalty_scale
            return torch.cat([columns.new_ones(1), penalties])
        penalties = self.row_penalty_weights.to(columns) * self.penalty_scale
        return torch.cat([columns.new_ones(penalties.shape[0], 1), penalties], dim=1)

    def _named(self, columns: Tensor, squeeze: bool) -> dict[str, Tensor]:
        """Columns (reconstruction, then the penalties) as named terms plus their weighted total."""
        terms = dict(zip(["reconstruction", *self.penalty_weights()], columns.unbind(dim=1), strict=True))
        terms["total"] = (columns * self._total_weights(columns)).sum(dim=-1)
        return {name: value.squeeze(0) for name, value in terms.items()} if squeeze else terms

    def select(self, indices: Sequence[int]) -> SeedStack:
        """A new model holding copies of the seeds at these positions."""
        indices = [int(index) for index in indices]
        if not indices or any(not 0 <= index < self.n_seeds for index in indices):
            raise ValueError(f"seed positions must be in [0, {self.n_seeds}), got {indices}")
        selected = copy.deepcopy(self)
        selected.seeds = tuple(self.seeds[index] for index in indices)
        if self.row_penalty_weights is not None:
            selected.row_penalty_weights = self.row_penalty_weights[indices].clone()
        with torch.no_grad():
            for name, parameter in self.named_parameters():
                setattr(selected, name, nn.Parameter(parameter[indices].clone()))
        return selected

    @abstractmethod
    def _encode(self, x: Tensor) -> Tensor:
        """Codes for x of shape (seeds, batch, input_dim)."""

    @abstractmethod
    def _decode(self, z: Tensor) -> Tensor:
        """Reconstructions for z of shape (seeds, batch, latent_dim)."""

    @abstractmethod
    def _forward_pass(self, x: Tensor, noise: Tensor | None) -> tuple[Tensor, tuple[Tensor | None, ...]]:
        """(seeds, terms) columns for x of shape (seeds, batch, input_dim), and what the backward pass needs."""

    @abstractmethod
    def _backward_pass(
        self, saved: Sequence[Tensor | None], term_weights: Tensor, input_grad: bool
    ) -> tuple[Tensor | None, ...]:
        """Gradients of Σ term_weights ⊙ columns: x's (None unless ``input_grad``), then each parameter's in order."""

    @abstractmethod
    def _autograd_terms(self, x: Tensor, noise: Tensor | None) -> Tensor:
        """The same columns from plain tensor operations."""


def concatenate(stacks: Sequence[SeedStack]) -> SeedStack:
    """One stack holding every row of ``stacks``, each row keeping its own penalty weights.

    The stacks must be the same architecture (:meth:`SeedStack.structure`);
    they may differ in penalty weights and may repeat seeds (a row is then the
    same initialisation trained under other weights). A single stack is
    returned unchanged.
    """
    stacks = list(stacks)
    if not stacks:
        raise ValueError("concatenate needs at least one stack")
    if len(stacks) == 1:
        return stacks[0]
    first = stacks[0]
    for other in stacks[1:]:
        if other.structure() != first.structure():
            raise ValueError(f"only stacks of one architecture can be joined: {first.structure()} vs {other.structure()}")
    joined = copy.deepcopy(first)
    joined.seeds = tuple(seed for model in stacks for seed in model.seeds)
    with torch.no_grad():
        for name, _ in first.named_parameters():
            setattr(joined, name, nn.Parameter(torch.cat([getattr(model, name).detach() for model in stacks]).clone()))
    joined.row_penalty_weights = torch.cat([_row_weights(model) for model in stacks])
    return joined


def _row_weights(model: SeedStack) -> Tensor:
    if model.row_penalty_weights is not None:
        return model.row_penalty_weights.clone()
    weights = torch.tensor(list(model.penalty_weights().values()), dtype=torch.float64)
    return weights.expand(model.n_seeds, -1).clone()
