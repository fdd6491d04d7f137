"""The on-disk cache of trained models: one entry per seed, verified before use.

An entry's name is a hash of everything its result depends on (the model
configuration, the training settings other than the seed list and the device,
the seed, the caller's ``data_identity``, the shapes of the data, the package
version and a hash of the engine's and the model's source), so any change
trains anew. Entries are written under a temporary name and renamed into
place; a damaged entry is reported, ignored and retrained.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import shutil
import tempfile
import warnings
from dataclasses import asdict
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import torch

import analysis
from analysis.engine import stack
from analysis.engine.stack import ModelSpec

if TYPE_CHECKING:
    from analysis.engine.training import TrainConfig, TrainedModel

CACHE_FORMAT = 1
HISTORY_COLUMNS: tuple[str, ...] = ("epoch", "part", "term", "value")
_WEIGHTS_FILE = "weights.pt"
_CHECKSUM_FILE = "weights.sha256"
_HISTORY_FILE = "history.csv"
_RECORD_FILE = "run.json"



@cache
def source_fingerprint(model_module_file: str) -> str:
    """Hash of the source that determines a training result: the engine's and the model's.

    Taken once per process (at first use), it describes the code that runs
    even if the files change while the process is alive.
    """
    digest = hashlib.sha256()
    engine_dir = Path(stack.__file__).parent
    for source in (Path(model_module_file), engine_dir / "stack.py", engine_dir / "training.py"):
        digest.update(source.read_bytes())
    return digest.hexdigest()


def model_source(model_config: ModelSpec) -> str:
    """The file that defines the model a configuration builds."""
    return inspect.getfile(type(model_config))


def cache_record(
    model_config: ModelSpec,
    train_config: TrainConfig,
    seed: int,
    data_identity: str,
    train_rows: np.ndarray,
    validation_rows: np.ndarray,
) -> dict[str, Any]:
    """Everything one seed's result depends on; its hash names the cache entry."""
    training = asdict(train_config)
    del training["seeds"], training["device"]
    if training.get("restore_best") is True:  # the default leaves the keys of earlier runs as they were
        del training["restore_best"]
    record = {
        "format": CACHE_FORMAT,
        "model": model_config.as_dict(),
        "training": training,
        "seed": seed,
        "data_identity": str(data_identity),
        "train_shape": list(train_rows.shape),
        "validation_shape": list(validation_rows.shape),
        "version": analysis.__version__,
        "code": source_fingerprint(model_source(model_config)),
    }
    record["key"] = hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()
    return record


def cache_directory(root: Path, model_config: ModelSpec, seed: int, record: dict[str, Any]) -> Path:
    return root / f"{model_config.name}-seed{seed}-{record['key'][:20]}"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load(directory: Path, record: dict[str, Any], model_config: ModelSpec) -> TrainedModel | None:
    """The cached result in ``directory``, or None; a damaged entry is reported and ignored."""
    if not directory.exists():
        return None
    try:
        stored = json.loads((directory / _RECORD_FILE).read_text())
        if stored.get("key") != record["key"]:
            raise ValueError(f"{_RECORD_FILE} belongs to another run")
        expected = (directory / _CHECKSUM_FILE).read_text().split()[0]
        if sha256_of(directory / _WEIGHTS_FILE) != expected:
            raise ValueError(f"{_WEIGHTS_FILE} does not match its sha256 checksum")
        weights = torch.load(directory / _WEIGHTS_FILE, map_location="cpu", weights_only=True)
        model = model_config.build((record["seed"],))
        model.load_state_dict(weights)
        history = pd.read_csv(directory / _HISTORY_FILE)
        if tuple(history.columns) != HISTORY_COLUMNS:
            raise ValueError(f"{_HISTORY_FILE} has columns {list(history.columns)}, expected {list(HISTORY_COLUMNS)}")
        from analysis.engine.training import TrainedModel

        return TrainedModel(
            config=model_config,
            seed=record["seed"],
            model=model.eval(),
            history=history,
            best_epoch=int(stored["best_epoch"]),
            stopped_epoch=int(stored["stopped_epoch"]),
            seconds=float(stored["seconds"]),
            device=str(stored["device"]),
            from_cache=True,
        )
    except Exception as error:  # any unreadable entry is retrained, never used
        warnings.warn(f"damaged cached model {directory} ({error}); training it again", stacklevel=3)
        return None


def save(directory: Path, record: dict[str, Any], trained: TrainedModel) -> None:
    """Write the entry under a temporary name and rename it into place."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        torch.save(trained.model.state_dict(), staging / _WEIGHTS_FILE)
        (staging / _CHECKSUM_FILE).write_text(f"{sha256_of(staging / _WEIGHTS_FILE)}  {_WEIGHTS_FILE}\n")
        trained.history.to_csv(staging / _HISTORY_FILE, index=False)
        stored = {
            **record,
            "best_epoch": trained.best_epoch,
            "stopped_epoch": trained.stopped_epoch,
            "seconds": trained.seconds,
            "device": trained.device,
        }
        (staging / _RECORD_FILE).write_text(json.dumps(stored, indent=2, sort_keys=True) + "\n")
        if directory.exists():
            _discard(directory)
        os.replace(staging, directory)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        if not directory.exists():
            warnings.warn(f"could not cache the trained model in {directory} ({error})", stacklevel=3)


def _discard(directory: Path) -> None:
    """Move a damaged entry out of the way first, so its name never holds half a directory."""
    graveyard = Path(tempfile.mkdtemp(prefix=f".{directory.name}.old.", dir=directory.parent))
    os.replace(directory, graveyard / directory.name)
    shutil.rmtree(graveyard, ignore_errors=True)
