"""Training speed on a full-size input: our vectorised loop against a DataLoader loop.

For each model, at the study's batch size, three runs of the same maths:

(a) ``analysis.engine.training`` with one seed;
(b) ``analysis.engine.training`` with several seeds in one vectorised pass;
(c) the baseline: one seed of the same model through
    torch.utils.data.DataLoader(TensorDataset) with torch.optim.Adam's default
    implementation, validating every epoch like (a) and (b).

Throughput is counted in seed-samples per second (training rows × epochs ×
seeds ÷ wall time), so a run of five seeds is credited with five times the
rows. The CPU seconds of this process are printed too: on a machine shared
with other work they show what a run would take alone (exactly so with one
thread, ``--threads 1``; with more, time spent waiting for threads counts).
Early stopping is switched off (patience > epochs) so every run does the same
number of epochs.

Timings on a shared machine drift by tens of per cent within minutes, so the
three runs are repeated in turn (``--repeats``): each table entry is the median
over repeats, and each ratio is the median of the ratios of runs made one after
the other, which cancels slow drifts. The spread of the repeats is printed.
The lower bound printed after the projection is the time the run's matrix
products alone would take at the rate this device gives the same shapes with
their operands in cache: no loop can beat it without changing the arithmetic.
The last line is machine-readable:
``speedup_vs_dataloader=<median ratio of (b) to (c), averaged over the models>``.

The baseline differs from our loop in exactly what the loop is built to avoid:
per-batch DataLoader collation, autograd on the loss written with plain tensor
operations (``autograd_loss_terms``; ours has hand-written gradients), the
default multi-tensor Adam, one seed at a time.

    python benchmarks/train_speed.py [--data synthetic|random] [--epochs 3] [--seeds 5] [--repeats 3] [--threads N]
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
import torch
from torch.utils.data import DataLoader, TensorDataset

from analysis.config import MODEL_NAMES
from analysis.engine.device import describe_device, resolve_device
from analysis.engine.training import TrainConfig, train
from analysis.sae.models import ModelConfig, build_model

FULL_TRIALS = 8_819
FULL_COEFFICIENTS = 1_350
STUDY_EPOCHS = 100
STUDY_SEEDS = 5
# Batched matrix products of 2·d·k FLOP each, per row and seed: (training step, validation pass).
# Training: encoder, decoder, the decoder's input gradient and the weight gradients; the Sparse VAE
# has two encoder heads. The covariance products of the disentangled SAE (k·k per row) are negligible.
PRODUCTS_PER_ROW = {"sae": (5, 2), "sae_disentangled": (5, 2), "svae": (7, 3)}


@dataclass(frozen=True)
class Timing:
    label: str
    wall: float
    cpu: float
    seeds: int


def timed(label: str, seeds: int, run: Callable[[], None]) -> Timing:
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return Timing(label, time.perf_counter() - wall, time.process_time() - cpu, seeds)


def product_rate(seeds: int, batch_size: int, input_dim: int, latent_dim: int, device: torch.device) -> float:
    """FLOP/s of the loop's three product shapes with their operands in cache: what the hardware gives them."""
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(seeds, batch_size, input_dim, generator=generator).to(device)
    weight = torch.randn(seeds, latent_dim, input_dim, generator=generator).to(device)
    codes = torch.randn(seeds, batch_size, latent_dim, generator=generator).to(device)

    def products() -> None:
        torch.bmm(x, weight.transpose(1, 2))  # encoder, and the decoder's input gradient
        torch.bmm(codes, weight)  # decoder
        torch.bmm(codes.transpose(1, 2), x)  # weight gradient
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    for _ in range(20):
        products()
    best = math.inf
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(50):
            products()
        best = min(best, (time.perf_counter() - started) / 50)
    return 3 * 2 * seeds * batch_size * input_dim * latent_dim / best


def synthetic_features() -> tuple[np.ndarray, np.ndarray, str]:
    """Train and validation rows of the synthetic cohort, as the chapters build them."""
    from analysis import data
    from analysis.data import source
    from analysis.features.model_inputs import build_features

    cohort = data.load(source.resolve().directory)
    features = build_features(cohort)
    return features.train, features.validation, "synthetic cohort"


def random_features(seed: int = 0) -> tuple[np.ndarray, np.ndarray, str]:
    """Standard-normal rows of the full shape, split 70/15/15 by row."""
    rows = np.random.default_rng(seed).standard_normal((FULL_TRIALS, FULL_COEFFICIENTS), dtype=np.float32)
    n_train = round(0.70 * FULL_TRIALS)
    n_validation = round(0.15 * FULL_TRIALS)
    return rows[:n_train], rows[n_train : n_train + n_validation], "random normal rows"


def dataloader_baseline(
    config: ModelConfig, train_rows: np.ndarray, validation_rows: np.ndarray, epochs: int, batch_size: int, device: torch.device
) -> None:
    """The textbook loop over the same single-seed model."""
    torch.manual_seed(0)
    model = build_model(config, (0,)).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    train_loader = DataLoader(TensorDataset(torch.from_numpy(train_rows)), batch_size=batch_size, shuffle=True)
    validation_loader = DataLoader(TensorDataset(torch.from_numpy(validation_rows)), batch_size=batch_size)
    for _ in range(epochs):
        model.train()
        for (batch,) in train_loader:
            loss = model.autograd_loss_terms(batch.to(device))["total"]
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            validation_loss = sum(
                float(model.autograd_loss_terms(batch.to(device))["total"]) * len(batch) for (batch,) in validation_loader
            )
        if not np.isfinite(validation_loss):
            raise RuntimeError(f"{config.name}: the baseline's validation loss is not finite")
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def our_loop(
    config: ModelConfig,
    train_rows: np.ndarray,
    validation_rows: np.ndarray,
    epochs: int,
    batch_size: int,
    seeds: Sequence[int],
    device_name: str,
) -> None:
    """analysis.engine.training.train without cache and without early stopping."""
    settings = TrainConfig(epochs=epochs, batch_size=batch_size, patience=epochs + 1, seeds=tuple(seeds), device=device_name)
    train(config, settings, train_rows, validation_rows, data_identity="benchmark", cache_dir=None, progress=False)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=("synthetic", "random"), default="synthetic")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seeds", type=int, default=STUDY_SEEDS)
    parser.add_argument("--repeats", type=int, default=3, help="runs of each loop, taken in turn (median reported)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--latent-dim", type=int, default=100)
    parser.add_argument("--models", nargs="+", choices=MODEL_NAMES, default=list(MODEL_NAMES))
    parser.add_argument("--device", default="auto")
    parser.add_argument("--threads", type=int, default=None, help="torch intra-op threads (default: torch's setting)")
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.epochs < 1 or args.seeds < 1:
        parser.error("--repeats, --epochs and --seeds must be at least 1")
    if args.threads is not None:
        torch.set_num_threads(args.threads)

    if args.data == "synthetic":
        try:
            train_rows, validation_rows, label = synthetic_features()
        except ImportError as error:
            print(f"synthetic cohort unavailable ({error}); using random rows")
            train_rows, validation_rows, label = random_features()
    else:
        train_rows, validation_rows, label = random_features()
    device = resolve_device(args.device)
    print(f"data: {label}, train {train_rows.shape}, validation {validation_rows.shape}")
    print(f"device: {describe_device(device)}; torch {torch.__version__}, {torch.get_num_threads()} threads")
    print(
        f"batch {args.batch_size}, {args.epochs} epochs per run, {args.seeds} seeds in the vectorised run, "
        f"median of {args.repeats} repeats"
    )
    print()
    header = f"{'model':<18}{'run':<22}{'wall s':>9}{'cpu s':>9}{'seed-samples/s':>16}{'vs baseline':>13}{'range':>12}"
    print(header)
    print("-" * len(header))

    speedups = []
    projected_wall = projected_cpu = study_flop = 0.0
    for name in args.models:
        config = ModelConfig(name=name, input_dim=train_rows.shape[1], latent_dim=args.latent_dim)
        common = (config, train_rows, validation_rows, args.epochs, args.batch_size)
        # A tiny run of each loop first, so one-off start-up costs (thread pools, kernels) are not timed.
        our_loop(config, train_rows[:64], validation_rows[:64], 1, args.batch_size, range(args.seeds), args.device)
        dataloader_baseline(config, train_rows[:64], validation_rows[:64], 1, args.batch_size, device)
        runs: dict[str, tuple[int, Callable[[], None]]] = {
            "(a) ours, 1 seed": (1, partial(our_loop, *common, (0,), args.device)),
            f"(b) ours, {args.seeds} seeds": (args.seeds, partial(our_loop, *common, range(args.seeds), args.device)),
            "(c) DataLoader": (1, partial(dataloader_baseline, *common, device)),
        }
        repeats = [[timed(label, seeds, run) for label, (seeds, run) in runs.items()] for _ in range(args.repeats)]

        def throughput(timing: Timing) -> float:
            return train_rows.shape[0] * args.epochs * timing.seeds / timing.wall

        for position, label in enumerate(runs):
            timings = [repeat[position] for repeat in repeats]
            ratios = [throughput(repeat[position]) / throughput(repeat[-1]) for repeat in repeats]
            wall = float(np.median([timing.wall for timing in timings]))
            cpu = float(np.median([timing.cpu for timing in timings]))
            rate = float(np.median([throughput(timing) for timing in timings]))
            spread = f"{min(ratios):.2f}–{max(ratios):.2f}" if len(ratios) > 1 else ""
            print(f"{name:<18}{label:<22}{wall:>9.2f}{cpu:>9.2f}{rate:>16,.0f}{np.median(ratios):>12.2f}x{spread:>12}")
            if position == 1:
                speedups.append(float(np.median(ratios)))
                scale = STUDY_EPOCHS / args.epochs * STUDY_SEEDS / args.seeds
                projected_wall += wall * scale
                projected_cpu += cpu * scale
        train_products, validation_products = PRODUCTS_PER_ROW[name]
        rows = train_rows.shape[0] * train_products + validation_rows.shape[0] * validation_products
        study_flop += rows * 2 * train_rows.shape[1] * args.latent_dim * STUDY_EPOCHS * STUDY_SEEDS

    print()
    print(
        f"projected for {len(args.models)} models × {STUDY_SEEDS} seeds × {STUDY_EPOCHS} epochs (no early stop): "
        f"{projected_wall:.0f} s wall ({projected_wall / 60:.1f} min), {projected_cpu:.0f} s cpu"
    )
    rate = product_rate(args.seeds, args.batch_size, train_rows.shape[1], args.latent_dim, device)
    print(
        f"lower bound: its {study_flop / 1e12:.1f} TFLOP of matrix products alone take {study_flop / rate:.0f} s "
        f"at the {rate / 1e9:.0f} GFLOP/s this device gives their shapes with operands in cache"
    )
    print(f"speedup_vs_dataloader={np.mean(speedups):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
