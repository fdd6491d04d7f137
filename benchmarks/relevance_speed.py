"""Training and attribution time of the relevance chapter's models on a full-size random input.

The chapter trains an MLP and a 1-D CNN per fold and seed and explains the
test trials with LRP-ε, gradient × input, integrated gradients and
occlusion; this prints what one training run and one attribution of a test
fold cost, so the profiles can be sized. Random curves with a planted early
bump stand in for the cohort: timings, not accuracy, are the point. One line
per model and method:

    model  what  seconds  (epochs or trials)

    python benchmarks/relevance_speed.py [--train-trials 1400] [--test-trials 350] [--epochs 40]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

import numpy as np
import torch

from analysis.config import RelevanceSettings
from analysis.relevance import attribution, training


def random_contrast(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 10, 101)).astype(np.float32)
    y = rng.integers(0, 2, size=n)
    x[y == 1, 0, 10:40] += 0.5
    return x, y


def main(arguments: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-trials", type=int, default=1400)
    parser.add_argument("--test-trials", type=int, default=350)
    parser.add_argument("--epochs", type=int, default=40)
    options = parser.parse_args(arguments)
    settings = RelevanceSettings()
    x, y = random_contrast(options.train_trials, 0)
    xv, yv = random_contrast(options.test_trials, 1)
    print(f"torch threads: {torch.get_num_threads()}")
    for name in ("mlp", "cnn"):
        start = time.perf_counter()
        fit = training.fit_network(
            name, x, y, xv, yv, n_classes=2, hidden=settings.hidden, dropout=settings.dropout,
            max_epochs=options.epochs, patience=options.epochs, batch_size=settings.batch_size,
            learning_rate=settings.learning_rate, seed=0,
        )
        print(f"{name:8s} {'training':22s}{time.perf_counter() - start:7.2f} s  ({fit.epochs} epochs, {len(x)} trials)")
        baseline = x.mean(axis=0)
        for method in attribution.METHODS:
            start = time.perf_counter()
            attribution.attribute(
                method, fit.model, xv, yv, baseline, epsilon=settings.lrp_epsilon,
                steps=settings.ig_steps, window=settings.occlusion_window,
            )
            print(f"{name:8s} {method:22s}{time.perf_counter() - start:7.2f} s  ({len(xv)} trials)")
    start = time.perf_counter()
    training.fit_logistic(x, y, settings.logistic_c)
    print(f"{'logistic':8s} {'training':22s}{time.perf_counter() - start:7.2f} s  ({len(x)} trials)")


if __name__ == "__main__":
    main()
