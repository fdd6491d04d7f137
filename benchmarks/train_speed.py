"""Training speed on a full-size input: our vectorised loop against a DataLoader loop.

For each model, at the study's batch size, three runs of the same maths:

(a) ``analysis.training`` with one seed;
(b) ``analysis.training`` with several seeds in one vectorised pass;
(c) the baseline: one seed through torch.utils.data.DataLoader(TensorDataset)
    with torch.optim.Adam's default implementation, validating every epoch
    like (a) and (b).

Throughput is counted in seed-samples per second (training rows × epochs ×
seeds ÷ wall time), so a run of five seeds is credited with five times the
rows. Early stopping is switched off (patience > epochs) so every run does
the same number of epochs. The last line is machine-readable:
``speedup_vs_dataloader=<(b) over (c), averaged over the models>``.

    python benchmarks/train_speed.py [--data synthetic|random] [--epochs 3] [--seeds 5]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

import numpy as np
import torch
from torch.utils.data import DataLoader, TensorDataset

from analysis.config import MODEL_NAMES
from analysis.models import ModelConfig, build_model
from analysis.training import TrainConfig, describe_device, resolve_device, train

FULL_TRIALS = 8_819
FULL_COEFFICIENTS = 1_350
STUDY_EPOCHS = 100


def synthetic_features() -> tuple[np.ndarray, np.ndarray, str]:
    """Train and validation rows of the synthetic cohort, as the chapters build them."""
    from analysis import data, source
    from analysis.features import build_features

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
) -> float:
    """Wall time of the textbook loop over the same single-seed model; returns seconds."""
    torch.manual_seed(0)
    model = build_model(config, (0,)).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    train_loader = DataLoader(TensorDataset(torch.from_numpy(train_rows)), batch_size=batch_size, shuffle=True)
    validation_loader = DataLoader(TensorDataset(torch.from_numpy(validation_rows)), batch_size=batch_size)
    started = time.perf_counter()
    for _ in range(epochs):
        model.train()
        for (batch,) in train_loader:
            loss = model.loss_terms(batch.to(device))["total"]
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            validation_loss = sum(
                float(model.loss_terms(batch.to(device))["total"]) * len(batch) for (batch,) in validation_loader
            )
        if not np.isfinite(validation_loss):
            raise RuntimeError(f"{config.name}: the baseline's validation loss is not finite")
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter() - started


def our_loop(
    config: ModelConfig,
    train_rows: np.ndarray,
    validation_rows: np.ndarray,
    epochs: int,
    batch_size: int,
    seeds: Sequence[int],
    device_name: str,
) -> float:
    """Wall time of analysis.training.train without cache or early stopping; returns seconds."""
    settings = TrainConfig(epochs=epochs, batch_size=batch_size, patience=epochs + 1, seeds=tuple(seeds), device=device_name)
    started = time.perf_counter()
    train(config, settings, train_rows, validation_rows, data_identity="benchmark", cache_dir=None, progress=False)
    return time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=("synthetic", "random"), default="synthetic")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--latent-dim", type=int, default=100)
    parser.add_argument("--models", nargs="+", choices=MODEL_NAMES, default=list(MODEL_NAMES))
    parser.add_argument("--device", default="auto")
    args = parser.parse_args(argv)

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
    print(f"batch {args.batch_size}, {args.epochs} epochs per run, {args.seeds} seeds in the vectorised run")
    print()
    header = f"{'model':<18}{'run':<22}{'wall s':>9}{'seed-samples/s':>16}{'vs baseline':>13}"
    print(header)
    print("-" * len(header))

    speedups = []
    projected_seconds = 0.0
    for name in args.models:
        config = ModelConfig(name=name, input_dim=train_rows.shape[1], latent_dim=args.latent_dim)
        # One tiny run of each loop first, so one-off start-up costs (thread pools, kernels) are not timed.
        our_loop(config, train_rows[:64], validation_rows[:64], 1, args.batch_size, range(args.seeds), args.device)
        dataloader_baseline(config, train_rows[:64], validation_rows[:64], 1, args.batch_size, device)
        work = train_rows.shape[0] * args.epochs
        runs = {
            "(a) ours, 1 seed": (our_loop(config, train_rows, validation_rows, args.epochs, args.batch_size, (0,), args.device), 1),
            f"(b) ours, {args.seeds} seeds": (
                our_loop(config, train_rows, validation_rows, args.epochs, args.batch_size, range(args.seeds), args.device),
                args.seeds,
            ),
            "(c) DataLoader": (
                dataloader_baseline(config, train_rows, validation_rows, args.epochs, args.batch_size, device),
                1,
            ),
        }
        throughput = {label: work * n_seeds / seconds for label, (seconds, n_seeds) in runs.items()}
        baseline = throughput["(c) DataLoader"]
        for label, (seconds, _) in runs.items():
            print(f"{name:<18}{label:<22}{seconds:>9.2f}{throughput[label]:>16,.0f}{throughput[label] / baseline:>12.2f}x")
        vectorised_label = f"(b) ours, {args.seeds} seeds"
        speedups.append(throughput[vectorised_label] / baseline)
        projected_seconds += runs[vectorised_label][0] / args.epochs * STUDY_EPOCHS * 5 / args.seeds

    print()
    print(
        f"projected: {len(args.models)} models × 5 seeds × {STUDY_EPOCHS} epochs (no early stop) "
        f"≈ {projected_seconds:.0f} s ({projected_seconds / 60:.1f} min)"
    )
    print(f"speedup_vs_dataloader={np.mean(speedups):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
