"""The study's three autoencoders (Section 3.2), each holding several seeds at once.

Every parameter carries a leading seed dimension: a model built for S seeds is
S independently initialised copies that train together through batched matrix
products (``torch.baddbmm``), which keeps the processor busy where S separate
runs of small products would not. Nothing couples the seeds. Each loss term is
computed per seed, and the training loss is the sum over seeds, whose gradient
with respect to one seed's parameters is exactly that seed's own gradient.

Shapes. Inputs are standardised wavelet coefficients, either ``(batch, d)``
shared by every seed or ``(seeds, batch, d)`` with one batch per seed. Outputs
lead with the seed dimension, except that a single-seed model given 2-D input
answers in 2-D, so a seed taken out with :meth:`SeedStack.select` behaves like
an ordinary autoencoder. Loss terms are likewise ``(seeds,)`` or scalars.

Loss terms and their normalisation (all per seed, per batch):

* ``reconstruction`` – mean squared error over every element. The inputs are
  standardised, so it reads as unexplained variance per coefficient: about 1
  for a model that outputs zeros, and the quantity the study reports (C1).
* ``kl_sparsity`` – Σ_j KL(ρ ‖ ρ̂_j) over latent units, ρ̂_j the batch-mean
  activation of unit j squashed into (0, 1) (see :func:`sparsity_kl`).
* ``l1`` – mean |h| over all entries (batch × units): the size of a typical
  activation, independent of latent size and batch size.
* ``disentanglement`` – Σ_{i≠j} Cov(h_i, h_j)² with the biased batch
  covariance (divide by the batch size), which is defined for every batch,
  including a last batch of one.
* ``vae_kl`` – KL(q(z|x) ‖ N(0, I)) summed over latent dimensions and averaged
  over the batch. Against a reconstruction term averaged over d elements, the
  weight β = 1/d makes the loss the per-coefficient negative ELBO of a Gaussian
  likelihood with noise variance ½, so that is the default
  (:func:`per_coefficient_kl_weight`). The study's literal β = 1
  (:data:`STUDY_KL_WEIGHT`) weighs the prior d times more; under it the Sparse
  VAE collapses onto its prior, which the models chapter shows as a labelled
  variant. The log-variance head is squashed into ±:data:`LOGVAR_BOUND`, so
  the KL term stays finite whatever the encoder outputs.

Gradients. Each model has a forward pass that returns all its loss terms as
columns of one (seeds, terms) tensor and a backward pass written out by hand
(its derivation is in its docstring). A step then costs the five or seven
batched matrix products it needs and a handful of element-wise passes, where
autograd on the plain formulas would record and replay some forty small
operations; on a two-core CPU a step takes 60–90 % of the time it takes
through autograd (``benchmarks/gradient_paths.py``).
:meth:`SeedStack.loss_and_gradients` runs the two passes directly (the
training loop); :meth:`SeedStack.loss_terms` wraps them in an autograd
Function, so any weighting of the terms can be differentiated; and
:meth:`SeedStack.autograd_loss_terms` computes the same terms from plain
tensor operations for autograd. The tests hold all three to each other, and
the speed benchmark trains its textbook baseline on the last.

Default weights come from each term's size at Xavier initialisation on the
standardised coefficients (d = 1,350, 100 latents): reconstruction ≈ 1,
Σ_j KL ≈ 47, mean |h| ≈ 0.5, Σ_{i≠j} Cov² ≈ 80–130. They put each weighted
penalty at about 5 %, 0.5 % and 1 % of the reconstruction term, so that
reconstruction leads early training and the penalties matter once it has
fallen. Ten times more KL weight (λ₁ = 0.01) already drives the tied SAE to
mean activations near ρ with almost no variance explained.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import torch
from torch import Tensor, nn

from analysis.config import MODEL_NAMES
from analysis.engine.stack import SeedStack

# Bounds of the squashed mean activation ρ̂, away from 0 and 1.
SPARSITY_EPSILON = 1e-6

DEFAULT_SPARSITY_WEIGHT = 1e-3  # λ₁, on Σ_j KL(ρ ‖ ρ̂_j)
DEFAULT_L1_WEIGHT = 1e-2  # λ₂ (and the Sparse VAE's λ), on mean |h|
DEFAULT_DISENTANGLEMENT_WEIGHT = 1e-4  # λ₃, on Σ_{i≠j} Cov(h_i, h_j)²
STUDY_KL_WEIGHT = 1.0  # β as the study states it; the default is per_coefficient_kl_weight(d)
# |log σ²| ≤ this bound (σ² from e⁻⁵ ≈ 0.007 to e⁵ ≈ 148): a smooth squashing of
# the log-variance head, so one large pre-activation cannot blow the KL term up.
LOGVAR_BOUND = 5.0


def sparsity_kl(activations: Tensor, target: float, epsilon: float = SPARSITY_EPSILON) -> Tensor:
    """Per-unit KL(ρ ‖ ρ̂_j) for activations of shape (seeds, batch, units).

    ReLU activations are unbounded, so the batch mean a_j is squashed:
    ρ̂_j = ε + (1 − 2ε)·tanh(a_j). This is smooth, strictly inside (ε, 1 − ε)
    and ≈ a_j near the target (tanh(0.05) = 0.04996), and unlike clamping it
    keeps pushing down units whose mean activation exceeds 1. The KL term is
    therefore finite for any activations. At all-zero activations ρ̂_j = ε and
    dKL/da_j = (1 − 2ε)(−ρ/ε + (1 − ρ)/(1 − ε)) is finite; the parameters
    still get no gradient from it there, because ReLU passes none to units
    whose pre-activations are all ≤ 0.
    """
    mean_activation = activations.mean(dim=-2)
    rho_hat = epsilon + (1.0 - 2.0 * epsilon) * torch.tanh(mean_activation)
    return target * torch.log(target / rho_hat) + (1.0 - target) * torch.log((1.0 - target) / (1.0 - rho_hat))


def _xavier_stack(shape: tuple[int, int], generators: Sequence[torch.Generator]) -> Tensor:
    """Glorot-uniform weights, one independently drawn matrix per seed."""
    weight = torch.empty(len(generators), *shape)
    for index, generator in enumerate(generators):
        nn.init.xavier_uniform_(weight[index], generator=generator)
    return weight


def _affine(inputs: Tensor, weight: Tensor, bias: Tensor) -> Tensor:
    """bias + inputs @ weight, batched over the seed dimension."""
    return torch.baddbmm(bias.unsqueeze(1), inputs, weight)


def _mean_square(residual: Tensor) -> Tensor:
    """Mean of residual² over everything but the seed dimension, in one pass."""
    flat = residual.reshape(residual.shape[0], -1)
    return torch.linalg.vecdot(flat, flat) / flat.shape[1]


def _sparsity_kl_slope(mean_activation: Tensor, target: float, epsilon: float = SPARSITY_EPSILON) -> Tensor:
    """d KL(ρ ‖ ρ̂_j) / d a_j for the squashing of :func:`sparsity_kl`."""
    squashed = torch.tanh(mean_activation)
    rho_hat = epsilon + (1.0 - 2.0 * epsilon) * squashed
    return (-target / rho_hat + (1.0 - target) / (1.0 - rho_hat)) * (1.0 - 2.0 * epsilon) * (1.0 - squashed.square())


def off_diagonal_covariance(codes: Tensor) -> Tensor:
    """Σ_{i≠j} Cov(h_i, h_j)² per seed, with the biased batch covariance."""
    centred = codes - codes.mean(dim=-2, keepdim=True)
    covariance = centred.transpose(-2, -1) @ centred / codes.shape[-2]
    return covariance.square().sum(dim=(-2, -1)) - covariance.diagonal(dim1=-2, dim2=-1).square().sum(dim=-1)


def _per_seed(values: Tensor) -> Tensor:
    """(seeds,) → (seeds, 1, 1), to scale a batched tensor seed by seed."""
    return values.view(-1, 1, 1)


def per_coefficient_kl_weight(input_dim: int) -> float:
    """β = 1/d: the KL term weighed against a per-coefficient MSE as in the per-coefficient ELBO."""
    return 1.0 / input_dim


def _squared_error(x: Tensor, reconstruction: Tensor) -> Tensor:
    return (reconstruction - x).square().mean(dim=(-2, -1))


def _bounded_logvar(pre_activation: Tensor) -> Tensor:
    """s = L tanh(a / L): ≈ a near 0, never beyond ±L (see :data:`LOGVAR_BOUND`)."""
    return torch.tanh(pre_activation / LOGVAR_BOUND).mul_(LOGVAR_BOUND)


class TiedSAE(SeedStack):
    """Sparse autoencoder with tied weights (Section 3.2.1).

    h = ReLU(W x + b_e), x̂ = Wᵀ h + b_d with one weight tensor W of shape
    (seeds, latent, input); loss = MSE + λ₁ Σ_j KL(ρ ‖ ρ̂_j) + λ₂ mean|h|.
    Tying matters for sparsity: scaling W by c scales x̂ by c², so the code
    cannot shrink for free while the decoder grows.
    """

    _disentangles = False

    def __init__(
        self,
        input_dim: int,
        latent_dim: int = 100,
        seeds: Sequence[int] = (0,),
        sparsity_target: float = 0.05,
        sparsity_weight: float = DEFAULT_SPARSITY_WEIGHT,
        l1_weight: float = DEFAULT_L1_WEIGHT,
    ) -> None:
        super().__init__(input_dim, latent_dim, seeds)
        if not 0.0 < sparsity_target < 1.0:
            raise ValueError(f"sparsity_target must lie in (0, 1), got {sparsity_target}")
        self.sparsity_target = sparsity_target
        self.sparsity_weight = sparsity_weight
        self.l1_weight = l1_weight
        self.weight = nn.Parameter(_xavier_stack((latent_dim, input_dim), self._init_generators()))
        self.encoder_bias = nn.Parameter(torch.zeros(self.n_seeds, latent_dim))
        self.decoder_bias = nn.Parameter(torch.zeros(self.n_seeds, input_dim))

    def _encode(self, x: Tensor) -> Tensor:
        return torch.relu(_affine(x, self.weight.transpose(1, 2), self.encoder_bias))

    def _decode(self, z: Tensor) -> Tensor:
        return _affine(z, self.weight, self.decoder_bias)

    def penalty_weights(self) -> dict[str, float]:
        return {"kl_sparsity": self.sparsity_weight, "l1": self.l1_weight}

    def structure(self) -> dict[str, Any]:
        return {**super().structure(), "sparsity_target": self.sparsity_target}

    def _forward_pass(self, x: Tensor, noise: Tensor | None) -> tuple[Tensor, tuple[Tensor, ...]]:
        """pre = x Wᵀ + b_e, h = ReLU(pre), r = h W + b_d − x; columns mean r², Σ_j KL(ρ ‖ ρ̂_j),
        mean h (h ≥ 0, so mean |h|) and, when disentangling, Σ_{i≠j} C_ij² with C = h_cᵀ h_c / B."""
        codes = torch.relu(_affine(x, self.weight.transpose(1, 2), self.encoder_bias))
        residual = _affine(codes, self.weight, self.decoder_bias).sub_(x)
        columns = [_mean_square(residual), sparsity_kl(codes, self.sparsity_target).sum(dim=-1), codes.mean(dim=(1, 2))]
        if self._disentangles:
            columns.append(off_diagonal_covariance(codes))
        return torch.stack(columns, dim=1), (x, codes, residual)

    def _backward_pass(
        self, saved: Sequence[Tensor | None], term_weights: Tensor, input_grad: bool
    ) -> tuple[Tensor | None, Tensor, Tensor, Tensor]:
        """With w_t the weight of column t for each seed:

        * ∂/∂r = w_rec · 2 r / (B d);
        * ∂/∂h = w_kl · KL'(a_j) / B + w_l1 / (B k) + w_dis · 4 h_c C̃ / B, with
          a_j the batch mean of unit j and C̃ the covariance with its diagonal
          zeroed (h_c C̃ has zero batch mean, so centring passes it unchanged);
        * ∂/∂pre = (∂/∂h + ∂/∂r · Wᵀ) ⊙ [pre > 0];
        * ∂/∂W = ∂/∂preᵀ x + hᵀ ∂/∂r (encoder and decoder parts of the tied
          weight, the second accumulated straight into the first);
        * ∂/∂b_e = Σ_b ∂/∂pre, ∂/∂b_d = Σ_b ∂/∂r, ∂/∂x = ∂/∂pre · W − ∂/∂r.
        """
        x, codes, residual = saved
        batch, input_dim = residual.shape[1:]
        residual_scale = _per_seed(term_weights[:, 0] * (2.0 / (batch * input_dim)))
        codes_grad = (
            term_weights[:, 1:2] * _sparsity_kl_slope(codes.mean(dim=1), self.sparsity_target) / batch
            + term_weights[:, 2:3] / (batch * self.latent_dim)
        ).unsqueeze(1)
        if self._disentangles:
            centred = codes - codes.mean(dim=1, keepdim=True)
            off_diagonal = centred.transpose(1, 2) @ centred / batch
            off_diagonal.diagonal(dim1=1, dim2=2).zero_()
            codes_grad = codes_grad + centred @ off_diagonal * _per_seed(term_weights[:, 3] * (4.0 / batch))
        weight = self.weight.detach()
        pre_activation_grad = torch.addcmul(codes_grad, torch.bmm(residual, weight.transpose(1, 2)), residual_scale)
        pre_activation_grad.mul_(codes > 0)
        weight_grad = torch.bmm(pre_activation_grad.transpose(1, 2), x)
        weight_grad.baddbmm_((codes * residual_scale).transpose(1, 2), residual)
        x_grad = torch.bmm(pre_activation_grad, weight) - residual * residual_scale if input_grad else None
        return x_grad, weight_grad, pre_activation_grad.sum(dim=1), residual.sum(dim=1) * residual_scale.view(-1, 1)

    def _autograd_terms(self, x: Tensor, noise: Tensor | None) -> Tensor:
        codes = self._encode(x)
        columns = [
            _squared_error(x, self._decode(codes)),
            sparsity_kl(codes, self.sparsity_target).sum(dim=-1),
            codes.abs().mean(dim=(-2, -1)),
        ]
        if self._disentangles:
            columns.append(off_diagonal_covariance(codes))
        return torch.stack(columns, dim=1)


class DisentangledSAE(TiedSAE):
    """The tied SAE plus λ₃ Σ_{i≠j} Cov(h_i, h_j)² (Section 3.2.2)."""

    _disentangles = True

    def __init__(
        self,
        input_dim: int,
        latent_dim: int = 100,
        seeds: Sequence[int] = (0,),
        sparsity_target: float = 0.05,
        sparsity_weight: float = DEFAULT_SPARSITY_WEIGHT,
        l1_weight: float = DEFAULT_L1_WEIGHT,
        disentanglement_weight: float = DEFAULT_DISENTANGLEMENT_WEIGHT,
    ) -> None:
        super().__init__(input_dim, latent_dim, seeds, sparsity_target, sparsity_weight, l1_weight)
        self.disentanglement_weight = disentanglement_weight

    def penalty_weights(self) -> dict[str, float]:
        return {**super().penalty_weights(), "disentanglement": self.disentanglement_weight}


class SparseVAE(SeedStack):
    """Sparse variational autoencoder (Section 3.2.3).

    Separate linear heads give μ and log σ². The loss samples z = μ + σ ε in
    training mode and uses z = μ in evaluation mode, so validation losses are
    deterministic; ``encode`` and ``forward`` always go through μ. The decoder
    is an untied linear map. Loss = MSE + β KL(q(z|x) ‖ N(0, I)) + λ mean|z|.
    Weights are stored in the orientation they are multiplied in, (seeds,
    input, latent) for the heads and (seeds, latent, input) for the decoder,
    so that autograd never has to transpose a gradient; row j of
    ``decoder_weight`` is the coefficient pattern unit j adds.
    """

    uses_noise = True

    def __init__(
        self,
        input_dim: int,
        latent_dim: int = 100,
        seeds: Sequence[int] = (0,),
        kl_weight: float | None = None,
        l1_weight: float = DEFAULT_L1_WEIGHT,
    ) -> None:
        super().__init__(input_dim, latent_dim, seeds)
        self.kl_weight = per_coefficient_kl_weight(input_dim) if kl_weight is None else kl_weight
        self.l1_weight = l1_weight
        generators = self._init_generators()
        self.mean_weight = nn.Parameter(_xavier_stack((input_dim, latent_dim), generators))
        self.mean_bias = nn.Parameter(torch.zeros(self.n_seeds, latent_dim))
        self.logvar_weight = nn.Parameter(_xavier_stack((input_dim, latent_dim), generators))
        self.logvar_bias = nn.Parameter(torch.zeros(self.n_seeds, latent_dim))
        self.decoder_weight = nn.Parameter(_xavier_stack((latent_dim, input_dim), generators))
        self.decoder_bias = nn.Parameter(torch.zeros(self.n_seeds, input_dim))

    def _encode(self, x: Tensor) -> Tensor:
        return _affine(x, self.mean_weight, self.mean_bias)

    def _decode(self, z: Tensor) -> Tensor:
        return _affine(z, self.decoder_weight, self.decoder_bias)

    def penalty_weights(self) -> dict[str, float]:
        return {"vae_kl": self.kl_weight, "l1": self.l1_weight}

    def _forward_pass(self, x: Tensor, noise: Tensor | None) -> tuple[Tensor, tuple[Tensor | None, ...]]:
        """μ = x W_μ + b_μ, s = L tanh((x W_s + b_s) / L) (log σ²), z = μ + e^{s/2} ε (z = μ without noise),
        r = z W_d + b_d − x; columns mean r², mean_b ½ Σ_k (μ² + e^s − 1 − s) and mean |z|."""
        mean = _affine(x, self.mean_weight, self.mean_bias)
        logvar = _bounded_logvar(_affine(x, self.logvar_weight, self.logvar_bias))
        variance = torch.exp(logvar)
        noise_scale = None if noise is None else torch.sqrt(variance).mul_(noise)
        z = mean if noise_scale is None else mean + noise_scale
        residual = _affine(z, self.decoder_weight, self.decoder_bias).sub_(x)
        vae_kl = 0.5 * (mean.square() + variance - 1.0 - logvar).sum(dim=-1).mean(dim=-1)
        columns = torch.stack([_mean_square(residual), vae_kl, z.abs().mean(dim=(1, 2))], dim=1)
        return columns, (x, mean, logvar, variance, noise_scale, z, residual)

    def _backward_pass(
        self, saved: Sequence[Tensor | None], term_weights: Tensor, input_grad: bool
    ) -> tuple[Tensor | None, ...]:
        """With w_t the weight of column t for each seed:

        * ∂/∂r = w_rec · 2 r / (B d);
        * ∂/∂z = ∂/∂r · W_dᵀ + w_l1 · sign(z) / (B k);
        * ∂/∂μ = ∂/∂z + w_kl · μ / B;
        * ∂/∂s = w_kl · (e^s − 1) / (2B) + ∂/∂z ⊙ ε ⊙ e^{s/2} / 2, and for the
          pre-activation a of the log-variance head ∂/∂a = ∂/∂s ⊙ (1 − (s/L)²);
        * ∂/∂W_μ = xᵀ ∂/∂μ, ∂/∂W_s = xᵀ ∂/∂a, ∂/∂W_d = zᵀ ∂/∂r, each bias the
          batch sum of its output's gradient, ∂/∂x = ∂/∂μ W_μᵀ + ∂/∂a W_sᵀ − ∂/∂r.
        """
        x, mean, logvar, variance, noise_scale, z, residual = saved
        batch, input_dim = residual.shape[1:]
        residual_scale = _per_seed(term_weights[:, 0] * (2.0 / (batch * input_dim)))
        kl_scale = _per_seed(term_weights[:, 1] / batch)
        z_grad = torch.bmm(residual, self.decoder_weight.detach().transpose(1, 2)).mul_(residual_scale)
        z_grad.addcmul_(torch.sign(z), _per_seed(term_weights[:, 2] / (batch * self.latent_dim)))
        mean_grad = torch.addcmul(z_grad, mean, kl_scale)
        logvar_grad = (variance - 1.0) * (0.5 * kl_scale)
        if noise_scale is not None:
            logvar_grad.addcmul_(z_grad, noise_scale, value=0.5)
        logvar_grad.mul_(1.0 - (logvar / LOGVAR_BOUND).square())  # through s = L tanh(a / L)
        x_grad = None
        if input_grad:
            x_grad = torch.bmm(mean_grad, self.mean_weight.detach().transpose(1, 2))
            x_grad.baddbmm_(logvar_grad, self.logvar_weight.detach().transpose(1, 2)).sub_(residual * residual_scale)
        x_transposed = x.transpose(1, 2)
        return (
            x_grad,
            torch.bmm(x_transposed, mean_grad),
            mean_grad.sum(dim=1),
            torch.bmm(x_transposed, logvar_grad),
            logvar_grad.sum(dim=1),
            torch.bmm((z * residual_scale).transpose(1, 2), residual),
            residual.sum(dim=1) * residual_scale.view(-1, 1),
        )

    def _autograd_terms(self, x: Tensor, noise: Tensor | None) -> Tensor:
        mean = self._encode(x)
        logvar = LOGVAR_BOUND * torch.tanh(_affine(x, self.logvar_weight, self.logvar_bias) / LOGVAR_BOUND)
        z = mean if noise is None else mean + torch.exp(0.5 * logvar) * noise
        columns = [
            _squared_error(x, self._decode(z)),
            0.5 * (mean.square() + logvar.exp() - 1.0 - logvar).sum(dim=-1).mean(dim=-1),
            z.abs().mean(dim=(-2, -1)),
        ]
        return torch.stack(columns, dim=1)


@dataclass(frozen=True)
class ModelConfig:
    """Everything that defines a model before training; fields unused by a model are ignored."""

    name: str
    input_dim: int
    latent_dim: int = 100
    sparsity_target: float = 0.05
    sparsity_weight: float = DEFAULT_SPARSITY_WEIGHT
    l1_weight: float = DEFAULT_L1_WEIGHT
    disentanglement_weight: float = DEFAULT_DISENTANGLEMENT_WEIGHT
    # None: β = 1/input_dim (per_coefficient_kl_weight), resolved here so the cache key names it.
    kl_weight: float | None = None

    def __post_init__(self) -> None:
        if self.kl_weight is None and self.input_dim >= 1:
            object.__setattr__(self, "kl_weight", per_coefficient_kl_weight(self.input_dim))
        if self.name not in MODEL_NAMES:
            raise ValueError(f"unknown model {self.name!r}; choose one of {list(MODEL_NAMES)}")
        if self.input_dim < 1 or self.latent_dim < 1:
            raise ValueError(f"input_dim and latent_dim must be positive, got {self.input_dim} and {self.latent_dim}")
        if not 0.0 < self.sparsity_target < 1.0:
            raise ValueError(f"sparsity_target must lie in (0, 1), got {self.sparsity_target}")
        for field_name in ("sparsity_weight", "l1_weight", "disentanglement_weight", "kl_weight"):
            value = getattr(self, field_name)
            if not (math.isfinite(value) and value >= 0.0):
                raise ValueError(f"{field_name} must be a finite number ≥ 0, got {value}")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def build(self, seeds: Sequence[int] = (0,)) -> SeedStack:
        """The model, one independently initialised copy per seed (see :func:`build_model`)."""
        return build_model(self, seeds)


def build_model(config: ModelConfig, seeds: Sequence[int] = (0,)) -> SeedStack:
    """The model named by ``config``, one independently initialised copy per seed."""
    if config.name == "sae":
        return TiedSAE(
            config.input_dim,
            config.latent_dim,
            seeds,
            sparsity_target=config.sparsity_target,
            sparsity_weight=config.sparsity_weight,
            l1_weight=config.l1_weight,
        )
    if config.name == "sae_disentangled":
        return DisentangledSAE(
            config.input_dim,
            config.latent_dim,
            seeds,
            sparsity_target=config.sparsity_target,
            sparsity_weight=config.sparsity_weight,
            l1_weight=config.l1_weight,
            disentanglement_weight=config.disentanglement_weight,
        )
    return SparseVAE(
        config.input_dim,
        config.latent_dim,
        seeds,
        kl_weight=config.kl_weight,
        l1_weight=config.l1_weight,
    )
