"""The link to the study: do diffusion edits move the same SAE features as the generator's twins?

The study's sparse autoencoder (first seed of the profile's "SAE") encodes
the recorded trial, its twin and each predicted twin. For every trial the
cosine between the predicted and the true change of the code says whether a
method moves the same features in the same direction; pairing each
predicted change with another trial's true change is the control (a
direction shared by every twin, such as "faster", survives the shuffle;
what is specific to the trial does not).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import config
from analysis.features.wavelets import encode
from analysis.sae import study as sae_study


def sae_encoder(profile: str):
    """A function curves (n, 10, 101) → SAE codes, from the study's trained model of this profile."""
    settings = config.resolve(profile, models=("sae",))
    settings = config.resolve(profile, models=("sae",), seeds=(settings.seeds[0],))
    study = sae_study.prepare(settings)
    run = sae_study.train_all(study, progress=False)["sae"][0]

    def codes(curves: np.ndarray) -> np.ndarray:
        return run.encode(study.features.standardizer.transform(encode(np.asarray(curves, dtype=np.float64), "trial")).astype(np.float32))

    return codes


def _cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    return np.where(norms > 0, (a * b).sum(axis=1) / np.where(norms > 0, norms, 1.0), np.nan)


def feature_agreement(result: dict[str, object], codes, subjects: np.ndarray) -> pd.DataFrame:
    """Per trial and method: cosine of predicted and true code change, and the shuffled control."""
    base = codes(result["original"])
    true = codes(result["twin"]) - base
    shift = np.roll(np.arange(len(base)), max(1, len(base) // 2))
    frames = []
    for method in ("diffusion edit", "linear population shift"):
        predicted = codes(result["predictions"][method]) - base
        frames.append(pd.DataFrame({"method": method, "subject": subjects, "cosine": _cosine(predicted, true), "control": _cosine(predicted, true[shift])}))
    return pd.concat(frames, ignore_index=True)
