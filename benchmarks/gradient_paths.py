"""Time of one training step through the hand-written gradients against autograd on the plain formulas.

Both paths compute the same loss and gradients (the tests hold them to each
other); this prints what the hand-written backward passes save. The two are
timed in alternating blocks of steps in one process, so that drifts of a
shared machine affect both alike, and the ratio is the median over blocks.

    python benchmarks/gradient_paths.py [--seeds 1 5] [--blocks 8] [--steps 60] [--threads N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Sequence

import torch

from analysis.config import MODEL_NAMES
from analysis.engine.device import describe_device, resolve_device
from analysis.sae.models import ModelConfig, build_model

FULL_COEFFICIENTS = 1_350
TRAIN_ROWS = 6_335


def step_functions(name: str, seeds: int, batch_size: int, latent_dim: int, device: torch.device) -> dict[str, Callable[[int], None]]:
    """One Adam step per call, for each gradient path, on identical copies of one model."""
    generator = torch.Generator().manual_seed(0)
    rows = torch.randn(TRAIN_ROWS, FULL_COEFFICIENTS, generator=generator).to(device)
    order = torch.stack([torch.randperm(TRAIN_ROWS, generator=generator) for _ in range(seeds)]).to(device)
    noise = torch.randn(seeds, TRAIN_ROWS, latent_dim, generator=generator).to(device)
    last_start = TRAIN_ROWS - batch_size

    def batch(step: int) -> tuple[torch.Tensor, torch.Tensor]:
        start = (step * batch_size) % last_start
        indices = order[:, start : start + batch_size]
        return rows.index_select(0, indices.reshape(-1)).view(seeds, batch_size, -1), noise[:, start : start + batch_size]

    config = ModelConfig(name=name, input_dim=FULL_COEFFICIENTS, latent_dim=latent_dim)
    hand_model = build_model(config, range(seeds)).to(device).train()
    autograd_model = build_model(config, range(seeds)).to(device).train()
    hand_optimizer = torch.optim.Adam(hand_model.parameters(), lr=1e-3, fused=device.type in ("cpu", "cuda"))
    autograd_optimizer = torch.optim.Adam(autograd_model.parameters(), lr=1e-3, fused=device.type in ("cpu", "cuda"))

    def hand_written(step: int) -> None:
        hand_model.loss_and_gradients(*batch(step))
        hand_optimizer.step()

    def autograd(step: int) -> None:
        terms = autograd_model.autograd_loss_terms(*batch(step))
        autograd_optimizer.zero_grad(set_to_none=True)
        terms["total"].sum().backward()
        autograd_optimizer.step()

    return {"hand-written": hand_written, "autograd": autograd}


def time_block(step: Callable[[int], None], steps: int, device: torch.device) -> float:
    started = time.perf_counter()
    for index in range(steps):
        step(index)
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return (time.perf_counter() - started) / steps


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", choices=MODEL_NAMES, default=list(MODEL_NAMES))
    parser.add_argument("--seeds", nargs="+", type=int, default=[1, 5])
    parser.add_argument("--blocks", type=int, default=8, help="alternating timed blocks per path")
    parser.add_argument("--steps", type=int, default=60, help="steps per block")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--latent-dim", type=int, default=100)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args(argv)
    if min(args.seeds) < 1 or args.blocks < 1 or args.steps < 1:
        parser.error("--seeds, --blocks and --steps must be at least 1")
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    print(f"device: {describe_device(device)}; torch {torch.__version__}")
    print(f"batch {args.batch_size}, d = {FULL_COEFFICIENTS}, {args.latent_dim} latents; median of {args.blocks} blocks of {args.steps} steps")
    print()
    header = f"{'model':<18}{'seeds':>6}{'hand-written µs':>17}{'autograd µs':>13}{'ratio':>8}{'range':>14}"
    print(header)
    print("-" * len(header))
    for name in args.models:
        for seeds in args.seeds:
            steps = step_functions(name, seeds, args.batch_size, args.latent_dim, device)
            for step in steps.values():  # warm-up: thread pools, allocator, kernels
                time_block(step, 10, device)
            times: dict[str, list[float]] = {label: [] for label in steps}
            for _ in range(args.blocks):
                for label, step in steps.items():
                    times[label].append(time_block(step, args.steps, device))
            ratios = [hand / auto for hand, auto in zip(times["hand-written"], times["autograd"], strict=True)]
            hand_us = statistics.median(times["hand-written"]) * 1e6
            auto_us = statistics.median(times["autograd"]) * 1e6
            spread = f"{min(ratios):.2f}–{max(ratios):.2f}"
            print(f"{name:<18}{seeds:>6}{hand_us:>17.0f}{auto_us:>13.0f}{statistics.median(ratios):>8.2f}{spread:>14}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
