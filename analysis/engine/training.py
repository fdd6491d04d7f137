"""Training (Section 3.3): several seeds of one model in one pass, early stopping, a cache.

One run trains every requested seed of a model at once (the parameters carry a
seed dimension, see :mod:`analysis.engine.stack`). Each seed still has its own
initial weights, its own shuffling of the training rows, its own VAE noise and
its own early stopping, drawn from generators derived from that seed alone, so
its result equals a run with that seed by itself (up to float rounding of the
batched products). The training rows stay on the device and every batch is an
index slice of a per-seed permutation, with no DataLoader in between.

Penalties can be warmed up: over the first ``warmup_epochs`` epochs every
penalty weight rises linearly from 1/``warmup_epochs`` of its value to the
full value, so reconstruction shapes the code before sparsity prunes it (a
strong penalty applied from the first step can otherwise pin the code at the
trivial all-off solution), and the Sparse VAE's KL term cannot swamp its
first steps. Validation losses always use the full weights.

Early stopping watches each seed's total validation loss, evaluated in
batches of ``batch_size`` in evaluation mode, so batch statistics (ρ̂, the
covariance) mean the same in training and validation rows of the history.
A run may instead keep its last epoch (``TrainConfig.restore_best=False``):
every epoch is trained and the final weights are returned whatever their
validation loss, as a training loop without held-out data does.
Patience starts counting after the warm-up. When
a seed has gone ``patience`` epochs without improving on its best, its best
weights are kept and it leaves the stack: the remaining seeds continue with
their parameters and Adam moments sliced out of the old ones, so a stopped
seed costs nothing and is never moved again.

Every seed's result is cached on disk (:mod:`analysis.engine.cache`) under a
key made of everything it depends on. Any change trains anew, and a run with
seeds (0, 1, 2) reuses seed 0 of an earlier run with seeds (0,), training only
the missing seeds, together. The engine knows no model: it builds one from a
configuration (:class:`~analysis.engine.stack.ModelSpec`).

:func:`train_together` trains several configurations of one architecture
(e.g. a sweep over a penalty weight) in the same stacked pass: every
(configuration, seed) pair is a row with its own weights, and each is cached
exactly as if it had been trained alone.
"""

from __future__ import annotations

import json
import math
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from tqdm import tqdm

from analysis import paths
from analysis.engine import cache
from analysis.engine.cache import HISTORY_COLUMNS
from analysis.engine.device import describe_device, deterministic, resolve_device
from analysis.engine.stack import ModelSpec, SeedStack, concatenate, seed_generator

INFERENCE_CHUNK = 4096  # rows per forward pass when encoding whole data sets


@dataclass(frozen=True)
class TrainConfig:
    """How to train; ``seeds`` lists the independent repetitions."""

    epochs: int = 100
    batch_size: int = 32
    learning_rate: float = 1e-3
    patience: int = 10
    seeds: tuple[int, ...] = (0,)
    device: str = "auto"
    warmup_epochs: int = 0  # penalties rise linearly to full weight over these epochs (0: none)
    # True: keep each seed's best validation epoch and stop early; False: train every epoch and keep
    # the last one, whatever its loss (a run without held-out rows, even if its loss is NaN).
    restore_best: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "seeds", tuple(int(seed) for seed in self.seeds))
        for name in ("epochs", "batch_size", "patience"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if not 0 <= self.warmup_epochs < self.epochs:
            raise ValueError(f"warmup_epochs must lie in [0, epochs), got {self.warmup_epochs} with epochs {self.epochs}")
        if not (math.isfinite(self.learning_rate) and self.learning_rate > 0):
            raise ValueError(f"learning_rate must be a positive number, got {self.learning_rate}")
        if not self.seeds:
            raise ValueError("seeds must name at least one seed")
        if len(set(self.seeds)) != len(self.seeds):
            raise ValueError(f"seeds must be distinct, got {self.seeds}")
        if min(self.seeds) < 0:
            raise ValueError(f"seeds must be non-negative integers, got {self.seeds}")


@dataclass
class TrainedModel:
    """One seed's trained model (on the CPU, in evaluation mode) and its record."""

    config: ModelSpec
    seed: int
    model: SeedStack
    history: pd.DataFrame
    best_epoch: int
    stopped_epoch: int
    seconds: float
    device: str
    from_cache: bool

    def encode(self, x: np.ndarray) -> np.ndarray:
        """Latent codes of standardised coefficients (μ for the Sparse VAE)."""
        return _in_chunks(self.model.encode, x, self.config.input_dim, "x")

    def decode(self, z: np.ndarray) -> np.ndarray:
        """Standardised coefficients from latent codes."""
        return _in_chunks(self.model.decode, z, self.config.latent_dim, "z")

    def reconstruct(self, x: np.ndarray) -> np.ndarray:
        """The model's reconstruction of x (through μ for the Sparse VAE)."""
        return _in_chunks(self.model, x, self.config.input_dim, "x")


def _in_chunks(function: Callable[[torch.Tensor], torch.Tensor], array: np.ndarray, width: int, name: str) -> np.ndarray:
    values = _as_matrix(array, name, width)
    with torch.no_grad():
        parts = [
            function(torch.from_numpy(values[start : start + INFERENCE_CHUNK])).numpy()
            for start in range(0, max(values.shape[0], 1), INFERENCE_CHUNK)
        ]
    return np.concatenate(parts)


def _as_matrix(array: np.ndarray, name: str, width: int) -> np.ndarray:
    """A C-contiguous float32 copy-if-needed of array, checked for shape and finiteness."""
    values = np.asarray(array)
    if values.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (rows × {width}), got shape {values.shape}")
    if values.shape[1] != width:
        raise ValueError(f"{name} has {values.shape[1]} columns but the model expects {width}")
    values = np.ascontiguousarray(values, dtype=np.float32)
    bad = np.argwhere(~np.isfinite(values))
    if bad.size:
        row, column = bad[0]
        raise ValueError(f"{name} contains a non-finite value at row {row}, column {column}")
    return values


def decode_codes(trained: TrainedModel, z: np.ndarray) -> np.ndarray:
    """Latent codes → standardised coefficients; analysis.features.model_inputs.to_curves goes on to curves."""
    return trained.decode(z)


def mean_squared_error(x: np.ndarray, x_hat: np.ndarray) -> float:
    """Mean over every element, as the models' reconstruction term."""
    x, x_hat = _matching(x, x_hat)
    return float(np.mean((x - x_hat) ** 2))


def fraction_variance_explained(x: np.ndarray, x_hat: np.ndarray, reference_mean: float | np.ndarray = 0.0) -> float:
    """1 − SSE/SST around ``reference_mean`` (0 for data standardised on the training rows)."""
    x, x_hat = _matching(x, x_hat)
    total = float(np.sum((x - np.asarray(reference_mean, dtype=np.float64)) ** 2))
    if total == 0.0:
        raise ValueError("x has no variance around reference_mean, so the explained fraction is undefined")
    return 1.0 - float(np.sum((x - x_hat) ** 2)) / total


def _matching(x: np.ndarray, x_hat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=np.float64)
    x_hat = np.asarray(x_hat, dtype=np.float64)
    if x.shape != x_hat.shape:
        raise ValueError(f"x and x_hat differ in shape: {x.shape} vs {x_hat.shape}")
    return x, x_hat


def evaluate(trained: TrainedModel, x: np.ndarray) -> dict[str, float]:
    """Reconstruction error of one trained seed on x (e.g. the test rows)."""
    reconstruction = trained.reconstruct(x)
    return {
        "mse": mean_squared_error(x, reconstruction),
        "fve": fraction_variance_explained(x, reconstruction),
    }


class _DefaultCache:
    def __repr__(self) -> str:
        return "paths.models_cache_dir()"


DEFAULT_CACHE = _DefaultCache()


def train(
    model_config: ModelSpec,
    train_config: TrainConfig,
    train: np.ndarray,
    validation: np.ndarray,
    data_identity: str,
    cache_dir: Path | None | _DefaultCache = DEFAULT_CACHE,
    progress: bool = True,
) -> list[TrainedModel]:
    """Train (or load) every seed of ``train_config``; one result per seed, in seed order.

    ``data_identity`` must change whenever the rows change (e.g. the feature
    set's content hash). ``cache_dir`` defaults to ``paths.models_cache_dir()``
    at call time; ``None`` disables the cache.
    """
    return train_together([model_config], train_config, train, validation, data_identity, cache_dir, progress)[0]


def train_together(
    model_configs: Sequence[ModelSpec],
    train_config: TrainConfig,
    train: np.ndarray,
    validation: np.ndarray,
    data_identity: str,
    cache_dir: Path | None | _DefaultCache = DEFAULT_CACHE,
    progress: bool = True,
) -> list[list[TrainedModel]]:
    """:func:`train` for several configurations of one architecture, the missing ones in one stacked pass.

    Returns one list of per-seed results per configuration, in the order
    given. The configurations must be distinct and build stacks that
    :func:`~analysis.engine.stack.concatenate` can join (same architecture,
    any penalty weights).
    """
    model_configs = list(model_configs)
    if not model_configs:
        raise ValueError("train_together needs at least one model configuration")
    described = [json_key(config) for config in model_configs]
    if len(set(described)) != len(described):
        raise ValueError("the model configurations must be distinct")
    input_dim = model_configs[0].input_dim
    if any(config.input_dim != input_dim for config in model_configs):
        raise ValueError("every configuration trained together must take the same input width")
    train_rows = _as_matrix(train, "train", input_dim)
    validation_rows = _as_matrix(validation, "validation", input_dim)
    if train_rows.shape[0] == 0 or validation_rows.shape[0] == 0:
        raise ValueError("train and validation must each hold at least one row")
    if isinstance(cache_dir, _DefaultCache):
        cache_dir = paths.models_cache_dir()
    cache_root = None if cache_dir is None else Path(cache_dir)

    results: dict[tuple[int, int], TrainedModel] = {}
    records: dict[tuple[int, int], dict[str, Any]] = {}
    for index, model_config in enumerate(model_configs):
        for seed in train_config.seeds:
            record = cache.cache_record(model_config, train_config, seed, data_identity, train_rows, validation_rows)
            records[index, seed] = record
            if cache_root is not None:
                cached = cache.load(cache.cache_directory(cache_root, model_config, seed, record), record, model_config)
                if cached is not None:
                    results[index, seed] = cached

    missing = [(index, seed) for index in range(len(model_configs)) for seed in train_config.seeds if (index, seed) not in results]
    if missing:
        rows = [(model_configs[index], seed) for index, seed in missing]
        for key, trained in zip(missing, _fit(rows, train_config, train_rows, validation_rows, progress), strict=True):
            results[key] = trained
            if cache_root is not None:
                directory = cache.cache_directory(cache_root, model_configs[key[0]], key[1], records[key])
                cache.save(directory, records[key], trained)
    return [[results[index, seed] for seed in train_config.seeds] for index in range(len(model_configs))]


def json_key(model_config: ModelSpec) -> str:
    """A configuration's description as canonical text (to tell configurations apart)."""
    return json.dumps(model_config.as_dict(), sort_keys=True, default=str)


# --- the vectorised training loop -------------------------------------------------------


@dataclass
class _SeedState:
    """One row's early-stopping bookkeeping and learning curve."""

    config: ModelSpec
    seed: int
    best_loss: float = math.inf
    best_epoch: int = 0
    epochs_without_improvement: int = 0
    stopped_epoch: int = 0
    best_weights: dict[str, torch.Tensor] = field(default_factory=dict)  # filled when it stops
    history: list[tuple[int, str, str, float]] = field(default_factory=list)

    def log(self, epoch: int, part: str, terms: dict[str, list[float]], row: int) -> None:
        self.history.extend((epoch, part, term, values[row]) for term, values in terms.items())

    def observe(self, epoch: int, validation_loss: float, counting: bool = True, keep_last: bool = False) -> bool:
        """Record one epoch; True when its validation loss is the best so far (always, when ``keep_last``).

        An epoch that does not improve counts against the patience only when
        ``counting`` (after the warm-up).
        """
        if keep_last or (math.isfinite(validation_loss) and validation_loss < self.best_loss):
            self.best_loss, self.best_epoch, self.epochs_without_improvement = validation_loss, epoch, 0
            return True
        if counting:
            self.epochs_without_improvement += 1
        return False


def _build_rows(rows: Sequence[tuple[ModelSpec, int]]) -> SeedStack:
    """One stack for (configuration, seed) rows: each configuration built for its seeds, then joined."""
    groups: dict[str, tuple[ModelSpec, list[int]]] = {}
    for model_config, seed in rows:
        groups.setdefault(json_key(model_config), (model_config, []))[1].append(seed)
    order = [(json_key(config), seed) for config, seed in rows]
    expected = [(key, seed) for key, (_, seeds) in groups.items() for seed in seeds]
    if order != expected:
        raise ValueError("rows of one configuration must be adjacent")
    return concatenate([model_config.build(seeds) for model_config, seeds in groups.values()])


def warmup_factor(epoch: int, warmup_epochs: int) -> float:
    """Share of the full penalty weights in training epoch ``epoch`` (1-based)."""
    return 1.0 if warmup_epochs <= 0 else min(1.0, epoch / warmup_epochs)


def _fit(
    rows: Sequence[tuple[ModelSpec, int]],
    train_config: TrainConfig,
    train_rows: np.ndarray,
    validation_rows: np.ndarray,
    progress: bool,
) -> list[TrainedModel]:
    """Train (configuration, seed) rows together; return each at its best validation epoch, in row order."""
    device = resolve_device(train_config.device)
    started = time.perf_counter()
    with deterministic(device):
        model = _build_rows(rows).to(device)
        optimizer = _adam(model, train_config.learning_rate, device)
        train_data = torch.from_numpy(train_rows).to(device)
        validation_data = torch.from_numpy(validation_rows).to(device)
        states = [_SeedState(config, seed) for config, seed in rows]
        # Every row has its own generators: rows that share a seed share its draws.
        shufflers = [seed_generator(state.seed, "shuffle") for state in states]
        noise_sources = [seed_generator(state.seed, "noise") for state in states]
        active = list(range(len(states)))  # positions in ``states`` of the rows still training
        best_weights = {name: parameter.detach().clone() for name, parameter in model.named_parameters()}

        names = sorted({config.name for config, _ in rows})
        bar = tqdm(total=train_config.epochs, desc=f"{', '.join(names)} × {len(rows)} row(s)", unit="epoch", disable=not progress)
        for epoch in range(1, train_config.epochs + 1):
            model.penalty_scale = warmup_factor(epoch, train_config.warmup_epochs)
            train_terms = _train_epoch(
                model,
                optimizer,
                train_data,
                [shufflers[position] for position in active],
                [noise_sources[position] for position in active],
                train_config.batch_size,
            )
            model.penalty_scale = 1.0
            validation_terms = _validation_terms(model, validation_data, train_config.batch_size)
            bar.set_postfix(
                train=f"{np.mean(train_terms['total']):.4f}",
                validation=f"{np.mean(validation_terms['total']):.4f}",
                seeds=len(active),
                refresh=False,
            )
            bar.update()

            counting = epoch > train_config.warmup_epochs
            for row, position in enumerate(active):
                states[position].log(epoch, "train", train_terms, row)
                states[position].log(epoch, "validation", validation_terms, row)
            improved = [
                row
                for row, position in enumerate(active)
                if states[position].observe(epoch, validation_terms["total"][row], counting, not train_config.restore_best)
            ]
            _copy_rows(best_weights, model, improved)
            done = [
                row
                for row, position in enumerate(active)
                if states[position].epochs_without_improvement >= train_config.patience or epoch == train_config.epochs
            ]
            for row in done:
                states[active[row]].stopped_epoch = epoch
                states[active[row]].best_weights = {name: value[row : row + 1].cpu() for name, value in best_weights.items()}
            keep = [row for row in range(len(active)) if row not in done]
            if not keep:
                break
            if done:  # stopped seeds leave the stack and are never updated again
                model, optimizer = _keep_seeds(model, optimizer, keep, train_config.learning_rate, device)
                best_weights = {name: value[keep] for name, value in best_weights.items()}
                active = [active[row] for row in keep]
        bar.close()
    seconds = time.perf_counter() - started
    return [_trained_model(state, seconds, describe_device(device)) for state in states]


def _trained_model(state: _SeedState, seconds: float, device: str) -> TrainedModel:
    if state.best_epoch == 0:
        warnings.warn(
            f"{state.config.name} seed {state.seed} never reached a finite validation loss; "
            "its initial weights are returned",
            stacklevel=4,
        )
    model = state.config.build((state.seed,))
    model.load_state_dict(state.best_weights)
    return TrainedModel(
        config=state.config,
        seed=state.seed,
        model=model.eval(),
        history=pd.DataFrame(state.history, columns=list(HISTORY_COLUMNS)),
        best_epoch=state.best_epoch,
        stopped_epoch=state.stopped_epoch,
        seconds=seconds,
        device=device,
        from_cache=False,
    )


def _train_epoch(
    model: SeedStack,
    optimizer: torch.optim.Optimizer,
    data: torch.Tensor,
    shufflers: Sequence[torch.Generator],
    noise_sources: Sequence[torch.Generator],
    batch_size: int,
) -> dict[str, list[float]]:
    """One pass over the training rows in each seed's own order; mean of each term per seed."""
    model.train()
    n_rows = data.shape[0]
    order = torch.stack([torch.randperm(n_rows, generator=shuffler) for shuffler in shufflers]).to(data.device)
    noise = None
    if model.uses_noise:
        noise = torch.stack(
            [torch.randn(n_rows, model.latent_dim, generator=source) for source in noise_sources]
        ).to(data.device)
    sums: torch.Tensor | None = None
    for start in range(0, n_rows, batch_size):
        indices = order[:, start : start + batch_size]
        batch = data.index_select(0, indices.reshape(-1)).view(*indices.shape, -1)
        terms = model.loss_and_gradients(batch, None if noise is None else noise[:, start : start + batch_size])
        optimizer.step()
        batch_sums = torch.stack(list(terms.values())) * indices.shape[1]
        sums = batch_sums if sums is None else sums + batch_sums
    return dict(zip(terms, (sums / n_rows).cpu().tolist()))


@torch.no_grad()
def _validation_terms(model: SeedStack, data: torch.Tensor, batch_size: int) -> dict[str, list[float]]:
    """Each term per seed, averaged over batches of ``batch_size`` in row order."""
    model.eval()
    sums: torch.Tensor | None = None
    for start in range(0, data.shape[0], batch_size):
        batch = data[start : start + batch_size]
        terms = model.loss_terms(batch.expand(model.n_seeds, -1, -1))
        batch_sums = torch.stack(list(terms.values())) * batch.shape[0]
        sums = batch_sums if sums is None else sums + batch_sums
    return dict(zip(terms, (sums / data.shape[0]).cpu().tolist()))


def _adam(model: SeedStack, learning_rate: float, device: torch.device) -> torch.optim.Adam:
    """Adam with the library's defaults; the fused kernel where one exists (one pass over memory)."""
    return torch.optim.Adam(model.parameters(), lr=learning_rate, fused=device.type in ("cpu", "cuda"))


def _keep_seeds(
    model: SeedStack, optimizer: torch.optim.Adam, keep: list[int], learning_rate: float, device: torch.device
) -> tuple[SeedStack, torch.optim.Adam]:
    """The stack reduced to rows ``keep``, with Adam's moments sliced to match."""
    smaller = model.select(keep)
    state = optimizer.state_dict()
    for parameter_state in state["state"].values():
        for name in ("exp_avg", "exp_avg_sq"):
            parameter_state[name] = parameter_state[name][keep]
    smaller_optimizer = _adam(smaller, learning_rate, device)
    smaller_optimizer.load_state_dict(state)
    return smaller, smaller_optimizer


def _copy_rows(target: dict[str, torch.Tensor], model: SeedStack, rows: list[int]) -> None:
    if rows:
        for name, parameter in model.named_parameters():
            target[name][rows] = parameter.detach()[rows]


