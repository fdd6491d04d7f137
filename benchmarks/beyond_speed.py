"""Training time of the chapter "Beyond the study": TopK SAEs in the stacked engine, and the textbook fits.

The chapter trains one TopK SAE per k (its frontier) and several seeds of one
k, and fits ICA and a sparse dictionary per seed. This times each on random
low-rank data of the book's full shape (6,000 training rows × 1,350
coefficients by default), with the cache off and early stopping off, and
prints the training time and configurations (k × seed rows) per second:

    what  rows  epochs  seconds  configurations_per_s

    python benchmarks/beyond_speed.py [--rows 6000] [--columns 1350] [--epochs 2] [--ks 2 10 50] [--seeds 3]
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Sequence

import numpy as np

from analysis.beyond.codes import fit_dictionary
from analysis.engine import training
from analysis.evaluation.baselines import fit_baseline
from analysis.sae.topk import TopKConfig

RANDOM_RANK = 100


def random_features(rows: int, columns: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    rank = min(RANDOM_RANK, columns)
    values = rng.normal(size=(rows, rank)) @ rng.normal(size=(rank, columns)) + rng.normal(size=(rows, columns))
    return ((values - values.mean(axis=0)) / values.std(axis=0)).astype(np.float32)


def parse(arguments: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=6000)
    parser.add_argument("--columns", type=int, default=1350)
    parser.add_argument("--latent", type=int, default=100)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--ks", type=int, nargs="+", default=[2, 10, 50])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--skip-textbook", action="store_true", help="time only the TopK SAEs")
    options = parser.parse_args(arguments)
    for name in ("rows", "columns", "latent", "epochs", "seeds"):
        if getattr(options, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if any(k < 1 or k > options.latent for k in options.ks):
        parser.error(f"--ks must lie in [1, --latent={options.latent}]")
    return options


def main(arguments: Sequence[str] | None = None) -> int:
    options = parse(arguments)
    data = random_features(options.rows + options.rows // 5, options.columns, 0)
    train, validation = data[: options.rows], data[options.rows :]
    print(f"input: {options.rows} training rows × {options.columns} columns, latent {options.latent}")
    print(f"{'what':<34}{'rows':>6}{'epochs':>8}{'seconds':>10}{'configurations_per_s':>22}")
    settings = training.TrainConfig(epochs=options.epochs, patience=options.epochs + 1, seeds=tuple(range(options.seeds)))
    total_rows, total_seconds = 0, 0.0
    for k in options.ks:
        started = time.perf_counter()
        training.train(TopKConfig(options.columns, options.latent, k), settings, train, validation, "benchmark", cache_dir=None, progress=False)
        seconds = time.perf_counter() - started
        total_rows, total_seconds = total_rows + options.seeds, total_seconds + seconds
        print(f"{f'TopK SAE k={k} × {options.seeds} seeds':<34}{options.seeds:>6}{options.epochs:>8}{seconds:>10.1f}{options.seeds / seconds:>22.3f}")
    print(f"{'TopK SAE, all':<34}{total_rows:>6}{options.epochs:>8}{total_seconds:>10.1f}{total_rows / total_seconds:>22.3f}")
    if not options.skip_textbook:
        for what, fit in (
            ("FastICA", lambda: fit_baseline("ica", train, options.latent)),
            ("dictionary (2 passes)", lambda: fit_dictionary(train, options.latent, 10, 0, 2)),
        ):
            started = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit()
            seconds = time.perf_counter() - started
            print(f"{what:<34}{1:>6}{'–':>8}{seconds:>10.1f}{1 / seconds:>22.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
