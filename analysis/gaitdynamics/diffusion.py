"""Training, sampling, inpainting and inversion of the diffusion model.

The noise schedule and the sampler steps come from ``diffusers``: the cosine
schedule (``squaredcos_cap_v2``) with 1,000 training steps, DDIM with
``eta`` for sampling (``eta=1`` spreads the samples like DDPM, ``0`` is
deterministic) and RePaint's resampling scheduler as an alternative for
inpainting. Inpainting follows GaitDynamics: the network is told the known
entries, and after every step the known entries of the sample are replaced by
the known values noised to the next level (clean at the end), so known values
come back exactly. Deterministic DDIM inversion (``DDIMInverseScheduler``)
maps a recorded trial to the noise from which the sampler regenerates it;
with a v-prediction this is well defined from the clean trial on (an
x0-prediction would divide by ``sqrt(1 - ab) = 0`` at the first step).

Training draws a mask per trial (none known, random channels, the insole
and one-plate layouts, time gaps, all but one channel) and hides all metadata
rows with the classifier-free dropout probability, so one network serves
unconditional, conditional and inpainting use.
"""

from __future__ import annotations

import hashlib
import inspect
import io
import json
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

with warnings.catch_warnings():  # diffusers loads tqdm.auto, which warns in every notebook without ipywidgets
    warnings.filterwarnings("ignore", message="IProgress not found")
    from diffusers import DDIMInverseScheduler, DDIMScheduler, RePaintScheduler

from analysis import paths
from analysis.files import write_atomically
from analysis.config import GaitDynamicsSettings
from analysis.data import CHANNELS, N_SAMPLES
from analysis.gaitdynamics import curves as layout
from analysis.gaitdynamics import model as denoiser_module
from analysis.gaitdynamics.curves import N_CURVES, N_ROWS, Scaling
from analysis.gaitdynamics.model import Denoiser, DenoiserShape

CACHE_FORMAT = 1
CHUNK = 1024  # trials per forward pass when sampling


def ddim_scheduler(settings: GaitDynamicsSettings) -> DDIMScheduler:
    return DDIMScheduler(
        num_train_timesteps=settings.train_timesteps,
        beta_schedule="squaredcos_cap_v2",
        prediction_type="v_prediction",
        clip_sample=False,
        timestep_spacing="trailing",
    )


def repaint_scheduler(settings: GaitDynamicsSettings) -> RePaintScheduler:
    return RePaintScheduler(num_train_timesteps=settings.train_timesteps, beta_schedule="squaredcos_cap_v2", eta=settings.eta)


@dataclass
class DiffusionModel:
    """A trained denoiser (EMA weights) with its scaling and the settings it was trained with."""

    network: Denoiser
    scaling: Scaling
    settings: GaitDynamicsSettings
    seconds: float
    losses: np.ndarray  # training loss per logged block of steps
    from_cache: bool = False

    @property
    def device(self) -> torch.device:
        return next(self.network.parameters()).device


# ---------------------------------------------------------------------------
# Masks seen in training.

INSOLE_ROWS = tuple(CHANNELS.index(f"{component}_{side}") for component in ("F_V", "COP_AP", "COP_ML") for side in ("left", "right"))


def training_masks(available: np.ndarray, rng: np.random.Generator, condition_dropout: float) -> np.ndarray:
    """A known-mask per trial, ``(n, 15, 101)``: a random layout over the curves, metadata where available."""
    n = available.shape[0]
    known = np.zeros((n, N_ROWS, N_SAMPLES), dtype=bool)
    kinds = rng.integers(0, 6, size=n)
    for index, kind in enumerate(kinds):
        if kind == 1:  # random channels
            known[index, :N_CURVES] = (rng.random(N_CURVES) < rng.random())[:, None]
        elif kind == 2:  # insole layout, some input groups lost
            rows = [row for row in INSOLE_ROWS if rng.random() < 0.8]
            known[index, rows] = True
        elif kind == 3:  # one side known
            side = int(rng.integers(0, 2))
            known[index, side:N_CURVES:2] = True
        elif kind == 4:  # a time gap in some channels
            known[index, :N_CURVES] = True
            start, width = int(rng.integers(0, N_SAMPLES - 5)), int(rng.integers(5, 31))
            gap_rows = rng.random(N_CURVES) < 0.7
            known[index, np.flatnonzero(gap_rows), start : start + width] = False
        elif kind == 5:  # all but one channel
            known[index, :N_CURVES] = True
            known[index, int(rng.integers(0, N_CURVES))] = False
    metadata = available[:, N_CURVES:, 0] & (rng.random((n, N_ROWS - N_CURVES)) >= 0.1)
    metadata &= (rng.random(n) >= condition_dropout)[:, None]
    known[:, N_CURVES:, :] = metadata[:, :, None]
    return known


# ---------------------------------------------------------------------------
# Training and the cache.


def shape_of(settings: GaitDynamicsSettings) -> DenoiserShape:
    return DenoiserShape(settings.patch, settings.width, settings.layers, settings.heads, settings.feedforward, settings.dropout)


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def _cache_key(settings: GaitDynamicsSettings, trials: np.ndarray, available: np.ndarray) -> str:
    digest = hashlib.sha256()
    fields = {key: value for key, value in settings.as_dict().items() if key in TRAINING_FIELDS}
    digest.update(json.dumps(fields, sort_keys=True).encode())
    digest.update(np.ascontiguousarray(trials, dtype=np.float64).tobytes())
    digest.update(np.ascontiguousarray(available).tobytes())
    for module in (denoiser_module, layout):
        digest.update(inspect.getsource(module).encode())
    digest.update(inspect.getsource(train).encode() + inspect.getsource(training_masks).encode())
    digest.update(str(CACHE_FORMAT).encode())
    return digest.hexdigest()[:24]


TRAINING_FIELDS: tuple[str, ...] = (
    "patch", "width", "layers", "heads", "feedforward", "dropout", "train_steps", "batch_size", "learning_rate",
    "weight_decay", "ema_decay", "condition_dropout", "train_timesteps", "seed",
)


def train(settings: GaitDynamicsSettings, trials: np.ndarray, available: np.ndarray, use_cache: bool = True) -> DiffusionModel:
    """Fit the scaling and the denoiser on training trials (data units), or load the identical run from the cache."""
    scaling = Scaling.fit(trials, available)
    device = resolve_device(settings.device)
    network = Denoiser(shape_of(settings))
    cache_file = paths.cache_dir() / "gaitdynamics" / f"{_cache_key(settings, trials, available)}.pt"
    if use_cache and cache_file.is_file():
        stored = torch.load(cache_file, map_location="cpu", weights_only=True)
        network.load_state_dict(stored["weights"])
        network.to(device).eval()
        return DiffusionModel(network, scaling, settings, float(stored["seconds"]), stored["losses"].numpy(), from_cache=True)

    torch.manual_seed(settings.seed)
    rng = np.random.default_rng(settings.seed)
    network.to(device)
    average = torch.optim.swa_utils.AveragedModel(
        network, multi_avg_fn=torch.optim.swa_utils.get_ema_multi_avg_fn(settings.ema_decay)
    )
    optimiser = torch.optim.AdamW(network.parameters(), lr=settings.learning_rate, weight_decay=settings.weight_decay)
    scheduler = ddim_scheduler(settings)
    scaled = torch.as_tensor(np.where(available, scaling.transform(trials), 0.0), dtype=torch.float32)
    present = torch.as_tensor(available)
    losses, running = [], []
    start = time.perf_counter()
    network.train()
    for step in range(settings.train_steps):
        rows = rng.integers(0, scaled.shape[0], size=settings.batch_size)
        x0, avail = scaled[rows].to(device), present[rows].to(device)
        known = torch.as_tensor(training_masks(avail.cpu().numpy(), rng, settings.condition_dropout), device=device)
        noise = torch.randn_like(x0)
        steps = torch.randint(0, settings.train_timesteps, (x0.shape[0],), device=device)
        noisy = scheduler.add_noise(x0, noise, steps)
        noisy = torch.where(known, x0, noisy)  # known entries are shown clean in the "known" channel and pasted
        target = scheduler.get_velocity(x0, noise, steps)
        output = network(noisy, x0 * known, known.float(), steps)
        weight = (~known & avail).float()
        # each trial counts once, whatever its layout: otherwise layouts with many hidden entries
        # (unconditional generation) would drown the conditional ones in the gradient
        per_trial = ((output - target) ** 2 * weight).sum(dim=(1, 2)) / weight.sum(dim=(1, 2)).clamp(min=1.0)
        loss = per_trial.mean()
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(network.parameters(), 1.0)
        optimiser.step()
        average.update_parameters(network)
        running.append(loss.item())
        if len(running) == 50 or step == settings.train_steps - 1:
            losses.append(float(np.mean(running)))
            running = []
    seconds = time.perf_counter() - start
    network.load_state_dict(average.module.state_dict())
    network.eval()
    if use_cache:
        _save(cache_file, network, seconds, np.asarray(losses))
    return DiffusionModel(network, scaling, settings, seconds, np.asarray(losses))


def _save(path: Path, network: Denoiser, seconds: float, losses: np.ndarray) -> None:
    weights = {key: value.detach().cpu() for key, value in network.state_dict().items()}
    buffer = io.BytesIO()
    torch.save({"weights": weights, "seconds": seconds, "losses": torch.as_tensor(losses)}, buffer)
    write_atomically(path, buffer.getvalue())


# ---------------------------------------------------------------------------
# Sampling.


def _checked(scaled: np.ndarray, known: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scaled = np.asarray(scaled, dtype=np.float32)
    known = np.asarray(known, dtype=bool)
    if scaled.ndim != 3 or scaled.shape[1:] != (N_ROWS, N_SAMPLES):
        raise ValueError(f"trials must have shape (n, {N_ROWS}, {N_SAMPLES}), got {scaled.shape}")
    if known.shape != scaled.shape:
        raise ValueError(f"known must have the trials' shape {scaled.shape}, got {known.shape}")
    return np.where(known, scaled, 0.0).astype(np.float32), known  # unknown values never reach the model


def _prediction(model: DiffusionModel, noisy: torch.Tensor, known_values: torch.Tensor, known: torch.Tensor, step: torch.Tensor) -> torch.Tensor:
    """The network's v-prediction, with classifier-free guidance on the metadata rows when ``guidance != 1``."""
    steps = step.expand(noisy.shape[0]) if step.ndim == 0 else step
    noisy = torch.where(known, known_values, noisy)  # as in training: known entries are shown clean
    conditional = model.network(noisy, known_values, known.float(), steps)
    weight = model.settings.guidance
    if weight == 1.0 or not bool(known[:, N_CURVES:].any()):
        return conditional
    hidden = known.clone()
    hidden[:, N_CURVES:] = False
    unconditional = model.network(noisy, known_values * hidden, hidden.float(), steps)
    return unconditional + weight * (conditional - unconditional)


@torch.no_grad()
def inpaint(
    model: DiffusionModel, scaled: np.ndarray, known: np.ndarray, n_samples: int, seed: int = 0, sampler: str | None = None
) -> np.ndarray:
    """``n_samples`` completions of every trial, ``(n_samples, n, 15, 101)`` in scaled units.

    Entries where ``known`` is true come back exactly; the others are drawn
    given them. The values of unknown entries are never read.
    """
    if isinstance(n_samples, bool) or not isinstance(n_samples, int) or n_samples < 1:
        raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}")
    sampler = model.settings.sampler if sampler is None else sampler
    if sampler not in ("ddim", "repaint"):
        raise ValueError(f"sampler must be 'ddim' or 'repaint', got {sampler!r}")
    values, known = _checked(scaled, known)
    generator = torch.Generator().manual_seed(seed)
    device = model.device
    results = np.empty((n_samples, *values.shape), dtype=np.float32)
    for sample in range(n_samples):
        for start in range(0, values.shape[0], CHUNK):
            block = slice(start, start + CHUNK)
            x0 = torch.as_tensor(values[block], device=device)
            mask = torch.as_tensor(known[block], device=device)
            run = _ddim if sampler == "ddim" else _repaint
            results[sample, block] = run(model, x0, mask, generator).cpu().numpy()
    return results


def _noise(like: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    return torch.randn(like.shape, generator=generator).to(like.device)


def _ddim(model: DiffusionModel, x0: torch.Tensor, known: torch.Tensor, generator: torch.Generator, start: torch.Tensor | None = None, eta: float | None = None) -> torch.Tensor:
    scheduler = ddim_scheduler(model.settings)
    scheduler.set_timesteps(model.settings.sampling_steps)
    eta = model.settings.eta if eta is None else eta
    sample = _noise(x0, generator) if start is None else start
    for step in scheduler.timesteps:
        sample = torch.where(known, scheduler.add_noise(x0, _noise(x0, generator), step.reshape(1)), sample)
        output = _prediction(model, sample, x0, known, step.to(x0.device))
        variance = _noise(x0, generator) if eta > 0 else None
        sample = scheduler.step(output, int(step), sample, eta=eta, variance_noise=variance).prev_sample
    return torch.where(known, x0, sample)


def _repaint(model: DiffusionModel, x0: torch.Tensor, known: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """RePaint: DDPM steps with jumps back (resampling) so unknown entries harmonise with the pasted known ones."""
    scheduler = repaint_scheduler(model.settings)
    jumps = model.settings.repaint_jumps
    scheduler.set_timesteps(model.settings.sampling_steps, jump_length=jumps, jump_n_sample=jumps)
    sample = _noise(x0, generator)
    previous = None
    for step in scheduler.timesteps:
        if previous is None or step < previous:
            output = _prediction(model, sample, x0, known, step.to(x0.device))
            alpha = scheduler.alphas_cumprod[int(step)].to(x0.device)
            epsilon = alpha.sqrt() * output + (1 - alpha).sqrt() * sample  # v → noise, as RePaint expects
            sample = scheduler.step(epsilon, int(step), sample, x0, known.float(), generator=generator).prev_sample
        else:
            sample = scheduler.undo_step(sample, int(previous), generator=generator)
        previous = step
    return torch.where(known, x0, sample)


# ---------------------------------------------------------------------------
# Deterministic inversion and counterfactual edits.


@torch.no_grad()
def invert(model: DiffusionModel, scaled: np.ndarray, known: np.ndarray) -> torch.Tensor:
    """DDIM inversion (eta 0): the noise from which the sampler would regenerate each trial's curves, given ``known``.

    Every curve value is inverted; a metadata row enters only where known,
    so hidden metadata values are never read.
    """
    values, known_mask = _checked(scaled, known)
    inverse = DDIMInverseScheduler(**ddim_scheduler(model.settings).config)
    inverse.set_timesteps(model.settings.sampling_steps)
    x_known = torch.as_tensor(values, device=model.device)
    mask = torch.as_tensor(known_mask, device=model.device)
    content = np.asarray(scaled, dtype=np.float32).copy()
    content[:, N_CURVES:] = values[:, N_CURVES:]  # the curves are inverted; metadata only where known
    sample = torch.as_tensor(content, device=model.device)
    for step in inverse.timesteps:
        output = _prediction(model, sample, x_known, mask, step.to(model.device))
        sample = inverse.step(output, int(step), sample).prev_sample
    return sample


@torch.no_grad()
def regenerate(model: DiffusionModel, latent: torch.Tensor, scaled: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Decode inverted noise with DDIM (eta 0) given (possibly edited) known entries; scaled units."""
    values, known_mask = _checked(scaled, known)
    x0 = torch.as_tensor(values, device=model.device)
    mask = torch.as_tensor(known_mask, device=model.device)
    return _ddim(model, x0, mask, torch.Generator().manual_seed(0), start=latent, eta=0.0).cpu().numpy()
