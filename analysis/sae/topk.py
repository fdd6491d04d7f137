"""A TopK sparse autoencoder (Gao et al. 2024), the modern yardstick for the study's SAEs.

Instead of an L1 penalty that shrinks every code towards zero and has to be
tuned until the code is sparse, a TopK autoencoder keeps exactly the ``k``
largest pre-activations of every row and zeroes the rest, so the number of
active features per row is a setting, not an outcome::

    pre = x W_encᵀ + b_e,   z = TopK_k(ReLU(pre)),   x̂ = z W_dec + b_d.

Choices, each documented because they differ from the paper's large-scale
recipe:

* untied encoder and decoder; the encoder is initialised as the decoder's
  transpose and the decoder rows (atoms) at unit norm, as Gao et al. do;
* no pre-encoder bias subtraction: the inputs are standardised on the
  training rows, so their mean is already zero;
* the decoder norm is not renormalised during training (the engine takes
  plain Adam steps); with no L1 term there is nothing to gain from inflating
  atoms, and every comparison of atoms uses cosines, which ignore norms;
* dead latents: a simple AuxK. A latent counts as *dead in a step* when it
  is active on none of the batch's rows; the ``k_aux`` (= 2k, at most the
  number of dead latents) largest positive pre-activations among them
  reconstruct the main reconstruction's residual (held fixed), and the loss
  adds ``aux_weight`` × ‖e − ê‖² / ‖e‖² (Gao et al.'s 1/32 by default). It
  gives latents that never win a slot a gradient towards what is left to
  explain.

The model is a :class:`~analysis.engine.stack.SeedStack` with a hand-written
backward pass, so the book's stacked engine trains several seeds of one ``k``
in one pass and caches each as it does the study's models. Rows with different
``k`` have different structure and are trained in separate passes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import torch
from torch import Tensor, nn

from analysis.engine.stack import SeedStack

NAME = "topk_sae"
LABEL = "TopK SAE"
DEFAULT_AUX_WEIGHT = 1.0 / 32.0  # Gao et al. 2024
AUX_FACTOR = 2  # k_aux = AUX_FACTOR × k, at most the number of dead latents


def _unit_rows(shape: tuple[int, int], generators: Sequence[torch.Generator]) -> Tensor:
    """(seeds, latent, input) Gaussian rows scaled to unit norm, one draw per seed."""
    rows = torch.stack([torch.randn(*shape, generator=generator) for generator in generators])
    return rows / rows.norm(dim=-1, keepdim=True)


def _affine(inputs: Tensor, weight: Tensor, bias: Tensor) -> Tensor:
    return torch.baddbmm(bias.unsqueeze(1), inputs, weight)


def topk_mask(pre_activation: Tensor, k: int) -> Tensor:
    """1 where an entry is among its row's ``k`` largest and positive, else 0 (same shape)."""
    if pre_activation.shape[-1] < k:
        raise ValueError(f"k={k} exceeds the {pre_activation.shape[-1]} latents")
    indices = pre_activation.topk(k, dim=-1).indices
    mask = torch.zeros_like(pre_activation).scatter_(-1, indices, 1.0)
    return mask * (pre_activation > 0)


def aux_mask(pre_activation: Tensor, main_mask: Tensor, k_aux: int) -> Tensor:
    """The AuxK selection: per row, the ``k_aux`` largest positive pre-activations among latents dead in the batch.

    ``pre_activation`` and ``main_mask`` are (seeds, batch, latent); a latent
    is dead in the batch when ``main_mask`` is 0 on every row of its seed.
    """
    dead = (main_mask.sum(dim=1, keepdim=True) == 0).expand_as(pre_activation)
    n_dead = int(dead[..., 0, :].sum(dim=-1).min().item()) if dead.numel() else 0
    chosen = min(k_aux, n_dead)
    if chosen == 0:
        return torch.zeros_like(pre_activation)
    candidates = pre_activation.masked_fill(~dead, float("-inf"))
    indices = candidates.topk(chosen, dim=-1).indices
    mask = torch.zeros_like(pre_activation).scatter_(-1, indices, 1.0)
    return mask * dead * (pre_activation > 0)


class TopKSAE(SeedStack):
    """TopK sparse autoencoder with an AuxK term (see the module notes); loss = MSE + α · aux."""

    def __init__(
        self,
        input_dim: int,
        latent_dim: int = 100,
        seeds: Sequence[int] = (0,),
        k: int = 10,
        aux_weight: float = DEFAULT_AUX_WEIGHT,
    ) -> None:
        super().__init__(input_dim, latent_dim, seeds)
        _check_k(k, latent_dim)
        self.k = int(k)
        self.aux_weight = float(aux_weight)
        atoms = _unit_rows((latent_dim, input_dim), self._init_generators())
        self.decoder_weight = nn.Parameter(atoms.clone())
        self.encoder_weight = nn.Parameter(atoms.clone())
        self.encoder_bias = nn.Parameter(torch.zeros(self.n_seeds, latent_dim))
        self.decoder_bias = nn.Parameter(torch.zeros(self.n_seeds, input_dim))

    def penalty_weights(self) -> dict[str, float]:
        return {"auxk": self.aux_weight}

    def structure(self) -> dict[str, Any]:
        return {**super().structure(), "k": self.k}

    def _pre_activation(self, x: Tensor) -> Tensor:
        return _affine(x, self.encoder_weight.transpose(1, 2), self.encoder_bias)

    def _encode(self, x: Tensor) -> Tensor:
        pre = self._pre_activation(x)
        return pre.clamp(min=0) * topk_mask(pre, self.k)

    def _decode(self, z: Tensor) -> Tensor:
        return _affine(z, self.decoder_weight, self.decoder_bias)

    def _k_aux(self) -> int:
        return min(AUX_FACTOR * self.k, self.latent_dim)

    def _forward_pass(self, x: Tensor, noise: Tensor | None) -> tuple[Tensor, tuple[Tensor, ...]]:
        """Columns: mean r² with r = x̂ − x, and ‖e − ê‖² / ‖e‖² with e = −r held fixed, ê = z_aux W_dec."""
        weight = self.decoder_weight.detach()
        pre = self._pre_activation(x)
        mask = topk_mask(pre, self.k)
        codes = pre.clamp(min=0) * mask
        residual = _affine(codes, weight, self.decoder_bias).sub_(x)
        extra = aux_mask(pre, mask, self._k_aux())
        aux_codes = pre.clamp(min=0) * extra
        target_energy = residual.square().sum(dim=(1, 2)).clamp(min=1e-12)
        aux_error = torch.bmm(aux_codes, weight) + residual  # ê − e
        columns = torch.stack([residual.square().mean(dim=(1, 2)), aux_error.square().sum(dim=(1, 2)) / target_energy], dim=1)
        return columns, (x, pre, mask, extra, codes, aux_codes, residual, aux_error, target_energy)

    def _backward_pass(
        self, saved: Sequence[Tensor | None], term_weights: Tensor, input_grad: bool
    ) -> tuple[Tensor | None, ...]:
        """With w₀, w₁ the weights of the two columns of each seed:

        * ∂/∂r = w₀ · 2 r / (B d); ∂/∂ê = w₁ · 2 (ê − e) / ‖e‖² (e held fixed);
        * ∂/∂z = ∂/∂r W_decᵀ on the TopK entries, ∂/∂z_aux = ∂/∂ê W_decᵀ on the AuxK entries;
        * ∂/∂pre = (those two) ⊙ [pre > 0] (the masks are disjoint);
        * ∂/∂W_dec = zᵀ ∂/∂r + z_auxᵀ ∂/∂ê, ∂/∂b_d = Σ_b ∂/∂r;
        * ∂/∂W_enc = ∂/∂preᵀ x, ∂/∂b_e = Σ_b ∂/∂pre, ∂/∂x = ∂/∂pre W_enc − ∂/∂r.
        """
        x, pre, mask, extra, codes, aux_codes, residual, aux_error, target_energy = saved
        batch, input_dim = residual.shape[1:]
        residual_grad = residual * (term_weights[:, 0] * (2.0 / (batch * input_dim))).view(-1, 1, 1)
        aux_grad = aux_error * (term_weights[:, 1] * 2.0 / target_energy).view(-1, 1, 1)
        decoder = self.decoder_weight.detach()
        encoder = self.encoder_weight.detach()
        pre_grad = torch.bmm(residual_grad, decoder.transpose(1, 2)) * mask
        pre_grad.add_(torch.bmm(aux_grad, decoder.transpose(1, 2)) * extra)
        pre_grad.mul_(pre > 0)
        decoder_grad = torch.bmm(codes.transpose(1, 2), residual_grad)
        decoder_grad.baddbmm_(aux_codes.transpose(1, 2), aux_grad)
        encoder_grad = torch.bmm(pre_grad.transpose(1, 2), x)
        x_grad = torch.bmm(pre_grad, encoder) - residual_grad if input_grad else None
        # Parameter order: decoder_weight, encoder_weight, encoder_bias, decoder_bias.
        return x_grad, decoder_grad, encoder_grad, pre_grad.sum(dim=1), residual_grad.sum(dim=1)

    def _autograd_terms(self, x: Tensor, noise: Tensor | None) -> Tensor:
        pre = self._pre_activation(x)
        mask = topk_mask(pre.detach(), self.k)
        codes = torch.relu(pre) * mask
        reconstruction = self._decode(codes)
        residual = reconstruction - x
        extra = aux_mask(pre.detach(), mask, self._k_aux())
        aux_reconstruction = torch.bmm(torch.relu(pre) * extra, self.decoder_weight)
        target = -residual.detach()
        energy = target.square().sum(dim=(1, 2)).clamp(min=1e-12)
        columns = [residual.square().mean(dim=(1, 2)), (aux_reconstruction - target).square().sum(dim=(1, 2)) / energy]
        return torch.stack(columns, dim=1)


@dataclass(frozen=True)
class TopKConfig:
    """A TopK SAE before training (a :class:`~analysis.engine.stack.ModelSpec` for the engine and its cache)."""

    input_dim: int
    latent_dim: int = 100
    k: int = 10
    aux_weight: float = DEFAULT_AUX_WEIGHT
    name: str = NAME

    def __post_init__(self) -> None:
        if self.name != NAME:
            raise ValueError(f"name must be {NAME!r}, got {self.name!r}")
        if isinstance(self.input_dim, bool) or self.input_dim < 1 or self.latent_dim < 1:
            raise ValueError(f"input_dim and latent_dim must be positive, got {self.input_dim} and {self.latent_dim}")
        _check_k(self.k, self.latent_dim)
        if not (self.aux_weight >= 0.0 and self.aux_weight < float("inf")):
            raise ValueError(f"aux_weight must be a finite number ≥ 0, got {self.aux_weight}")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def build(self, seeds: Sequence[int] = (0,)) -> TopKSAE:
        return TopKSAE(self.input_dim, self.latent_dim, seeds, k=self.k, aux_weight=self.aux_weight)


def _check_k(k: int, latent_dim: int) -> None:
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= latent_dim:
        raise ValueError(f"k must be an integer in [1, latent_dim={latent_dim}], got {k!r}")
