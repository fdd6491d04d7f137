"""The three autoencoders: shapes, tied weights, every loss term by hand, finiteness, seeds."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from analysis.config import MODEL_NAMES
from analysis.engine.stack import concatenate
from analysis.sae.models import (
    LOGVAR_BOUND,
    SPARSITY_EPSILON,
    DisentangledSAE,
    ModelConfig,
    SparseVAE,
    TiedSAE,
    build_model,
    sparsity_kl,
)

D, K = 7, 4


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def stacked(name: str, seeds: tuple[int, ...] = (0,), **options: float) -> torch.nn.Module:
    return build_model(ModelConfig(name=name, input_dim=D, latent_dim=K, **options), seeds)


def inputs(*shape: int, seed: int = 0) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_shapes_with_a_seed_dimension(name: str) -> None:
    model = stacked(name, seeds=(3, 1, 2))
    x = inputs(3, 5, D)
    assert model.seeds == (3, 1, 2) and model.n_seeds == 3
    assert model.encode(x).shape == (3, 5, K)
    assert model.decode(inputs(3, 5, K)).shape == (3, 5, D)
    assert model(x).shape == (3, 5, D)
    terms = model.loss_terms(x)
    assert terms["total"].shape == (3,)
    assert all(value.shape == (3,) for value in terms.values())
    # 2-D input is shared by every seed.
    shared = inputs(5, D)
    assert torch.allclose(model.encode(shared), model.encode(shared.expand(3, -1, -1)))


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_single_seed_model_answers_in_two_dimensions(name: str) -> None:
    model = stacked(name)
    x = inputs(5, D)
    assert model.encode(x).shape == (5, K)
    assert model(x).shape == (5, D)
    assert all(value.dim() == 0 for value in model.loss_terms(x).values())
    assert model.encode(x[None]).shape == (1, 5, K)


def test_wrong_input_shape_is_named() -> None:
    model = stacked("sae", seeds=(0, 1))
    with pytest.raises(ValueError, match=r"x must have shape \(batch, 7\) or \(2, batch, 7\), got \(3, 5, 7\)"):
        model.encode(inputs(3, 5, D))
    with pytest.raises(ValueError, match=r"z must have shape \(batch, 4\) or \(2, batch, 4\), got \(5, 7\)"):
        model.decode(inputs(5, D))


def test_loss_term_keys() -> None:
    x = inputs(5, D)
    assert list(stacked("sae").loss_terms(x)) == ["reconstruction", "kl_sparsity", "l1", "total"]
    assert list(stacked("sae_disentangled").loss_terms(x)) == [
        "reconstruction",
        "kl_sparsity",
        "l1",
        "disentanglement",
        "total",
    ]
    assert list(stacked("svae").loss_terms(x)) == ["reconstruction", "vae_kl", "l1", "total"]


def test_tied_sae_has_exactly_one_weight_parameter() -> None:
    model = stacked("sae", seeds=(0, 1))
    names = [name for name, _ in model.named_parameters()]
    assert names == ["weight", "encoder_bias", "decoder_bias"]
    assert [tuple(p.shape) for p in model.parameters() if p.dim() == 3] == [(2, K, D)]
    # The decoder really is the transpose of the encoder: both read the one tensor.
    with torch.no_grad():
        model.weight[0, 1, 2] += 1.0
        z = torch.zeros(2, 1, K)
        z[0, 0, 1] = 1.0
        assert float(model.decode(z)[0, 0, 2]) == pytest.approx(float(model.weight[0, 1, 2] + model.decoder_bias[0, 2]))


def test_vae_heads_and_decoder_are_separate_parameters() -> None:
    names = [name for name, _ in stacked("svae").named_parameters()]
    assert names == ["mean_weight", "mean_bias", "logvar_weight", "logvar_bias", "decoder_weight", "decoder_bias"]


def _with_random_biases(model: torch.nn.Module) -> torch.nn.Module:
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if name.endswith("bias"):
                parameter.copy_(0.3 * inputs(*parameter.shape, seed=len(name)))
    return model.double()


def _kl_by_hand(h: np.ndarray, rho: float) -> float:
    eps = SPARSITY_EPSILON
    rho_hat = eps + (1 - 2 * eps) * np.tanh(h.mean(axis=0))
    return float(np.sum(rho * np.log(rho / rho_hat) + (1 - rho) * np.log((1 - rho) / (1 - rho_hat))))


def _covariance_by_hand(h: np.ndarray) -> float:
    n, k = h.shape
    total = 0.0
    for i in range(k):
        for j in range(k):
            if i != j:
                cov = np.sum((h[:, i] - h[:, i].mean()) * (h[:, j] - h[:, j].mean())) / n
                total += cov**2
    return total


def test_sae_terms_match_a_hand_computation() -> None:
    model = _with_random_biases(stacked("sae_disentangled", sparsity_weight=0.3, l1_weight=0.2, disentanglement_weight=0.1))
    x = inputs(6, D).double()
    W = model.weight[0].detach().numpy()
    b_e = model.encoder_bias[0].detach().numpy()
    b_d = model.decoder_bias[0].detach().numpy()
    xn = x.numpy()
    h = np.maximum(xn @ W.T + b_e, 0.0)
    x_hat = h @ W + b_d
    expected = {
        "reconstruction": np.mean((x_hat - xn) ** 2),
        "kl_sparsity": _kl_by_hand(h, 0.05),
        "l1": np.mean(np.abs(h)),
        "disentanglement": _covariance_by_hand(h),
    }
    expected["total"] = (
        expected["reconstruction"] + 0.3 * expected["kl_sparsity"] + 0.2 * expected["l1"] + 0.1 * expected["disentanglement"]
    )
    assert 0 < h.mean() and (h == 0).any()  # the case exercises both sides of the ReLU
    terms = model.loss_terms(x)
    for name, value in expected.items():
        assert terms[name].item() == pytest.approx(value, rel=1e-12), name


def test_plain_sae_total_leaves_out_disentanglement() -> None:
    model = _with_random_biases(stacked("sae", sparsity_weight=0.3, l1_weight=0.2))
    terms = model.loss_terms(inputs(6, D).double())
    expected = terms["reconstruction"] + 0.3 * terms["kl_sparsity"] + 0.2 * terms["l1"]
    assert terms["total"].item() == pytest.approx(expected.item(), rel=1e-12)


def test_vae_terms_match_a_hand_computation() -> None:
    model = _with_random_biases(stacked("svae", kl_weight=0.7, l1_weight=0.2)).train()
    x = inputs(6, D).double()
    noise = inputs(6, K, seed=5).double()
    p = {name: value[0].detach().numpy() for name, value in model.named_parameters()}
    xn, en = x.numpy(), noise.numpy()
    mu = xn @ p["mean_weight"] + p["mean_bias"]
    logvar = LOGVAR_BOUND * np.tanh((xn @ p["logvar_weight"] + p["logvar_bias"]) / LOGVAR_BOUND)
    z = mu + np.exp(logvar / 2) * en
    x_hat = z @ p["decoder_weight"] + p["decoder_bias"]
    kl_per_sample = [
        sum(0.5 * (mu[n, j] ** 2 + math.exp(logvar[n, j]) - 1 - logvar[n, j]) for j in range(K)) for n in range(6)
    ]
    expected = {
        "reconstruction": np.mean((x_hat - xn) ** 2),
        "vae_kl": np.mean(kl_per_sample),
        "l1": np.mean(np.abs(z)),
    }
    expected["total"] = expected["reconstruction"] + 0.7 * expected["vae_kl"] + 0.2 * expected["l1"]
    terms = model.loss_terms(x, noise=noise)
    for name, value in expected.items():
        assert terms[name].item() == pytest.approx(value, rel=1e-12), name


def test_vae_log_variance_is_bounded_so_the_kl_term_cannot_explode() -> None:
    model = stacked("svae", kl_weight=1.0, l1_weight=0.0).train()
    with torch.no_grad():
        model.logvar_bias.fill_(1e4)  # an absurd pre-activation: e^{1e4} would overflow
    x = inputs(5, D)
    terms = model.loss_terms(x, noise=torch.zeros(5, K))
    bound = 0.5 * K * (math.exp(LOGVAR_BOUND) - 1 - LOGVAR_BOUND)  # KL with μ's part added below
    mu = model.encode(x)
    assert torch.isfinite(terms["vae_kl"])
    assert terms["vae_kl"].item() <= bound + 0.5 * mu.square().sum(dim=-1).mean().item() + 1e-3
    model.loss_and_gradients(x, noise=torch.zeros(5, K))
    assert all(torch.isfinite(parameter.grad).all() for parameter in model.parameters())


def test_vae_evaluates_with_the_mean() -> None:
    model = stacked("svae")
    x = inputs(6, D)
    model.eval()
    mu = model.encode(x)
    assert torch.equal(model(x), model.decode(mu))
    noisy = model.loss_terms(x, noise=inputs(6, K, seed=9))
    quiet = model.loss_terms(x)
    assert all(torch.equal(noisy[name], quiet[name]) for name in quiet)
    assert quiet["l1"].item() == pytest.approx(mu.abs().mean().item())
    model.train()
    assert torch.equal(model.loss_terms(x, noise=torch.zeros(6, K))["total"], quiet["total"])
    assert not torch.equal(model.loss_terms(x, noise=inputs(6, K, seed=9))["total"], quiet["total"])


def _gradients(model: torch.nn.Module, x: torch.Tensor) -> list[torch.Tensor]:
    model.zero_grad()
    terms = model.loss_terms(x)
    terms["total"].sum().backward()
    assert all(torch.isfinite(value).all() for value in terms.values())
    return [parameter.grad for parameter in model.parameters()]


@pytest.mark.parametrize("name", ["sae", "sae_disentangled"])
def test_all_zero_activations_give_finite_loss_and_no_gradient_through_dead_units(name: str) -> None:
    model = stacked(name)
    with torch.no_grad():
        model.encoder_bias.fill_(-100.0)
    x = inputs(8, D)
    assert torch.equal(model.encode(x), torch.zeros(8, K))
    grads = _gradients(model, x)
    assert all(torch.isfinite(grad).all() for grad in grads)
    assert torch.equal(model.encoder_bias.grad, torch.zeros_like(model.encoder_bias))


@pytest.mark.parametrize("name", ["sae", "sae_disentangled"])
@pytest.mark.parametrize("level", [-100.0, 1e-9, 0.999, 5.0, 30.0])
def test_loss_and_gradients_are_finite_at_extreme_mean_activations(name: str, level: float) -> None:
    """Every unit constant at max(level, 0): ρ̂ at ε, just above it, raw means near 1, above 1, saturated."""
    model = stacked(name)
    with torch.no_grad():
        model.weight.zero_()
        model.encoder_bias.fill_(level)
    x = inputs(8, D)
    assert torch.allclose(model.encode(x), torch.full((8, K), max(level, 0.0)))
    grads = _gradients(model, x)
    assert all(torch.isfinite(grad).all() for grad in grads)


def test_kl_keeps_pushing_mean_activations_above_one_down() -> None:
    activations = torch.full((1, 8, 3), 2.0, requires_grad=True)
    kl = sparsity_kl(activations, 0.05).sum()
    kl.backward()
    assert torch.isfinite(kl)
    assert (activations.grad > 0).all()  # clamping would give 0 here


def test_sparsity_kl_is_zero_at_the_target() -> None:
    target = 0.05
    at_target = torch.full((1, 4, 2), math.atanh((target - SPARSITY_EPSILON) / (1 - 2 * SPARSITY_EPSILON)))
    assert torch.allclose(sparsity_kl(at_target.double(), target), torch.zeros(1, 2, dtype=torch.float64), atol=1e-12)


@pytest.mark.parametrize("name", ["sae", "sae_disentangled"])
def test_tied_backward_matches_plain_autograd(name: str) -> None:
    model = _with_random_biases(stacked(name, seeds=(0, 1), sparsity_weight=0.3, l1_weight=0.2))
    x = inputs(2, 6, D).double().requires_grad_(True)
    model.loss_terms(x)["total"].sum().backward()

    weight, encoder_bias, decoder_bias = (p.detach().clone().requires_grad_(True) for p in model.parameters())
    x_reference = x.detach().clone().requires_grad_(True)
    h = torch.relu(x_reference @ weight.transpose(1, 2) + encoder_bias[:, None])
    x_hat = h @ weight + decoder_bias[:, None]
    rho_hat = SPARSITY_EPSILON + (1 - 2 * SPARSITY_EPSILON) * torch.tanh(h.mean(1))
    kl = (0.05 * torch.log(0.05 / rho_hat) + 0.95 * torch.log(0.95 / (1 - rho_hat))).sum(-1)
    total = ((x_hat - x_reference) ** 2).mean((1, 2)) + 0.3 * kl + 0.2 * h.abs().mean((1, 2))
    if name == "sae_disentangled":
        centred = h - h.mean(1, keepdim=True)
        covariance = centred.transpose(1, 2) @ centred / 6
        total = total + model.disentanglement_weight * (covariance**2 * (1 - torch.eye(K))).sum((1, 2))
    total.sum().backward()
    for mine, reference in zip(
        (model.weight, model.encoder_bias, model.decoder_bias, x), (weight, encoder_bias, decoder_bias, x_reference)
    ):
        assert torch.allclose(mine.grad, reference.grad, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", MODEL_NAMES)
@pytest.mark.parametrize("training", [True, False])
def test_hand_written_gradients_match_autograd_for_any_weighting_of_the_terms(name: str, training: bool) -> None:
    """Each term and each seed with its own weight, so every column of the backward is exercised."""
    model = _with_random_biases(
        stacked(name, seeds=(0, 1, 2), sparsity_weight=0.3, l1_weight=0.2, disentanglement_weight=0.1, kl_weight=0.7)
    ).train(training)
    x = inputs(3, 6, D).double()
    noise = inputs(3, 6, K, seed=4).double()

    def values_and_gradients(method_name: str) -> tuple[dict[str, torch.Tensor], list[torch.Tensor]]:
        model.zero_grad()
        x_leaf = x.clone().requires_grad_(True)
        terms = getattr(model, method_name)(x_leaf, noise)
        weighted = sum((value * inputs(3, seed=10 + index).double()).sum() for index, value in enumerate(terms.values()))
        weighted.backward()
        return terms, [parameter.grad.clone() for parameter in model.parameters()] + [x_leaf.grad]

    fused_terms, fused_gradients = values_and_gradients("loss_terms")
    reference_terms, reference_gradients = values_and_gradients("autograd_loss_terms")
    assert list(fused_terms) == list(reference_terms)
    for term in fused_terms:
        assert torch.allclose(fused_terms[term], reference_terms[term], rtol=1e-12, atol=0), term
    for (parameter_name, _), mine, reference in zip(
        [*model.named_parameters(), ("x", None)], fused_gradients, reference_gradients
    ):
        assert torch.allclose(mine, reference, rtol=1e-10, atol=1e-12), parameter_name


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_direct_gradients_equal_autograd_through_the_summed_totals(name: str) -> None:
    model = _with_random_biases(stacked(name, seeds=(0, 1), sparsity_weight=0.3, l1_weight=0.2, kl_weight=0.7)).train()
    x = inputs(2, 6, D).double()
    noise = inputs(2, 6, K, seed=4).double()
    model.autograd_loss_terms(x, noise)["total"].sum().backward()
    reference = [parameter.grad.clone() for parameter in model.parameters()]
    for parameter in model.parameters():
        parameter.grad = torch.full_like(parameter, 7.0)  # replaced, not accumulated into
    terms = model.loss_and_gradients(x, noise)
    assert not any(value.requires_grad for value in terms.values())
    expected = model.autograd_loss_terms(x, noise)
    for term, value in terms.items():
        assert torch.allclose(value, expected[term], rtol=1e-12, atol=0), term
    for (parameter_name, parameter), wanted in zip(model.named_parameters(), reference):
        assert torch.allclose(parameter.grad, wanted, rtol=1e-10, atol=1e-12), parameter_name


def test_xavier_initialisation_and_zero_biases() -> None:
    model = build_model(ModelConfig("sae", input_dim=300, latent_dim=100), (0,))
    bound = math.sqrt(6.0 / (300 + 100))
    weight = model.weight.detach()
    assert weight.abs().max() <= bound
    assert weight.std().item() == pytest.approx(bound / math.sqrt(3.0), rel=0.02)
    assert not model.encoder_bias.any() and not model.decoder_bias.any()
    vae = build_model(ModelConfig("svae", input_dim=300, latent_dim=100), (0,))
    for name in ("mean_weight", "logvar_weight", "decoder_weight"):
        assert getattr(vae, name).abs().max() <= bound
    assert not torch.equal(vae.mean_weight, vae.logvar_weight)


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_each_seed_is_initialised_on_its_own(name: str) -> None:
    together = stacked(name, seeds=(4, 7))
    alone = stacked(name, seeds=(7,))
    again = stacked(name, seeds=(4, 7))
    for (key, value), (_, single), (_, repeat) in zip(
        together.named_parameters(), alone.named_parameters(), again.named_parameters()
    ):
        assert torch.equal(value[1:], single), key
        assert torch.equal(value, repeat), key
    first_weight = next(iter(together.parameters()))
    assert not torch.equal(first_weight[0], first_weight[1])


def test_select_copies_the_chosen_seeds() -> None:
    model = stacked("svae", seeds=(10, 11, 12))
    chosen = model.select([2, 0])
    assert chosen.seeds == (12, 10) and type(chosen) is SparseVAE
    for name, parameter in chosen.named_parameters():
        assert torch.equal(parameter, getattr(model, name)[[2, 0]])
    with torch.no_grad():
        chosen.decoder_bias.fill_(1.0)
    assert not model.decoder_bias.any()  # a copy, not a view
    with pytest.raises(ValueError, match=r"seed positions must be in \[0, 3\), got \[3\]"):
        model.select([3])


def test_build_model_maps_names_and_options() -> None:
    assert type(stacked("sae")) is TiedSAE
    assert type(stacked("sae_disentangled")) is DisentangledSAE
    assert type(stacked("svae")) is SparseVAE
    model = stacked("sae_disentangled", sparsity_target=0.1, sparsity_weight=0.2, l1_weight=0.3, disentanglement_weight=0.4)
    assert (model.sparsity_target, model.sparsity_weight, model.l1_weight, model.disentanglement_weight) == (0.1, 0.2, 0.3, 0.4)
    vae = stacked("svae", kl_weight=0.5, l1_weight=0.25)
    assert (vae.kl_weight, vae.l1_weight) == (0.5, 0.25)


@pytest.mark.parametrize(
    "options, message",
    [
        ({"name": "pca"}, r"unknown model 'pca'; choose one of \['sae', 'sae_disentangled', 'svae'\]"),
        ({"latent_dim": 0}, "input_dim and latent_dim must be positive, got 7 and 0"),
        ({"sparsity_target": 1.0}, r"sparsity_target must lie in \(0, 1\), got 1.0"),
        ({"l1_weight": -0.1}, "l1_weight must be a finite number ≥ 0, got -0.1"),
        ({"kl_weight": float("nan")}, "kl_weight must be a finite number ≥ 0, got nan"),
    ],
)
def test_model_config_rejects_bad_values(options: dict, message: str) -> None:
    fields = {"name": "sae", "input_dim": D, **options}
    with pytest.raises(ValueError, match=message):
        ModelConfig(**fields)


# --- rows with their own penalty weights (a sweep in one stack) -------------------------


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_joined_rows_keep_their_own_weights_and_gradients(name: str) -> None:
    """Each row of a joined stack computes the loss and gradient of its model trained alone."""
    options = [
        {"sparsity_weight": 0.3, "l1_weight": 0.2, "kl_weight": 0.7},
        {"sparsity_weight": 0.05, "l1_weight": 1.5, "kl_weight": 0.01},
    ]
    parts = [stacked(name, seeds=(0, 1), **options[0]), stacked(name, seeds=(0,), **options[1])]
    joined = concatenate(parts).double().train()
    assert joined.seeds == (0, 1, 0)
    x = inputs(3, 6, D).double()
    noise = inputs(3, 6, K, seed=4).double()
    joined_terms = joined.loss_and_gradients(x, noise)
    joined_grads = [parameter.grad for parameter in joined.parameters()]
    rows = [(0, slice(0, 2)), (1, slice(2, 3))]
    for part, positions in rows:
        model = parts[part].double().train()
        terms = model.loss_and_gradients(x[positions], noise[positions])
        for term, value in terms.items():
            assert torch.allclose(joined_terms[term][positions], value, rtol=1e-12), (part, term)
        for (parameter_name, parameter), joined_grad in zip(model.named_parameters(), joined_grads):
            assert torch.allclose(joined_grad[positions], parameter.grad, rtol=1e-10, atol=1e-12), (part, parameter_name)
    # The autograd path weighs the rows the same way.
    autograd_total = joined.autograd_loss_terms(x, noise)["total"]
    assert torch.allclose(autograd_total, joined_terms["total"], rtol=1e-12)
    # Rows with the same seed start from the same weights.
    first = next(joined.parameters())
    assert torch.equal(first[0], first[2]) and not torch.equal(first[0], first[1])


def test_selecting_rows_of_a_joined_stack_keeps_their_weights() -> None:
    joined = concatenate([stacked("sae", seeds=(0,), l1_weight=0.1), stacked("sae", seeds=(0,), l1_weight=0.9)])
    chosen = joined.select([1])
    assert chosen.row_penalty_weights.tolist() == [[pytest.approx(1e-3), pytest.approx(0.9)]]
    x = inputs(6, D)
    alone = stacked("sae", seeds=(0,), l1_weight=0.9)
    assert torch.allclose(chosen.loss_terms(x)["total"], alone.loss_terms(x)["total"])


def test_only_stacks_of_one_architecture_join() -> None:
    with pytest.raises(ValueError, match="only stacks of one architecture can be joined"):
        concatenate([stacked("sae"), stacked("sae_disentangled")])
    with pytest.raises(ValueError, match="only stacks of one architecture can be joined"):
        concatenate([stacked("sae"), stacked("sae", sparsity_target=0.1)])
    with pytest.raises(ValueError, match="at least one stack"):
        concatenate([])


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_penalty_scale_scales_every_penalty_and_not_the_reconstruction(name: str) -> None:
    model = stacked(name, seeds=(0, 1), sparsity_weight=0.3, l1_weight=0.2, kl_weight=0.7).eval()
    x = inputs(6, D)
    full = model.loss_terms(x)
    model.penalty_scale = 0.25
    scaled = model.loss_terms(x)
    penalties = sum(weight * full[term] for term, weight in model.penalty_weights().items())
    assert torch.allclose(scaled["total"], full["reconstruction"] + 0.25 * penalties, rtol=1e-6)
