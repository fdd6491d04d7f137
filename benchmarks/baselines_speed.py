"""Fit and encode time of each textbook baseline on a full-size random input.

The baselines chapter fits PCA, ICA and a sparse dictionary coder at several
settings; this says what one fit and one encode of the test rows cost, so the
chapter's profiles can be sized. The input is random low-rank standard-normal
data of the book's full shape (6,000 training rows × 1,350 coefficients by
default) plus noise: timings, not fidelity, are the point. One line per method:

    method  n_components  sparsity  fit_s  encode_s  fve

    python benchmarks/baselines_speed.py [--rows 6000] [--columns 1350] [--components 50] [--sparsity 10]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

import numpy as np

from analysis.evaluation.baselines import METHODS, fit_baseline, fraction_variance_explained

# The latent structure of the random input: rows mix this many hidden factors.
RANDOM_RANK = 100


def random_features(rows: int, columns: int, seed: int) -> np.ndarray:
    """Standardised-looking float32 rows: low-rank signal plus noise, centred and scaled per column."""
    rng = np.random.default_rng(seed)
    rank = min(RANDOM_RANK, columns)
    values = rng.normal(size=(rows, rank)) @ rng.normal(size=(rank, columns)) + rng.normal(size=(rows, columns))
    values = (values - values.mean(axis=0)) / values.std(axis=0)
    return values.astype(np.float32)


def parse(arguments: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=6000, help="training rows (default 6000)")
    parser.add_argument("--test-rows", type=int, default=1300, help="rows encoded after the fit (default 1300)")
    parser.add_argument("--columns", type=int, default=1350, help="coefficients per row (default 1350)")
    parser.add_argument("--components", type=int, default=50, help="components or dictionary atoms (default 50)")
    parser.add_argument("--sparsity", type=int, default=10, help="non-zeros per row of the dictionary code (default 10)")
    parser.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS))
    parser.add_argument("--seed", type=int, default=0)
    options = parser.parse_args(arguments)
    for name in ("rows", "test_rows", "columns", "components", "sparsity"):
        if getattr(options, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    return options


def main(arguments: Sequence[str] | None = None) -> int:
    options = parse(arguments)
    data = random_features(options.rows + options.test_rows, options.columns, options.seed)
    train, test = data[: options.rows], data[options.rows :]
    print(f"input: {options.rows} training rows + {options.test_rows} test rows × {options.columns} columns, float32")
    print(f"{'method':<12}{'n_components':>14}{'sparsity':>10}{'fit_s':>10}{'encode_s':>10}{'fve':>8}")
    for method in options.methods:
        sparsity = options.sparsity if method == "dictionary" else None
        started = time.perf_counter()
        fitted = fit_baseline(method, train, options.components, sparsity=sparsity, seed=options.seed)
        fitted_at = time.perf_counter()
        codes = fitted.encode(test)
        encoded_at = time.perf_counter()
        fve = fraction_variance_explained(test, fitted.decode(codes))
        shown = "-" if sparsity is None else str(sparsity)
        print(
            f"{method:<12}{options.components:>14}{shown:>10}"
            f"{fitted_at - started:>10.2f}{encoded_at - fitted_at:>10.3f}{fve:>8.3f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
