"""Training time and seconds per inpainted trial of the GaitDynamics diffusion model, per profile.

Trains the denoiser of a profile for ``--steps`` steps on random trials of
the right shape (no cache), projects the profile's full training time, and
times inpainting (the insole layout) of ``--trials`` trials with the
profile's sample count and sampler steps. On a machine with CUDA the
``gpu`` profile runs there. One line per profile:

    profile  device  params  s_per_step  projected_training_s  s_per_inpainted_trial

    python benchmarks/gaitdynamics_speed.py [--profiles full smoke gpu] [--steps 30] [--trials 32]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import torch

from analysis import config
from analysis.data import N_SAMPLES
from analysis.gaitdynamics import diffusion, tasks
from analysis.gaitdynamics.curves import N_ROWS


def parse(arguments: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", nargs="+", choices=sorted(config.GAITDYNAMICS_PROFILES), default=["smoke", "full", "gpu"])
    parser.add_argument("--steps", type=int, default=30, help="training steps timed (default 30)")
    parser.add_argument("--trials", type=int, default=32, help="trials inpainted (default 32)")
    options = parser.parse_args(arguments)
    for name in ("steps", "trials"):
        if getattr(options, name) < 1:
            parser.error(f"--{name} must be at least 1")
    return options


def main(arguments: Sequence[str] | None = None) -> int:
    options = parse(arguments)
    rng = np.random.default_rng(0)
    trials = rng.standard_normal((2000, N_ROWS, N_SAMPLES))
    available = np.ones_like(trials, dtype=bool)
    print(f"{'profile':<8}{'device':>8}{'params':>10}{'s_per_step':>12}{'projected_training_s':>22}{'s_per_inpainted_trial':>23}")
    for profile in options.profiles:
        settings = config.resolve_gaitdynamics(profile)
        if settings.device == "cuda" and not torch.cuda.is_available():
            settings = replace(settings, device="cpu")
        timed = replace(settings, train_steps=options.steps)
        model = diffusion.train(timed, trials, available, use_cache=False)
        per_step = model.seconds / options.steps
        scaled = model.scaling.transform(trials[: options.trials])
        known = tasks.full_known(tasks.scenarios()[0].known, options.trials)
        start = time.perf_counter()
        diffusion.inpaint(model, scaled, known, settings.n_samples, seed=0)
        if model.device.type == "cuda":
            torch.cuda.synchronize()
        per_trial = (time.perf_counter() - start) / options.trials
        params = sum(parameter.numel() for parameter in model.network.parameters())
        print(f"{profile:<8}{model.device.type:>8}{params:>10}{per_step:>12.4f}{per_step * settings.train_steps:>22.0f}{per_trial:>23.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
