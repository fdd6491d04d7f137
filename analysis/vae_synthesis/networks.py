"""The seed's networks: a (conditional) VAE that generates trials and the autoencoder it was meant to help.

* VAE: input → 256 → 108 → z = 15 (symmetric decoder), ReLU, linear output;
  loss = squared error summed over the 1,010 values + β · KL, Adam, early
  stopping on the validation loss with the best weights restored. With
  conditions (speed, mass, height, standardised) it is a conditional VAE:
  they enter the encoder and the decoder.
* Autoencoder: input → 500 → 250 → 50 → z = 15, mirrored, ReLU inside, linear
  bottleneck and output, mean squared error.

Trained networks are cached on disk under a key of everything that shapes
them (sizes, training settings, seed, the exact rows, this file's source), so
a chapter re-run reads them instead of training again.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from analysis import paths
from analysis.files import write_atomically

ACTIVE_KL = 0.01  # nats: a latent whose mean KL stays below this carries (almost) nothing


@dataclass(frozen=True)
class Training:
    """How a network is trained: the seed's optimiser, batch and early stopping."""

    epochs: int
    patience: int
    batch_size: int
    learning_rate: float = 1e-3
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("epochs", "patience", "batch_size"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not self.learning_rate > 0:
            raise ValueError(f"learning_rate must be > 0, got {self.learning_rate!r}")


def _mlp(sizes: list[int], last_linear: bool = True) -> nn.Sequential:
    layers: list[nn.Module] = []
    for index, (width_in, width_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(width_in, width_out))
        if index < len(sizes) - 2 or not last_linear:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class VAE(nn.Module):
    """Gaussian encoder and decoder; ``n_conditions > 0`` makes it conditional."""

    def __init__(self, input_dim: int, hidden: tuple[int, ...], latent: int, n_conditions: int = 0, beta: float = 1.0) -> None:
        super().__init__()
        if input_dim < 1 or latent < 1 or not hidden or min(hidden) < 1:
            raise ValueError(f"VAE sizes must be positive, got input {input_dim!r}, hidden {hidden!r}, latent {latent!r}")
        if beta < 0:
            raise ValueError(f"beta must be ≥ 0, got {beta!r}")
        self.latent, self.n_conditions, self.beta = latent, n_conditions, beta
        self.encoder = _mlp([input_dim + n_conditions, *hidden], last_linear=False)
        self.mean = nn.Linear(hidden[-1], latent)
        self.log_variance = nn.Linear(hidden[-1], latent)
        self.decoder = _mlp([latent + n_conditions, *reversed(hidden), input_dim])

    def encode(self, x: torch.Tensor, c: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        hidden = self.encoder(x if c is None else torch.cat([x, c], dim=1))
        return self.mean(hidden), self.log_variance(hidden).clamp(-12.0, 8.0)

    def decode(self, z: torch.Tensor, c: torch.Tensor | None = None) -> torch.Tensor:
        return self.decoder(z if c is None else torch.cat([z, c], dim=1))

    def loss(self, x: torch.Tensor, c: torch.Tensor | None = None) -> torch.Tensor:
        mean, log_variance = self.encode(x, c)
        z = mean + torch.randn_like(mean) * torch.exp(0.5 * log_variance)
        reconstruction = ((self.decode(z, c) - x) ** 2).sum(dim=1)
        kl = 0.5 * (mean**2 + log_variance.exp() - log_variance - 1.0).sum(dim=1)
        return (reconstruction + self.beta * kl).mean()

    def validation_loss(self, x: torch.Tensor, c: torch.Tensor | None = None) -> torch.Tensor:
        generator_state = torch.random.get_rng_state()
        torch.manual_seed(0)  # the same noise every epoch, so early stopping compares like with like
        try:
            return self.loss(x, c)
        finally:
            torch.random.set_rng_state(generator_state)


class Autoencoder(nn.Module):
    """The seed's use-case model; latent layer linear, like its end layers."""

    def __init__(self, input_dim: int, hidden: tuple[int, ...], latent: int) -> None:
        super().__init__()
        if input_dim < 1 or latent < 1 or not hidden or min(hidden) < 1:
            raise ValueError(f"autoencoder sizes must be positive, got input {input_dim!r}, hidden {hidden!r}, latent {latent!r}")
        self.encoder = _mlp([input_dim, *hidden, latent])
        self.decoder = _mlp([latent, *reversed(hidden), input_dim])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(x))

    def loss(self, x: torch.Tensor, c: torch.Tensor | None = None) -> torch.Tensor:
        return ((self(x) - x) ** 2).mean()

    validation_loss = loss


@dataclass
class Fitted:
    """A trained network with the epoch its weights come from."""

    network: nn.Module
    best_epoch: int
    stopped_epoch: int
    from_cache: bool


def _key(kind: str, arguments: dict, training: Training, *arrays: np.ndarray | None) -> str:
    digest = hashlib.sha256()
    digest.update(json.dumps({"kind": kind, "arguments": arguments, "training": asdict(training)}, sort_keys=True, default=str).encode())
    digest.update(Path(__file__).read_bytes())
    for array in arrays:
        if array is not None:
            contiguous = np.ascontiguousarray(array, dtype=np.float32)
            digest.update(str(contiguous.shape).encode())
            digest.update(contiguous.tobytes())
    return digest.hexdigest()[:32]


def _cache_path(key: str) -> Path:
    return paths.models_cache_dir() / "vae_synthesis" / f"{key}.pt"


def fit(
    kind: str,
    arguments: dict,
    training: Training,
    train: np.ndarray,
    validation: np.ndarray,
    train_conditions: np.ndarray | None = None,
    validation_conditions: np.ndarray | None = None,
    use_cache: bool = True,
) -> Fitted:
    """Train a ``"vae"`` or ``"autoencoder"`` (or read it from the cache); best validation weights kept."""
    if kind not in ("vae", "autoencoder"):
        raise ValueError(f"kind must be 'vae' or 'autoencoder', got {kind!r}")
    if len(train) == 0 or len(validation) == 0:
        raise ValueError(f"train and validation need rows, got {len(train)} and {len(validation)}")
    network = VAE(**arguments) if kind == "vae" else Autoencoder(**arguments)
    path = _cache_path(_key(kind, arguments, training, train, validation, train_conditions, validation_conditions))
    if use_cache and path.is_file():
        stored = torch.load(path, weights_only=True)
        network.load_state_dict(stored["state"])
        network.eval()
        return Fitted(network, int(stored["best_epoch"]), int(stored["stopped_epoch"]), True)
    torch.manual_seed(training.seed)
    x = torch.as_tensor(np.asarray(train, dtype=np.float32))
    x_validation = torch.as_tensor(np.asarray(validation, dtype=np.float32))
    c = None if train_conditions is None else torch.as_tensor(np.asarray(train_conditions, dtype=np.float32))
    c_validation = None if validation_conditions is None else torch.as_tensor(np.asarray(validation_conditions, dtype=np.float32))
    optimiser = torch.optim.Adam(network.parameters(), lr=training.learning_rate)
    shuffle = torch.Generator().manual_seed(training.seed)
    best, best_epoch, best_state, waited, epoch = float("inf"), 0, None, 0, 0
    for epoch in range(1, training.epochs + 1):
        network.train()
        for batch in torch.randperm(len(x), generator=shuffle).split(training.batch_size):
            optimiser.zero_grad()
            network.loss(x[batch], None if c is None else c[batch]).backward()
            optimiser.step()
        network.eval()
        with torch.no_grad():
            current = float(network.validation_loss(x_validation, c_validation))
        if not np.isfinite(best) or current < best - 1e-6 * abs(best):
            best, best_epoch, waited = current, epoch, 0
            best_state = {name: value.detach().clone() for name, value in network.state_dict().items()}
        else:
            waited += 1
            if waited >= training.patience:
                break
    if best_state is not None:
        network.load_state_dict(best_state)
    network.eval()
    if use_cache:
        buffer = io.BytesIO()
        torch.save({"state": network.state_dict(), "best_epoch": best_epoch, "stopped_epoch": epoch}, buffer)
        write_atomically(path, buffer.getvalue())
    return Fitted(network, best_epoch, epoch, False)


def reconstruct(network: nn.Module, x: np.ndarray, conditions: np.ndarray | None = None) -> np.ndarray:
    """Deterministic reconstruction: the autoencoder's output, or the VAE's decoder at the posterior mean."""
    tensor = torch.as_tensor(np.asarray(x, dtype=np.float32))
    with torch.no_grad():
        if isinstance(network, VAE):
            c = None if conditions is None else torch.as_tensor(np.asarray(conditions, dtype=np.float32))
            return network.decode(network.encode(tensor, c)[0], c).numpy()
        return network(tensor).numpy()


def kl_per_latent(vae: VAE, x: np.ndarray, conditions: np.ndarray | None = None) -> np.ndarray:
    """Mean KL of q(z|x) from N(0, I), per latent dimension (nats); near 0 means an unused latent."""
    tensor = torch.as_tensor(np.asarray(x, dtype=np.float32))
    c = None if conditions is None else torch.as_tensor(np.asarray(conditions, dtype=np.float32))
    with torch.no_grad():
        mean, log_variance = vae.encode(tensor, c)
        return (0.5 * (mean**2 + log_variance.exp() - log_variance - 1.0)).mean(dim=0).numpy()


def sample(
    vae: VAE,
    n: int,
    seed: int,
    residuals: np.ndarray | None = None,
    conditions: np.ndarray | None = None,
) -> np.ndarray:
    """``n`` decoder means at z ~ N(0, I); with ``residuals``, each plus one randomly drawn training residual.

    The decoder mean is the seed's sampler; the mean lacks the trial-to-trial
    roughness the VAE's error term absorbed, which the residual puts back.
    """
    if n < 1:
        raise ValueError(f"n must be ≥ 1, got {n!r}")
    generator = torch.Generator().manual_seed(seed)
    z = torch.randn(n, vae.latent, generator=generator)
    c = None if conditions is None else torch.as_tensor(np.asarray(conditions, dtype=np.float32))
    with torch.no_grad():
        means = vae.decode(z, c).numpy()
    if residuals is None:
        return means
    picks = np.random.default_rng(seed).integers(0, len(residuals), size=n)
    return means + residuals[picks]
