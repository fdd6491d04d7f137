"""What the VAE-synthesis chapter's steps cost at full size, so its profiles can be sized.

Random curves of the chapter's full shape (≈ 715 training trials of 10 × 101
values, as one fold of the seed's three-trials-per-subject draw) are used:
timings, not results, are the point. Prints one line per step with seconds
per unit, then the full profile's projected cold-cache time of the two
training-heavy steps (fold VAEs and the augmentation learning curve).

    python benchmarks/vae_synthesis_speed.py [--rows 715] [--epochs 5]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

import numpy as np

from analysis import config
from analysis.vae_synthesis import networks, realism, spm


def _seconds(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=715)
    parser.add_argument("--epochs", type=int, default=5)
    arguments = parser.parse_args(argv)
    if arguments.rows < 20 or arguments.epochs < 1:
        parser.error(f"--rows must be ≥ 20 and --epochs ≥ 1, got {arguments.rows} and {arguments.epochs}")
    settings = config.resolve_vae_synthesis("full")
    rng = np.random.default_rng(0)
    train = rng.normal(size=(arguments.rows, 1010)).astype(np.float32)
    validation = rng.normal(size=(arguments.rows // 7, 1010)).astype(np.float32)
    vae_training = networks.Training(arguments.epochs, arguments.epochs, settings.vae_batch)
    ae_training = networks.Training(arguments.epochs, arguments.epochs, settings.ae_batch)
    vae_arguments = {"input_dim": 1010, "hidden": settings.vae_hidden, "latent": settings.vae_latent}
    ae_arguments = {"input_dim": 1010, "hidden": settings.ae_hidden, "latent": settings.vae_latent}
    networks.fit("vae", vae_arguments, networks.Training(1, 1, settings.vae_batch), train[:20], validation[:5], use_cache=False)  # warm-up
    vae_epoch = _seconds(lambda: networks.fit("vae", vae_arguments, vae_training, train, validation, use_cache=False)) / arguments.epochs
    ae_epoch = _seconds(lambda: networks.fit("autoencoder", ae_arguments, ae_training, train, validation, use_cache=False)) / arguments.epochs
    curves = rng.normal(size=(2 * 175, 10, 101)).cumsum(axis=2)
    groups = np.arange(175)
    c2st = {
        name: _seconds(lambda name=name: realism.c2st_correct(realism.view(curves[:175], "curves"), realism.view(curves[175:], "curves"), groups, None, name, 0, settings.boosting_iterations))
        for name in realism.CLASSIFIERS
    }
    spm_channel = _seconds(lambda: spm.permutation_ttest(curves[:175, 0], curves[175:, 0], settings.permutations, 0, 0.005))
    print(f"VAE epoch ({arguments.rows} trials): {vae_epoch:.3f} s")
    print(f"autoencoder epoch ({arguments.rows} trials): {ae_epoch:.3f} s")
    for name, seconds in c2st.items():
        print(f"C2ST {name} (175 vs 175, 5 folds): {seconds:.2f} s")
    print(f"SPM one channel ({settings.permutations} permutations): {spm_channel:.2f} s")
    # Epochs actually run are set by early stopping; these are upper bounds at the profile's caps.
    folds = settings.n_folds
    vae_cap = folds * settings.vae_epochs * vae_epoch
    real_share = sum(1.0 if count == 0 else count / 245 for count in settings.subject_counts)
    ae_cap = folds * settings.ae_epochs * ae_epoch * real_share * (1 + 2 + 4 + 2) + folds * settings.ae_epochs * ae_epoch * 2
    print(f"full profile at the epoch caps ({settings.vae_epochs} VAE, {settings.ae_epochs} autoencoder epochs): fold VAEs {vae_cap:.0f} s, augmentation {ae_cap:.0f} s")
    print("early stopping ends most runs far sooner; the chapter's own table reports the epochs actually run")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
