"""Vectorised training, early stopping, the on-disk cache and the evaluation functions."""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from analysis.config import MODEL_NAMES
from analysis.engine import cache, training
from analysis.engine.training import (
    HISTORY_COLUMNS,
    TrainConfig,
    TrainedModel,
    decode_codes,
    evaluate,
    fraction_variance_explained,
    mean_squared_error,
    train,
)
from analysis.sae.models import ModelConfig, build_model

D, K = 12, 4


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def rows(n: int, seed: int, shift: float = 0.0) -> np.ndarray:
    """Low-rank rows plus noise, like correlated wavelet coefficients."""
    rng = np.random.default_rng(seed)
    basis = np.random.default_rng(99).normal(size=(3, D))
    return (rng.normal(size=(n, 3)) @ basis + 0.3 * rng.normal(size=(n, D)) + shift).astype(np.float32)


TRAIN = rows(40, 1)
VALIDATION = rows(12, 2)


def config(name: str = "sae", **options: float) -> ModelConfig:
    return ModelConfig(**{"name": name, "input_dim": D, "latent_dim": K, **options})


def settings(**options: object) -> TrainConfig:
    fields = {"epochs": 4, "batch_size": 8, "learning_rate": 1e-2, "patience": 2, "device": "cpu", **options}
    return TrainConfig(**fields)


def fit(model_config: ModelConfig, train_config: TrainConfig, cache_dir: Path | None = None, **data: object) -> list[TrainedModel]:
    return train(
        model_config,
        train_config,
        data.get("train", TRAIN),
        data.get("validation", VALIDATION),
        data_identity=str(data.get("identity", "rows-v1")),
        cache_dir=cache_dir,
        progress=False,
    )


def weights(trained: TrainedModel) -> dict[str, torch.Tensor]:
    return trained.model.state_dict()


def assert_same_weights(first: TrainedModel, second: TrainedModel, exact: bool = True) -> None:
    for name, value in weights(first).items():
        other = weights(second)[name]
        if exact:
            assert torch.equal(value, other), name
        else:
            assert torch.allclose(value, other, rtol=1e-5, atol=1e-6), name


# --- training -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_same_seed_gives_bit_identical_weights(name: str) -> None:
    first, second = fit(config(name), settings()), fit(config(name), settings())
    assert_same_weights(first[0], second[0])
    pd.testing.assert_frame_equal(first[0].history, second[0].history)
    other = fit(config(name), settings(seeds=(1,)))
    assert not torch.equal(next(iter(weights(other[0]).values())), next(iter(weights(first[0]).values())))


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_vectorised_seeds_equal_separate_runs(name: str) -> None:
    together = fit(config(name), settings(epochs=5, seeds=(0, 1, 2)))
    assert [trained.seed for trained in together] == [0, 1, 2]
    for trained in together:
        alone = fit(config(name), settings(epochs=5, seeds=(trained.seed,)))[0]
        assert (trained.best_epoch, trained.stopped_epoch) == (alone.best_epoch, alone.stopped_epoch)
        assert_same_weights(trained, alone, exact=False)
        np.testing.assert_allclose(trained.history["value"], alone.history["value"], rtol=1e-5, atol=1e-6)
        assert trained.model.seeds == (trained.seed,) and not trained.model.training


def scripted_validation(losses: dict[int, list[float]], snapshots: dict[int, list[dict[str, torch.Tensor]]]):
    """A stand-in for the validation pass: per-seed losses by epoch; records each seed's weights."""

    def validation_terms(model, data, batch_size):
        totals = []
        for row, seed in enumerate(model.seeds):
            snapshots[seed].append({name: value[row].detach().clone() for name, value in model.named_parameters()})
            totals.append(losses[seed][len(snapshots[seed]) - 1])
        return {"total": totals}

    return validation_terms


def test_early_stopping_restores_each_seeds_best_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    losses = {
        0: [1.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1],  # best 2, stops at 2 + patience = 4
        1: [1.0, 0.9, 0.8, 0.4, 0.5, 0.6, 0.7, 0.8],  # best 4, stops at 6
        2: [1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3],  # improves to the end
    }
    snapshots: dict[int, list[dict[str, torch.Tensor]]] = {seed: [] for seed in losses}
    monkeypatch.setattr(training, "_validation_terms", scripted_validation(losses, snapshots))
    results = fit(config("svae"), settings(epochs=8, patience=2, seeds=(0, 1, 2)))
    assert [(r.best_epoch, r.stopped_epoch) for r in results] == [(2, 4), (4, 6), (8, 8)]
    for trained in results:
        # A stopped seed left the stack: it was evaluated on no later epoch.
        assert len(snapshots[trained.seed]) == trained.stopped_epoch
        best = snapshots[trained.seed][trained.best_epoch - 1]
        for name, value in weights(trained).items():
            assert torch.equal(value[0], best[name]), (trained.seed, name)
        history = trained.history
        assert sorted(history["epoch"].unique()) == list(range(1, trained.stopped_epoch + 1))
        validation_total = history.query("part == 'validation' and term == 'total'")["value"].tolist()
        assert validation_total == losses[trained.seed][: trained.stopped_epoch]


def test_seeds_left_in_the_stack_train_as_if_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """After seeds stop, the survivors' Adam moments are carried over correctly."""
    losses = {0: [1.0, 1.1, 1.2, 1.3, 1.4, 1.5], 1: [1.0, 0.9, 1.0, 1.1, 1.2, 1.3], 2: [6.0, 5.0, 4.0, 3.0, 2.0, 1.0]}
    monkeypatch.setattr(training, "_validation_terms", scripted_validation(losses, {seed: [] for seed in losses}))
    together = fit(config("sae_disentangled"), settings(epochs=6, patience=2, seeds=(0, 1, 2)))
    assert [(r.best_epoch, r.stopped_epoch) for r in together] == [(1, 3), (2, 4), (6, 6)]
    monkeypatch.setattr(training, "_validation_terms", scripted_validation(losses, {seed: [] for seed in losses}))
    alone = fit(config("sae_disentangled"), settings(epochs=6, patience=2, seeds=(2,)))[0]
    assert_same_weights(together[2], alone, exact=False)


def test_a_seed_without_a_finite_validation_loss_keeps_its_initial_weights(monkeypatch: pytest.MonkeyPatch) -> None:
    losses = {0: [math.nan, math.inf, math.nan]}
    monkeypatch.setattr(training, "_validation_terms", scripted_validation(losses, {0: []}))
    with pytest.warns(UserWarning, match="sae seed 0 never reached a finite validation loss; its initial weights are returned"):
        trained = fit(config(), settings(epochs=3, patience=2))[0]
    assert (trained.best_epoch, trained.stopped_epoch) == (0, 2)
    initial = build_model(config(), (0,))
    for name, value in weights(trained).items():
        assert torch.equal(value, initial.state_dict()[name]), name


def test_real_validation_loss_picks_the_returned_weights() -> None:
    """Validation data from another distribution: the loss turns upward and training stops early."""
    shifted = rows(16, 3, shift=3.0)
    trained = fit(config("sae"), settings(epochs=40, patience=3, batch_size=16, learning_rate=5e-2), validation=shifted)[0]
    curve = trained.history.query("part == 'validation' and term == 'total'").set_index("epoch")["value"]
    assert trained.stopped_epoch < 40
    assert trained.stopped_epoch == trained.best_epoch + 3
    assert trained.best_epoch == curve.idxmin()
    with torch.no_grad():
        final = trained.model.loss_terms(torch.from_numpy(shifted))["total"].item()
    assert final == pytest.approx(curve.min(), rel=1e-6)


def test_history_lists_every_term_per_epoch_and_part() -> None:
    trained = fit(config("sae_disentangled"), settings(epochs=3, patience=5))[0]
    history = trained.history
    assert tuple(history.columns) == HISTORY_COLUMNS
    terms = ["reconstruction", "kl_sparsity", "l1", "disentanglement", "total"]
    assert len(history) == 3 * 2 * len(terms)
    for (epoch, part), group in history.groupby(["epoch", "part"]):
        assert group["term"].tolist() == terms
    train_loss = history.query("part == 'train' and term == 'total'")["value"]
    assert train_loss.iloc[-1] < train_loss.iloc[0]


def test_trained_model_encodes_and_reconstructs_numpy_rows() -> None:
    trained = fit(config("svae"), settings(epochs=2))[0]
    codes = trained.encode(VALIDATION)
    assert codes.shape == (12, K) and codes.dtype == np.float32
    reconstruction = trained.reconstruct(VALIDATION)
    np.testing.assert_allclose(reconstruction, decode_codes(trained, codes), rtol=1e-6, atol=1e-6)
    with torch.no_grad():
        np.testing.assert_array_equal(codes, trained.model.encode(torch.from_numpy(VALIDATION)).numpy())
    assert trained.encode(np.zeros((0, D))).shape == (0, K)
    with pytest.raises(ValueError, match="x has 11 columns but the model expects 12"):
        trained.encode(VALIDATION[:, :11])
    scores = evaluate(trained, VALIDATION)
    assert scores["mse"] == pytest.approx(mean_squared_error(VALIDATION, reconstruction))
    assert scores["fve"] == pytest.approx(fraction_variance_explained(VALIDATION, reconstruction))


def test_record_fields() -> None:
    trained = fit(config("sae"), settings(epochs=2, patience=5))[0]
    assert trained.config == config("sae") and trained.seed == 0
    assert (trained.best_epoch, trained.stopped_epoch) == (2, 2)
    assert trained.seconds > 0 and not trained.from_cache
    assert trained.device == f"cpu ({torch.get_num_threads()} threads)"


def test_progress_bar_goes_to_stderr_only_when_asked(capsys: pytest.CaptureFixture[str]) -> None:
    train(config(), settings(epochs=2), TRAIN, VALIDATION, "rows-v1", cache_dir=None, progress=True)
    captured = capsys.readouterr()
    assert "2/2" in captured.err and "validation=" in captured.err and captured.out == ""
    fit(config(), settings(epochs=2))
    assert capsys.readouterr().err == ""


def test_bad_inputs_are_named() -> None:
    with pytest.raises(ValueError, match="train has 11 columns but the model expects 12"):
        fit(config(), settings(), train=TRAIN[:, :11])
    broken = VALIDATION.copy()
    broken[2, 3] = np.nan
    with pytest.raises(ValueError, match="validation contains a non-finite value at row 2, column 3"):
        fit(config(), settings(), validation=broken)
    with pytest.raises(ValueError, match=r"train must be a 2-D array \(rows × 12\), got shape \(40,\)"):
        fit(config(), settings(), train=TRAIN[:, 0])
    with pytest.raises(ValueError, match="train and validation must each hold at least one row"):
        fit(config(), settings(), validation=VALIDATION[:0])


@pytest.mark.parametrize(
    "options, message",
    [
        ({"epochs": 0}, "epochs must be at least 1, got 0"),
        ({"patience": 0}, "patience must be at least 1, got 0"),
        ({"learning_rate": -1.0}, "learning_rate must be a positive number, got -1.0"),
        ({"seeds": ()}, "seeds must name at least one seed"),
        ({"seeds": (1, 1)}, r"seeds must be distinct, got \(1, 1\)"),
        ({"seeds": (0, -1)}, r"seeds must be non-negative integers, got \(0, -1\)"),
        ({"warmup_epochs": -1}, r"warmup_epochs must lie in \[0, epochs\), got -1 with epochs 100"),
        ({"warmup_epochs": 5, "epochs": 5}, r"warmup_epochs must lie in \[0, epochs\), got 5 with epochs 5"),
    ],
)
def test_train_config_rejects_bad_values(options: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TrainConfig(**options)


def test_train_config_stores_seeds_as_a_tuple() -> None:
    assert TrainConfig(seeds=[2, 3]).seeds == (2, 3)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_training_matches_cpu() -> None:
    on_gpu = fit(config("svae"), settings(device="cuda", seeds=(0, 1)))
    on_cpu = fit(config("svae"), settings(device="cpu", seeds=(0, 1)))
    for gpu, cpu in zip(on_gpu, on_cpu):
        assert (gpu.best_epoch, gpu.stopped_epoch) == (cpu.best_epoch, cpu.stopped_epoch)
        assert_same_weights(gpu, cpu, exact=False)
    again = fit(config("svae"), settings(device="cuda", seeds=(0, 1)))
    assert_same_weights(on_gpu[1], again[1])


# --- evaluation functions --------------------------------------------------------------------------


def test_mean_squared_error_and_explained_variance_by_hand() -> None:
    x = np.array([[1.0, -1.0], [2.0, 0.0]])
    x_hat = np.array([[1.0, 0.0], [1.0, 0.0]])
    assert mean_squared_error(x, x_hat) == pytest.approx(0.5)
    assert fraction_variance_explained(x, x_hat) == pytest.approx(1 - 2 / 6)
    assert fraction_variance_explained(x, x) == 1.0
    assert fraction_variance_explained(x, np.zeros_like(x)) == 0.0
    assert fraction_variance_explained(x, x_hat, reference_mean=np.array([1.5, -0.5])) == pytest.approx(1 - 2 / 1)
    with pytest.raises(ValueError, match=r"x and x_hat differ in shape: \(2, 2\) vs \(2, 1\)"):
        mean_squared_error(x, x_hat[:, :1])
    with pytest.raises(ValueError, match="x has no variance around reference_mean"):
        fraction_variance_explained(np.zeros((2, 2)), x_hat)


# --- cache ---------------------------------------------------------------------------------------


def entries(cache_dir: Path) -> list[str]:
    return sorted(path.name for path in cache_dir.iterdir())


def forbid_training(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("trained although the result is cached")

    monkeypatch.setattr(training, "_fit", refuse)


def test_cache_hit_trains_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = fit(config("svae"), settings(seeds=(0, 1)), cache_dir=tmp_path)
    assert len(entries(tmp_path)) == 2 and not any(name.startswith(".") for name in entries(tmp_path))
    forbid_training(monkeypatch)
    started = time.perf_counter()
    second = fit(config("svae"), settings(seeds=(0, 1)), cache_dir=tmp_path)
    assert time.perf_counter() - started < 2.0
    for cached, original in zip(second, first):
        assert cached.from_cache and not original.from_cache
        assert_same_weights(cached, original)
        pd.testing.assert_frame_equal(cached.history, original.history, check_exact=True)
        assert (cached.best_epoch, cached.stopped_epoch, cached.seconds, cached.device) == (
            original.best_epoch,
            original.stopped_epoch,
            original.seconds,
            original.device,
        )
        assert not cached.model.training
        np.testing.assert_array_equal(cached.encode(VALIDATION), original.encode(VALIDATION))


def test_cache_key_ignores_device_and_reuses_seeds_across_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fit(config(), settings(seeds=(0,)), cache_dir=tmp_path)
    trained_seeds: list[tuple[int, ...]] = []
    real_fit = training._fit

    def recording_fit(rows, *args):
        trained_seeds.append(tuple(seed for _, seed in rows))
        return real_fit(rows, *args)

    monkeypatch.setattr(training, "_fit", recording_fit)
    results = fit(config(), settings(seeds=(2, 0, 1)), cache_dir=tmp_path)
    assert trained_seeds == [(2, 1)]
    assert [(r.seed, r.from_cache) for r in results] == [(2, False), (0, True), (1, False)]
    fresh = fit(config(), settings(seeds=(0,)))[0]
    assert_same_weights(results[1], fresh)


@pytest.mark.parametrize(
    "changed_config, changed_settings, identity",
    [
        (config(latent_dim=5), settings(), "rows-v1"),
        (config(l1_weight=0.5), settings(), "rows-v1"),
        (config(sparsity_weight=0.5), settings(), "rows-v1"),
        (config(), settings(epochs=5), "rows-v1"),
        (config(), settings(learning_rate=2e-2), "rows-v1"),
        (config(), settings(warmup_epochs=2), "rows-v1"),
        (config(), settings(), "rows-v2"),
    ],
    ids=["latent_dim", "l1_weight", "sparsity_weight", "epochs", "learning_rate", "warmup", "data_identity"],
)
def test_any_change_trains_anew(
    tmp_path: Path, changed_config: ModelConfig, changed_settings: TrainConfig, identity: str
) -> None:
    fit(config(), settings(), cache_dir=tmp_path)
    changed = fit(changed_config, changed_settings, cache_dir=tmp_path, identity=identity)[0]
    assert not changed.from_cache
    assert len(entries(tmp_path)) == 2


def test_code_changes_invalidate_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fit(config(), settings(), cache_dir=tmp_path)
    monkeypatch.setattr(cache, "source_fingerprint", lambda model_file: "edited")
    assert not fit(config(), settings(), cache_dir=tmp_path)[0].from_cache


def test_the_fingerprint_covers_the_engine_and_the_models_own_module(tmp_path: Path) -> None:
    module = tmp_path / "a_model.py"
    module.write_text("WEIGHT = 1\n")
    before = cache.source_fingerprint.__wrapped__(str(module))
    module.write_text("WEIGHT = 2\n")
    assert cache.source_fingerprint.__wrapped__(str(module)) != before
    assert cache.model_source(config()).endswith("analysis/sae/models.py")


def test_truncated_weights_are_detected_and_retrained(tmp_path: Path) -> None:
    original = fit(config("sae_disentangled"), settings(), cache_dir=tmp_path)[0]
    (entry,) = tmp_path.iterdir()
    weights_file = entry / "weights.pt"
    weights_file.write_bytes(weights_file.read_bytes()[:100])
    with pytest.warns(UserWarning, match=rf"damaged cached model {entry} \(weights.pt does not match its sha256 checksum\)"):
        retrained = fit(config("sae_disentangled"), settings(), cache_dir=tmp_path)[0]
    assert not retrained.from_cache
    assert_same_weights(retrained, original)
    repaired = fit(config("sae_disentangled"), settings(), cache_dir=tmp_path)[0]
    assert repaired.from_cache and entries(tmp_path) == [entry.name]


def test_unloadable_weights_with_a_matching_checksum_are_retrained(tmp_path: Path) -> None:
    fit(config(), settings(), cache_dir=tmp_path)
    (entry,) = tmp_path.iterdir()
    (entry / "weights.pt").write_bytes(b"not a checkpoint")
    digest = cache.sha256_of(entry / "weights.pt")
    (entry / "weights.sha256").write_text(f"{digest}  weights.pt\n")
    with pytest.warns(UserWarning, match=f"damaged cached model {entry}"):
        assert not fit(config(), settings(), cache_dir=tmp_path)[0].from_cache


def test_missing_record_is_retrained(tmp_path: Path) -> None:
    fit(config(), settings(), cache_dir=tmp_path)
    (entry,) = tmp_path.iterdir()
    (entry / "run.json").unlink()
    with pytest.warns(UserWarning, match=f"damaged cached model {entry}"):
        assert not fit(config(), settings(), cache_dir=tmp_path)[0].from_cache


def test_no_cache_dir_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LATENT_MOTION_CACHE", str(tmp_path / "cache"))
    fit(config(), settings(epochs=1), cache_dir=None)
    assert not (tmp_path / "cache").exists()


def test_default_cache_dir_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LATENT_MOTION_CACHE", str(tmp_path / "cache"))
    train(config(), settings(epochs=1), TRAIN, VALIDATION, "rows-v1", progress=False)
    assert len(entries(tmp_path / "cache" / "models")) == 1


# --- several configurations in one pass, and the penalty warm-up ------------------------------


def together(configs: list[ModelConfig], train_config: TrainConfig, cache_dir: Path | None = None) -> list[list[TrainedModel]]:
    return training.train_together(configs, train_config, TRAIN, VALIDATION, data_identity="rows-v1", cache_dir=cache_dir, progress=False)


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_configurations_trained_together_equal_separate_runs(name: str) -> None:
    configs = [config(name, l1_weight=0.01), config(name, l1_weight=0.5, sparsity_weight=0.02, kl_weight=0.3)]
    results = together(configs, settings(epochs=5, seeds=(0, 1)))
    assert [[(r.config, r.seed) for r in runs] for runs in results] == [[(c, 0), (c, 1)] for c in configs]
    for model_config, runs in zip(configs, results):
        for trained in runs:
            alone = fit(model_config, settings(epochs=5, seeds=(trained.seed,)))[0]
            assert (trained.best_epoch, trained.stopped_epoch) == (alone.best_epoch, alone.stopped_epoch)
            assert_same_weights(trained, alone, exact=False)
            assert trained.model.row_penalty_weights is None
    # Different weights from the same seed end in different models.
    assert not torch.equal(next(iter(weights(results[0][0]).values())), next(iter(weights(results[1][0]).values())))


def test_configurations_trained_together_are_cached_one_by_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = config(l1_weight=0.01), config(l1_weight=0.2)
    fit(first, settings(seeds=(0,)), cache_dir=tmp_path)
    trained_rows: list[list[tuple[float, int]]] = []
    real_fit = training._fit

    def recording_fit(rows, *args):
        trained_rows.append([(model_config.l1_weight, seed) for model_config, seed in rows])
        return real_fit(rows, *args)

    monkeypatch.setattr(training, "_fit", recording_fit)
    results = together([first, second], settings(seeds=(0, 1)), cache_dir=tmp_path)
    assert trained_rows == [[(0.01, 1), (0.2, 0), (0.2, 1)]]
    assert [[r.from_cache for r in runs] for runs in results] == [[True, False], [False, False]]
    forbid_training(monkeypatch)
    again = fit(second, settings(seeds=(1,)), cache_dir=tmp_path)[0]
    assert again.from_cache
    assert_same_weights(again, results[1][1])


def test_train_together_rejects_repeats_and_mixed_architectures() -> None:
    with pytest.raises(ValueError, match="must be distinct"):
        together([config(), config()], settings())
    with pytest.raises(ValueError, match="only stacks of one architecture"):
        together([config("sae"), config("svae")], settings())
    with pytest.raises(ValueError, match="at least one model configuration"):
        together([], settings())


def test_warmup_factor_rises_linearly_to_one() -> None:
    assert [training.warmup_factor(epoch, 4) for epoch in range(1, 7)] == [0.25, 0.5, 0.75, 1.0, 1.0, 1.0]
    assert training.warmup_factor(1, 0) == 1.0


def test_patience_counts_only_after_the_warmup(monkeypatch: pytest.MonkeyPatch) -> None:
    losses = {0: [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]}  # never improves after epoch 1
    monkeypatch.setattr(training, "_validation_terms", scripted_validation(losses, {0: []}))
    trained = fit(config(), settings(epochs=8, patience=2, warmup_epochs=3))[0]
    assert (trained.best_epoch, trained.stopped_epoch) == (1, 5)


def test_warmup_trains_with_scaled_penalties_and_validates_with_full_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, float]] = []
    real_train_epoch, real_validation = training._train_epoch, training._validation_terms

    def train_epoch(model, *args):
        seen.append(("train", model.penalty_scale))
        return real_train_epoch(model, *args)

    def validation_terms(model, *args):
        seen.append(("validation", model.penalty_scale))
        return real_validation(model, *args)

    monkeypatch.setattr(training, "_train_epoch", train_epoch)
    monkeypatch.setattr(training, "_validation_terms", validation_terms)
    fit(config(l1_weight=0.5), settings(epochs=4, patience=5, warmup_epochs=2))
    assert seen == [("train", 0.5), ("validation", 1.0)] + [("train", 1.0), ("validation", 1.0)] * 3
    warm = fit(config(l1_weight=0.5), settings(epochs=4, patience=5, warmup_epochs=2))[0]
    cold = fit(config(l1_weight=0.5), settings(epochs=4, patience=5))[0]
    assert not torch.equal(weights(warm)["weight"], weights(cold)["weight"])
