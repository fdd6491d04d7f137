"""The link to the study: do diffusion edits move the same SAE features as the generator's twins?

The study's sparse autoencoder (first seed of the profile's "SAE", handed in
by the chapter) encodes
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

from collections.abc import Callable


def _cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    return np.where(norms > 0, (a * b).sum(axis=1) / np.where(norms > 0, norms, 1.0), np.nan)


def feature_agreement(result: dict[str, object], codes: Callable[[np.ndarray], np.ndarray], subjects: np.ndarray) -> pd.DataFrame:
    """Per trial and method: cosine of predicted and true code change, and the shuffled control.

    ``codes`` maps curves (n, 10, 101) to the study SAE's codes; the chapter
    builds it (:func:`analysis.sae.study.curve_encoder`), so this system
    never imports the study's.
    """
    base = codes(result["original"])
    true = codes(result["twin"]) - base
    shift = np.roll(np.arange(len(base)), max(1, len(base) // 2))
    frames = []
    for method in ("diffusion edit", "linear population shift"):
        predicted = codes(result["predictions"][method]) - base
        frames.append(pd.DataFrame({"method": method, "subject": subjects, "cosine": _cosine(predicted, true), "control": _cosine(predicted, true[shift])}))
    return pd.concat(frames, ignore_index=True)
