"""The audit's switches: each changes what it claims and nothing else."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from analysis import config
from analysis.audit import switches
from analysis.audit.models import AuditModelConfig, CodeSparseVAE, RawTiedSAE, as_pipeline_config, raw_sparsity_kl
from analysis.data import Cohort
from analysis.features.model_inputs import build_features
from analysis.sae import study as gait
from analysis.sae.models import ModelConfig


def _cohort(n_subjects: int = 6, trials_per_subject: int = 3, seed: int = 0) -> Cohort:
    rng = np.random.default_rng(seed)
    n = n_subjects * trials_per_subject
    subject = np.repeat(np.arange(1, n_subjects + 1), trials_per_subject)
    trials = pd.DataFrame(
        {
            "DATASET_ID": 1,
            "SUBJECT_ID": subject,
            "SESSION_ID": 10 * subject,
            "TRIAL_ID": np.tile(np.arange(1, trials_per_subject + 1), n_subjects),
            "WALKING_SPEED": rng.uniform(0.8, 1.6, n),
            "AGE": np.repeat(rng.uniform(20, 70, n_subjects), trials_per_subject),
            "HEIGHT": np.repeat(rng.uniform(150, 190, n_subjects), trials_per_subject),
            "BODY_WEIGHT": np.repeat(rng.uniform(500, 900, n_subjects), trials_per_subject),
        }
    )
    channels = ("F_V_left", "F_V_right")
    curves = np.sin(np.linspace(0, np.pi, 101))[None, None, :] + 0.1 * rng.standard_normal((n, len(channels), 101))
    return Cohort(curves=curves, channels=channels, trials=trials, directory=Path("."))


@pytest.fixture(scope="module")
def cohort() -> Cohort:
    return _cohort()


def test_bad_switch_names_give_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"unknown switch\(es\) \['per_trial'\]"):
        switches.Configuration(("per_trial",))
    with pytest.raises(ValueError, match="unknown switch"):
        switches.configurations(["id_columns", "bogus"])
    with pytest.raises(ValueError, match=r"unknown switch\(es\) \['nope'\]"):
        config.resolve_audit("smoke", switches=["nope"])


def test_configurations_are_none_each_alone_and_all() -> None:
    names = [configuration.name for configuration in switches.configurations()]
    assert names == ["none", *switches.SWITCH_KEYS, "all"]
    assert config.AUDIT_SWITCHES == switches.SWITCH_KEYS


def test_id_columns_give_105_values_and_141_coefficients(cohort: Cohort) -> None:
    signals = switches.signal_rows(cohort, id_columns=True)
    assert signals.shape[-1] == 105
    np.testing.assert_array_equal(signals[:, 0, :4], cohort.trials[list(switches.ID_COLUMNS)].to_numpy(dtype=float))
    np.testing.assert_array_equal(signals[..., 4:], cohort.curves)
    assert sum(switches.band_lengths(105)) == 141 and sum(switches.band_lengths(101)) == 135
    trial = switches.build_inputs(cohort, switches.Configuration(("id_columns",)))
    assert trial.input_dim == 141 * len(cohort.channels)
    curve = switches.build_inputs(cohort, switches.Configuration(("id_columns", "per_curve")))
    assert curve.input_dim == 141
    # The ID values are in the input: changing a subject's ID changes its rows.
    renamed = Cohort(curves=cohort.curves, channels=cohort.channels, trials=cohort.trials.assign(SUBJECT_ID=cohort.trials["SUBJECT_ID"] * 7), directory=Path("."))
    assert not np.allclose(switches.wavelet_rows(switches.signal_rows(renamed, True)), switches.wavelet_rows(signals))


def test_true_reconstruction_of_id_inputs_recovers_the_curves(cohort: Cohort) -> None:
    data = switches.build_inputs(cohort, switches.Configuration(("id_columns", "per_curve", "no_split")))
    curves = switches.to_curves(data, data.evaluation)
    np.testing.assert_allclose(curves[:, 0, :], cohort.curves.reshape(-1, 101), atol=1e-6)


def test_no_switch_is_the_pipeline(cohort: Cohort) -> None:
    settings = config.resolve("smoke")
    data = switches.build_inputs(cohort, switches.Configuration(()), settings.split_seed)
    features = build_features(cohort, split_seed=settings.split_seed)
    np.testing.assert_array_equal(data.train, features.train)
    np.testing.assert_array_equal(data.evaluation, features.test)
    assert data.identity == features.identity
    for name in config.MODEL_NAMES:
        chosen = switches.model_config(settings, switches.Configuration(()), name, data.input_dim)
        assert type(chosen) is ModelConfig
        assert chosen == gait.model_config(settings, name, data.input_dim)
    assert switches.train_config(settings, switches.Configuration(()), settings.seeds, 100) == gait.train_config(settings)


def test_each_switch_changes_only_its_part(cohort: Cohort) -> None:
    settings = config.resolve("smoke")
    base = switches.build_inputs(cohort, switches.Configuration(()))
    for key in ("randn_init", "code_penalties", "code_vae", "coefficient_figure"):
        data = switches.build_inputs(cohort, switches.Configuration((key,)).training_part())
        assert data.identity == base.identity, key
    touched = {
        "randn_init": set(config.MODEL_NAMES),
        "code_penalties": {"sae", "sae_disentangled"},
        "code_vae": {"svae"},
        "per_curve": set(),
        "id_columns": set(),
        "no_split": set(),
        "coefficient_figure": set(),
    }
    for key, models in touched.items():
        configuration = switches.Configuration((key,))
        for name in config.MODEL_NAMES:
            chosen = switches.model_config(settings, configuration, name, base.input_dim)
            assert (type(chosen) is AuditModelConfig) == (name in models), (key, name)
    no_split = switches.build_inputs(cohort, switches.Configuration(("no_split",)))
    assert no_split.train.shape[0] == len(cohort.trials)
    np.testing.assert_array_equal(no_split.train, no_split.evaluation)
    trained = switches.train_config(settings, switches.Configuration(("no_split",)), (0,), 7)
    assert (trained.epochs, trained.restore_best, trained.patience) == (7, False, 7)
    per_curve = switches.build_inputs(cohort, switches.Configuration(("per_curve",)))
    assert per_curve.input_dim == 135 and per_curve.train.shape[0] == base.train.shape[0] * len(cohort.channels)


def test_coefficient_figure_is_the_identity_and_true_curves_differ(cohort: Cohort) -> None:
    data = switches.build_inputs(cohort, switches.Configuration(("per_curve",)))
    vectors = data.raw(data.evaluation[:5])
    drawn = switches.code_figure_reconstruction(vectors)
    np.testing.assert_allclose(drawn, vectors, atol=1e-9)
    curves = switches.to_curves(data, data.evaluation[:5])[:, 0, :]
    assert curves.shape == (5, 101) and vectors.shape == (5, 135)
    assert not np.allclose(drawn[:, :101], curves, atol=1e-3)


def test_randn_init_has_the_right_scale() -> None:
    config_ = AuditModelConfig(name="sae", input_dim=2000, latent_dim=100, init="randn")
    weight = config_.build((0, 1)).weight.detach()
    assert weight.std().item() == pytest.approx(1 / math.sqrt(2000), rel=0.02)
    assert abs(weight.mean().item()) < 3e-4
    assert not torch.equal(weight[0], weight[1])
    xavier = AuditModelConfig(name="sae", input_dim=2000, latent_dim=100).build((0,)).weight.detach()
    assert xavier.abs().max().item() <= math.sqrt(6 / 2100) + 1e-7  # Xavier-uniform's bound: a different law
    svae = AuditModelConfig(name="svae", input_dim=400, latent_dim=50, init="randn").build((0,))
    assert svae.decoder_weight.std().item() == pytest.approx(1 / math.sqrt(50), rel=0.05)
    assert svae.mean_weight.std().item() == pytest.approx(1 / math.sqrt(400), rel=0.05)


def test_code_vae_is_tied_with_zero_log_variance() -> None:
    model = AuditModelConfig(name="svae", input_dim=12, latent_dim=4, code_vae=True, kl_weight=1.0, l1_weight=0.1).build((0,))
    assert isinstance(model, CodeSparseVAE)
    assert [name for name, _ in model.named_parameters()] == ["weight", "encoder_bias", "decoder_bias"]
    x = torch.randn(8, 12)
    assert torch.equal(model.logvar(x), torch.zeros(8, 4))
    with torch.no_grad():
        model.weight.mul_(2.0)  # one matrix: encoder and decoder change together
        weight = model.weight[0]
        torch.testing.assert_close(model.encode(x), x @ weight.T + model.encoder_bias[0])
        codes = model.encode(x)
        torch.testing.assert_close(model.decode(codes), codes @ weight + model.decoder_bias[0])
    # Summed KL and L1: doubling the batch doubles them; the MSE stays a mean.
    model.eval()
    single = model.loss_terms(x)
    double = model.loss_terms(torch.cat([x, x]))
    assert double["vae_kl"].item() == pytest.approx(2 * single["vae_kl"].item(), rel=1e-5)
    assert double["l1"].item() == pytest.approx(2 * single["l1"].item(), rel=1e-5)
    assert double["reconstruction"].item() == pytest.approx(single["reconstruction"].item(), rel=1e-5)


@pytest.mark.parametrize(
    "options",
    [
        {"name": "svae", "code_vae": True, "kl_weight": 1.0, "l1_weight": 0.1},
        {"name": "sae", "raw_sparsity": True},
        {"name": "sae", "raw_sparsity": True, "covariance_in_sae": True, "disentanglement_weight": 0.1},
    ],
)
def test_hand_gradients_match_autograd(options: dict[str, object]) -> None:
    model = AuditModelConfig(input_dim=9, latent_dim=5, **options).build((0, 1))
    model.train()
    x = torch.randn(2, 16, 9) * 0.3
    noise = torch.randn(2, 16, 5)
    hand = model.loss_terms(x, noise)["total"].sum()
    hand.backward()
    hand_grads = [parameter.grad.clone() for parameter in model.parameters()]
    model.zero_grad()
    reference = model.autograd_loss_terms(x, noise)["total"].sum()
    reference.backward()
    assert hand.item() == pytest.approx(reference.item(), rel=1e-5)
    for ours, theirs in zip(hand_grads, (parameter.grad for parameter in model.parameters()), strict=True):
        torch.testing.assert_close(ours, theirs, rtol=1e-4, atol=1e-6)


def test_unclamped_kl_is_nan_beyond_one_with_finite_gradients() -> None:
    activations = torch.tensor([[[2.0, 0.02]], [[3.0, 0.06]]]).transpose(0, 1)  # batch of 2, units 2 → mean 2.5 and 0.04
    kl = raw_sparsity_kl(activations, 0.05)
    assert math.isnan(kl[0, 0].item()) and math.isfinite(kl[0, 1].item())
    model = RawTiedSAE(input_dim=6, latent_dim=3, seeds=(0,), sparsity_weight=0.1, l1_weight=0.1)
    with torch.no_grad():
        model.encoder_bias.fill_(5.0)  # every unit's mean activation far above 1
    terms = model.loss_and_gradients(torch.randn(8, 6))
    assert math.isnan(terms["total"].item())
    assert all(torch.isfinite(parameter.grad).all() for parameter in model.parameters())


def test_pipeline_config_when_no_option_is_set() -> None:
    plain = AuditModelConfig(name="sae", input_dim=10)
    assert type(as_pipeline_config(plain)) is ModelConfig
    assert as_pipeline_config(plain) == ModelConfig(name="sae", input_dim=10)
    changed = AuditModelConfig(name="sae", input_dim=10, init="randn")
    assert as_pipeline_config(changed) is changed
    assert "sae_models_source" in changed.as_dict()
    with pytest.raises(ValueError, match="init must be one of"):
        AuditModelConfig(name="sae", input_dim=10, init="he")
