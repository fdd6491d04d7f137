"""Training and scoring time of the masked autoencoder (the GenGait sibling chapter) at a profile's size.

Random smooth curves of the book's shape stand in for the cohort: timings, not
accuracy, are the point. Training runs ``--epochs`` epochs on ``--trials``
trials (the full cohort's training part has about 6,300) and is projected to
the profile's epoch budget; scoring times pass 1 (every occlusion) and pass 2
per trial. Nothing is cached. One line per quantity:

    python benchmarks/gengait_speed.py [--profile full] [--trials 2000] [--epochs 1] [--score-trials 100]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Sequence

import numpy as np
import torch

from analysis import config
from analysis.data import CHANNELS
from analysis.gengait import scoring, training


def random_curves(n: int, seed: int) -> np.ndarray:
    """Smooth curves: a fixed shape per channel scaled per trial, plus a little noise."""
    rng = np.random.default_rng(seed)
    stance = np.linspace(0, np.pi, 101)
    shape = np.stack([np.sin((channel % 5 + 1) * stance) for channel in range(len(CHANNELS))])
    return shape * (1 + 0.2 * rng.normal(size=(n, 1, 1))) + 0.02 * rng.normal(size=(n, len(CHANNELS), 101))


def parse(arguments: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", choices=sorted(config.GENGAIT_PROFILES), default="full")
    parser.add_argument("--trials", type=int, default=2000, help="training trials (default 2000)")
    parser.add_argument("--epochs", type=int, default=1, help="epochs timed (default 1)")
    parser.add_argument("--score-trials", type=int, default=100, help="trials scored (default 100)")
    options = parser.parse_args(arguments)
    for name in ("trials", "epochs", "score_trials"):
        if getattr(options, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    return options


def main(arguments: Sequence[str] | None = None) -> int:
    options = parse(arguments)
    settings = config.resolve_gengait(options.profile, epochs=options.epochs, patience=options.epochs, device="cpu")
    curves = random_curves(options.trials + 2 * options.score_trials, seed=0)
    train = curves[: options.trials]
    validation = curves[options.trials : options.trials + options.score_trials]
    test = curves[options.trials + options.score_trials :]
    torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))])  # the optimiser's first use imports much of torch: not timed
    with tempfile.TemporaryDirectory() as cache:
        os.environ["LATENT_MOTION_CACHE"] = cache
        started = time.perf_counter()
        trained = training.train(settings, CHANNELS, train, validation, use_cache=False)
        train_seconds = time.perf_counter() - started
    per_epoch = train_seconds / options.epochs
    budget = config.GENGAIT_PROFILES[options.profile].epochs
    print(f"profile {options.profile}: {trained.n_parameters} parameters, cpu ({torch.get_num_threads()} threads)")
    print(f"training: {per_epoch:.2f} s per epoch on {options.trials} trials; "
          f"projected {budget} epochs on 6300 trials: {per_epoch * budget * 6300 / options.trials:.0f} s")  # fmt: skip
    started = time.perf_counter()
    detector = scoring.calibrate(trained, validation, settings.flag_rate)
    calibrate_seconds = time.perf_counter() - started
    started = time.perf_counter()
    localisation = scoring.localise(detector, test)
    pass_one = time.perf_counter() - started
    started = time.perf_counter()
    scoring.twin(detector, test, localisation)
    pass_two = time.perf_counter() - started
    print(f"calibration: {calibrate_seconds:.2f} s for {options.score_trials} validation trials")
    print(f"scoring: pass 1 {1000 * pass_one / options.score_trials:.2f} ms per trial "
          f"({len(trained.layout.parts())} occlusions), pass 2 {1000 * pass_two / options.score_trials:.2f} ms per trial")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
