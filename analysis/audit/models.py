"""The study's models as its public code built them: options on top of :mod:`analysis.sae.models`.

Three behaviours of the original code change the models themselves
(paper-claims, "How the original implementation behaved", items 4–6):

* **randn/√d initialisation** instead of Xavier: every weight matrix drawn
  from N(0, 1/d), d the input width of the map it belongs to;
* **unclamped ρ̂**: the KL sparsity term uses the raw batch-mean activation
  ρ̂_j = a_j, so KL(ρ ‖ ρ̂_j) is NaN once a mean activation exceeds 1 and
  infinite at 0, while its gradient −ρ/a_j + (1 − ρ)/(1 − a_j) stays finite
  (the silent NaN of item 10);
* **the code's "sparse VAE"**: tied weights, one linear map used as μ,
  log σ² fixed at 0 (z = μ + ε in training), and the KL to N(0, I) and the L1
  term on z *summed* over batch and units rather than averaged.

Each is a field of :class:`AuditModelConfig` whose default is the book's
pipeline; a configuration with every field at its default is a plain
:class:`~analysis.sae.models.ModelConfig` (:func:`as_pipeline_config`), so it
shares the pipeline's cache entries. The classes subclass the pipeline's, so
their cache key also carries a hash of ``analysis/sae/models.py``.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from analysis.engine.stack import SeedStack, seed_generator
from analysis.sae import models as sae_models
from analysis.sae.models import DisentangledSAE, ModelConfig, SparseVAE, TiedSAE

INITIALISATIONS: tuple[str, ...] = ("xavier", "randn")


def raw_sparsity_kl(activations: Tensor, target: float) -> Tensor:
    """Per-unit KL(ρ ‖ ρ̂_j) with ρ̂_j the raw batch mean: NaN beyond 1, +inf at 0 (no clamping)."""
    rho_hat = activations.mean(dim=-2)
    return target * torch.log(target / rho_hat) + (1.0 - target) * torch.log((1.0 - target) / (1.0 - rho_hat))


def _raw_kl_slope(mean_activation: Tensor, target: float) -> Tensor:
    """d KL / d a_j for the raw ρ̂_j = a_j (finite wherever a_j ∉ {0, 1})."""
    return -target / mean_activation + (1.0 - target) / (1.0 - mean_activation)


class _RawSparsity:
    """Mixin for the tied SAEs: the KL column and its gradient with ρ̂ unclamped.

    The pipeline's passes run first; the KL column is replaced and the
    gradient is corrected by the difference of the two slopes, routed through
    the ReLU with ``torch.where`` so a dead unit (a_j = 0, slope −∞) passes
    nothing, as autograd's ReLU would.
    """

    def _forward_pass(self, x: Tensor, noise: Tensor | None) -> tuple[Tensor, tuple[Tensor, ...]]:
        columns, saved = super()._forward_pass(x, noise)  # type: ignore[misc]
        codes = saved[1]
        columns = columns.clone()
        columns[:, 1] = raw_sparsity_kl(codes, self.sparsity_target).sum(dim=-1)  # type: ignore[attr-defined]
        return columns, saved

    def _backward_pass(self, saved: Sequence[Tensor], term_weights: Tensor, input_grad: bool) -> tuple[Tensor | None, ...]:
        x_grad, weight_grad, encoder_bias_grad, decoder_bias_grad = super()._backward_pass(saved, term_weights, input_grad)  # type: ignore[misc]
        x, codes, _ = saved
        batch = codes.shape[1]
        mean_activation = codes.mean(dim=1)
        target = self.sparsity_target  # type: ignore[attr-defined]
        change = (_raw_kl_slope(mean_activation, target) - sae_models._sparsity_kl_slope(mean_activation, target)) * term_weights[:, 1:2] / batch
        correction = torch.where(codes > 0, change.unsqueeze(1).expand_as(codes), torch.zeros_like(codes))
        weight_grad = weight_grad + torch.bmm(correction.transpose(1, 2), x)
        encoder_bias_grad = encoder_bias_grad + correction.sum(dim=1)
        if x_grad is not None:
            x_grad = x_grad + torch.bmm(correction, self.weight.detach())  # type: ignore[attr-defined]
        return x_grad, weight_grad, encoder_bias_grad, decoder_bias_grad

    def _autograd_terms(self, x: Tensor, noise: Tensor | None) -> Tensor:
        columns = super()._autograd_terms(x, noise).clone()  # type: ignore[misc]
        columns[:, 1] = raw_sparsity_kl(self._encode(x), self.sparsity_target).sum(dim=-1)  # type: ignore[attr-defined]
        return columns

    def structure(self) -> dict[str, Any]:
        return {**super().structure(), "sparsity_kl": "raw"}  # type: ignore[misc]


class RawTiedSAE(_RawSparsity, TiedSAE):
    """The tied SAE with ρ̂ unclamped."""


class RawDisentangledSAE(_RawSparsity, DisentangledSAE):
    """The tied SAE with the covariance penalty and ρ̂ unclamped (the code's deterministic model)."""


class CodeSparseVAE(SeedStack):
    """The "sparse VAE" of the study's code: tied, μ = W x + b_e, log σ² = 0, summed KL and L1.

    z = μ + ε in training (ε ~ N(0, I)), z = μ in evaluation;
    x̂ = Wᵀ z + b_d. Columns: mean r² over all elements,
    Σ_{b,k} ½ μ² (the KL to N(0, I) at unit variance, summed over batch and
    units) and Σ_{b,k} |z|.
    """

    uses_noise = True

    def __init__(
        self,
        input_dim: int,
        latent_dim: int = 100,
        seeds: Sequence[int] = (0,),
        kl_weight: float = sae_models.STUDY_KL_WEIGHT,
        l1_weight: float = sae_models.DEFAULT_L1_WEIGHT,
    ) -> None:
        super().__init__(input_dim, latent_dim, seeds)
        self.kl_weight = kl_weight
        self.l1_weight = l1_weight
        self.weight = nn.Parameter(sae_models._xavier_stack((latent_dim, input_dim), self._init_generators()))
        self.encoder_bias = nn.Parameter(torch.zeros(self.n_seeds, latent_dim))
        self.decoder_bias = nn.Parameter(torch.zeros(self.n_seeds, input_dim))

    def _encode(self, x: Tensor) -> Tensor:
        return sae_models._affine(x, self.weight.transpose(1, 2), self.encoder_bias)

    def _decode(self, z: Tensor) -> Tensor:
        return sae_models._affine(z, self.weight, self.decoder_bias)

    def penalty_weights(self) -> dict[str, float]:
        return {"vae_kl": self.kl_weight, "l1": self.l1_weight}

    def _forward_pass(self, x: Tensor, noise: Tensor | None) -> tuple[Tensor, tuple[Tensor | None, ...]]:
        mean = self._encode(x)
        z = mean if noise is None else mean + noise
        residual = self._decode(z).sub_(x)
        columns = torch.stack(
            [sae_models._mean_square(residual), 0.5 * mean.square().sum(dim=(1, 2)), z.abs().sum(dim=(1, 2))], dim=1
        )
        return columns, (x, mean, z, residual)

    def _backward_pass(self, saved: Sequence[Tensor | None], term_weights: Tensor, input_grad: bool) -> tuple[Tensor | None, ...]:
        """∂/∂r = w_rec 2r/(B d); ∂/∂z = ∂/∂r W̃ + w_l1 sign(z); ∂/∂μ = ∂/∂z + w_kl μ;
        ∂/∂W = ∂/∂μᵀ x + zᵀ ∂/∂r; ∂/∂b_e = Σ_b ∂/∂μ; ∂/∂b_d = Σ_b ∂/∂r; ∂/∂x = ∂/∂μ W − ∂/∂r."""
        x, mean, z, residual = saved
        batch, input_dim = residual.shape[1:]
        residual_grad = residual * sae_models._per_seed(term_weights[:, 0] * (2.0 / (batch * input_dim)))
        weight = self.weight.detach()
        z_grad = torch.bmm(residual_grad, weight.transpose(1, 2))
        z_grad.addcmul_(torch.sign(z), sae_models._per_seed(term_weights[:, 2]))
        mean_grad = torch.addcmul(z_grad, mean, sae_models._per_seed(term_weights[:, 1]))
        weight_grad = torch.bmm(mean_grad.transpose(1, 2), x)
        weight_grad.baddbmm_(z.transpose(1, 2), residual_grad)
        x_grad = torch.bmm(mean_grad, weight) - residual_grad if input_grad else None
        return x_grad, weight_grad, mean_grad.sum(dim=1), residual_grad.sum(dim=1)

    def _autograd_terms(self, x: Tensor, noise: Tensor | None) -> Tensor:
        mean = self._encode(x)
        z = mean if noise is None else mean + noise
        reconstruction = (self._decode(z) - x).square().mean(dim=(-2, -1))
        return torch.stack([reconstruction, 0.5 * mean.square().sum(dim=(-2, -1)), z.abs().sum(dim=(-2, -1))], dim=1)

    def logvar(self, x: Tensor) -> Tensor:
        """log σ² of q(z|x): zero everywhere, by construction."""
        return torch.zeros_like(self.encode(x))


@cache
def _sae_models_hash() -> str:
    return hashlib.sha256(Path(sae_models.__file__).read_bytes()).hexdigest()


@dataclass(frozen=True)
class AuditModelConfig(ModelConfig):
    """A pipeline model with the original code's model choices as options (defaults: the pipeline's).

    ``init``: "xavier" or "randn" (N(0, 1/d)); ``raw_sparsity``: ρ̂ unclamped;
    ``covariance_in_sae``: the plain SAE carries the covariance penalty too;
    ``code_vae``: the Sparse VAE is :class:`CodeSparseVAE`.
    """

    init: str = "xavier"
    raw_sparsity: bool = False
    covariance_in_sae: bool = False
    code_vae: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.init not in INITIALISATIONS:
            raise ValueError(f"init must be one of {INITIALISATIONS}, got {self.init!r}")

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "sae_models_source": _sae_models_hash()}

    def build(self, seeds: Sequence[int] = (0,)) -> SeedStack:
        return build_audit_model(self, seeds)


OPTION_FIELDS: tuple[str, ...] = ("init", "raw_sparsity", "covariance_in_sae", "code_vae")


def as_pipeline_config(config: AuditModelConfig) -> ModelConfig | AuditModelConfig:
    """The plain pipeline configuration when every option is at its default, else ``config`` itself."""
    defaults = AuditModelConfig(name=config.name, input_dim=config.input_dim)
    if all(getattr(config, name) == getattr(defaults, name) for name in OPTION_FIELDS):
        values = {f.name: getattr(config, f.name) for f in fields(ModelConfig)}
        return ModelConfig(**values)
    return config


def build_audit_model(config: AuditModelConfig, seeds: Sequence[int] = (0,)) -> SeedStack:
    """The model ``config`` names, one copy per seed, initialised as its ``init`` says."""
    if config.name == "svae" and config.code_vae:
        model: SeedStack = CodeSparseVAE(config.input_dim, config.latent_dim, seeds, config.kl_weight, config.l1_weight)
    elif config.name == "svae":
        model = sae_models.build_model(ModelConfig(**{f.name: getattr(config, f.name) for f in fields(ModelConfig)}), seeds)
    else:
        disentangles = config.name == "sae_disentangled" or config.covariance_in_sae
        if disentangles:
            cls = RawDisentangledSAE if config.raw_sparsity else DisentangledSAE
            model = cls(
                config.input_dim, config.latent_dim, seeds, config.sparsity_target, config.sparsity_weight,
                config.l1_weight, config.disentanglement_weight,
            )  # fmt: skip
        else:
            cls = RawTiedSAE if config.raw_sparsity else TiedSAE
            model = cls(config.input_dim, config.latent_dim, seeds, config.sparsity_target, config.sparsity_weight, config.l1_weight)
    if config.init == "randn":
        randn_init(model)
    return model


# Weight matrices of each model and the axis that holds the input width d of the map.
_INPUT_AXIS = {"weight": 2, "mean_weight": 1, "logvar_weight": 1, "decoder_weight": 1}


def randn_init(model: SeedStack) -> None:
    """Redraw every weight matrix as N(0, 1) / √d, d its map's input width, one draw per seed."""
    generators = [seed_generator(seed, "init") for seed in model.seeds]
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if name not in _INPUT_AXIS:
                continue
            width = parameter.shape[_INPUT_AXIS[name]]
            for row, generator in enumerate(generators):
                parameter[row] = torch.randn(parameter.shape[1:], generator=generator) / math.sqrt(width)
