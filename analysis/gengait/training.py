"""Training the masked autoencoder on healthy trials of training subjects, cached on disk.

The loss is the MSE of the predicted patch values at masked tokens (padding
samples excluded). Masks follow the curriculum of :mod:`analysis.gengait.tokens`:
random tokens first, then structured masks (whole channels, a whole side,
time spans, channel × tile, contralateral pairs). Training stops early when
the masked MSE on the validation subjects' trials, under one fixed set of
structured masks, stops improving; the best epoch's weights are kept.

A trained model is stored under a key that hashes the settings, the training
and validation curves and this subpackage's model code, written to a
temporary directory and renamed into place, so a build reuses it and never
reads a half-written entry.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import shutil
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from analysis import paths
from analysis.config import GenGaitSettings
from analysis.engine.device import resolve_device
from analysis.gengait.model import MaskedAutoencoder, ModelShape, parameter_count
from analysis.gengait.tokens import Scaler, TokenLayout, curriculum_mask, structured_mask, tokenize

CACHE_FORMAT = 1
VALIDATION_MASK_SEED = 12345
_CODE_FILES = ("tokens.py", "model.py", "training.py")


@dataclass(frozen=True, eq=False)
class TrainedAutoencoder:
    """A fitted model with everything needed to use it on new curves."""

    model: MaskedAutoencoder
    layout: TokenLayout
    scaler: Scaler
    history: pd.DataFrame  # epoch, train_loss, validation_loss
    best_epoch: int
    seconds: float
    from_cache: bool
    key: str

    @property
    def n_parameters(self) -> int:
        return parameter_count(self.model)


def model_shape(settings: GenGaitSettings) -> ModelShape:
    return ModelShape(settings.d_model, settings.encoder_layers, settings.decoder_layers, settings.heads, settings.feedforward)


def _array_digest(array: np.ndarray) -> str:
    canonical = np.ascontiguousarray(array, dtype="<f8")
    return hashlib.sha256(f"{canonical.shape}".encode() + canonical.tobytes()).hexdigest()


def cache_key(settings: GenGaitSettings, channels: tuple[str, ...], train: np.ndarray, validation: np.ndarray) -> str:
    """Hash of everything a trained model depends on (not the evaluation settings)."""
    fields = ("patch", "d_model", "encoder_layers", "decoder_layers", "heads", "feedforward", "epochs", "patience",
              "batch_size", "learning_rate", "train_seed", "mask_ratio", "structured_share")  # fmt: skip
    code = hashlib.sha256()
    for name in _CODE_FILES:
        code.update((Path(__file__).parent / name).read_bytes())
    record = {
        "format": CACHE_FORMAT,
        "settings": {name: getattr(settings, name) for name in fields},
        "channels": list(channels),
        "train": _array_digest(train),
        "validation": _array_digest(validation),
        "code": code.hexdigest(),
        "torch": torch.__version__.split("+")[0],
    }
    return hashlib.sha256(json.dumps(record, sort_keys=True, default=list).encode()).hexdigest()


def train(settings: GenGaitSettings, channels: tuple[str, ...], train_curves: np.ndarray, validation_curves: np.ndarray,
          use_cache: bool = True) -> TrainedAutoencoder:  # fmt: skip
    """The model for these healthy training and validation curves: from the cache, or trained now."""
    train_curves = np.asarray(train_curves, dtype=np.float64)
    validation_curves = np.asarray(validation_curves, dtype=np.float64)
    if train_curves.shape[0] < 2 or validation_curves.shape[0] < 1:
        raise ValueError(
            f"training needs at least 2 training and 1 validation trial, got {train_curves.shape[0]} and {validation_curves.shape[0]}"
        )
    layout = TokenLayout(tuple(channels), train_curves.shape[-1], settings.patch)
    scaler = Scaler.fit(train_curves)
    key = cache_key(settings, layout.channels, train_curves, validation_curves)
    directory = paths.cache_dir() / "gengait" / key[:24]
    if use_cache:
        cached = _load(directory, key, layout, scaler, settings)
        if cached is not None:
            return cached
    trained = _fit(settings, layout, scaler, train_curves, validation_curves, key)
    if use_cache:
        _save(directory, trained)
    return trained


def masked_mse(prediction: torch.Tensor, target: torch.Tensor, mask: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """Mean squared error over the real samples of masked tokens."""
    per_sample = (prediction - target) ** 2 * weight
    token_weight = mask[..., None].to(per_sample.dtype) * weight
    return (per_sample * mask[..., None]).sum() / token_weight.sum().clamp_min(1.0)


def _fit(settings: GenGaitSettings, layout: TokenLayout, scaler: Scaler, train_curves: np.ndarray,
         validation_curves: np.ndarray, key: str) -> TrainedAutoencoder:  # fmt: skip
    device = resolve_device(settings.device)
    torch.manual_seed(settings.train_seed)
    rng = np.random.default_rng(settings.train_seed)
    model = MaskedAutoencoder(layout, model_shape(settings)).to(device)
    optimiser = torch.optim.Adam(model.parameters(), lr=settings.learning_rate)
    weight = torch.from_numpy(np.tile(layout.sample_weight().astype(np.float32), (layout.n_channels, 1))).to(device)
    train_tokens = torch.from_numpy(tokenize(scaler.transform(train_curves), layout)).to(device)
    validation_tokens = torch.from_numpy(tokenize(scaler.transform(validation_curves), layout)).to(device)
    validation_masks = torch.from_numpy(
        structured_mask(validation_tokens.shape[0], layout, np.random.default_rng(VALIDATION_MASK_SEED))
    ).to(device)
    half = layout.patch
    best_loss, best_state, best_epoch, waited = np.inf, copy.deepcopy(model.state_dict()), 0, 0
    rows = []
    started = time.perf_counter()
    n = train_tokens.shape[0]
    for epoch in range(1, settings.epochs + 1):
        model.train()
        progress = (epoch - 1) / max(1, settings.epochs - 1)
        order = torch.from_numpy(rng.permutation(n)).to(device)
        losses = []
        for start in range(0, n, settings.batch_size):
            batch = train_tokens[order[start : start + settings.batch_size]]
            mask = torch.from_numpy(curriculum_mask(batch.shape[0], layout, progress, settings.mask_ratio,
                                                    settings.structured_share, rng)).to(device)  # fmt: skip
            loss = masked_mse(model(batch, mask), batch[..., :half], mask, weight)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            losses.append(float(loss.detach()))
        validation_loss = _validation_loss(model, validation_tokens, validation_masks, weight, settings.batch_size * 4)
        rows.append({"epoch": epoch, "train_loss": float(np.mean(losses)), "validation_loss": validation_loss})
        if validation_loss < best_loss - 1e-6:
            best_loss, best_state, best_epoch, waited = validation_loss, copy.deepcopy(model.state_dict()), epoch, 0
        else:
            waited += 1
            if waited >= settings.patience:
                break
    model.load_state_dict(best_state)
    model.eval()
    return TrainedAutoencoder(model.cpu(), layout, scaler, pd.DataFrame(rows), best_epoch, time.perf_counter() - started, False, key)


def _validation_loss(model: MaskedAutoencoder, tokens: torch.Tensor, masks: torch.Tensor, weight: torch.Tensor, batch: int) -> float:
    model.eval()
    total, count = 0.0, 0
    with torch.inference_mode():
        for start in range(0, tokens.shape[0], batch):
            chunk, mask = tokens[start : start + batch], masks[start : start + batch]
            total += float(masked_mse(model(chunk, mask), chunk[..., : model.layout.patch], mask, weight)) * chunk.shape[0]
            count += chunk.shape[0]
    return total / max(count, 1)


# ---------------------------------------------------------------------------
# The cache

_WEIGHTS, _HISTORY, _RECORD = "weights.pt", "history.csv", "run.json"


def _load(directory: Path, key: str, layout: TokenLayout, scaler: Scaler, settings: GenGaitSettings) -> TrainedAutoencoder | None:
    if not directory.exists():
        return None
    try:
        record = json.loads((directory / _RECORD).read_text())
        if record.get("key") != key:
            raise ValueError("the entry belongs to another run")
        model = MaskedAutoencoder(layout, model_shape(settings))
        model.load_state_dict(torch.load(directory / _WEIGHTS, map_location="cpu", weights_only=True))
        history = pd.read_csv(directory / _HISTORY)
        return TrainedAutoencoder(model.eval(), layout, scaler, history, int(record["best_epoch"]), float(record["seconds"]), True, key)
    except Exception as error:  # an unreadable entry is retrained, never used
        warnings.warn(f"damaged cached masked autoencoder {directory.name} ({error}); training it again", stacklevel=3)
        return None


def _save(directory: Path, trained: TrainedAutoencoder) -> None:
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        torch.save(trained.model.state_dict(), staging / _WEIGHTS)
        trained.history.to_csv(staging / _HISTORY, index=False)
        record = {"key": trained.key, "best_epoch": trained.best_epoch, "seconds": trained.seconds}
        (staging / _RECORD).write_text(json.dumps(record, indent=2) + "\n")
        if directory.exists():
            shutil.rmtree(directory, ignore_errors=True)
        os.replace(staging, directory)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        warnings.warn(f"could not cache the masked autoencoder ({error})", stacklevel=3)
