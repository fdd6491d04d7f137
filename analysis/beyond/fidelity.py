"""Reconstruction against sparsity: the frontier, the matched comparison and its verdict.

Every interval resamples the held-out test subjects (each person's trials
together); paired comparisons resample the same people for both methods.
The verdict's rule is written in :data:`VERDICT_RULE` and applied by
:func:`verdict`; a sign-flip permutation of the per-subject differences is
its null.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.beyond.codes import Code
from analysis.evaluation import baselines
from analysis.features.model_inputs import FeatureSet

CONFIDENCE = 0.95
BEATS, LOSES, UNDECIDED = "beats", "loses to", "cannot be told apart from"
VERDICT_RULE = (
    "At the same number of active features per row, a sparse autoencoder beats a textbook method when its test FVE "
    "is higher and the 95 % subject-bootstrap interval of the difference lies above zero; it loses when the interval "
    "lies below zero; otherwise the two cannot be told apart."
)


@dataclass(frozen=True)
class Point:
    """One method at one setting: its code's sparsity and its test error per subject (mean over seeds)."""

    method: str
    label: str
    setting: str
    seeds: int
    active_per_row: float
    l0_share: float
    fve: float
    subject_sse: np.ndarray
    subject_sst: np.ndarray
    reconstruction: np.ndarray  # test rows, mean over seeds


def subject_draws(n_subjects: int, n_bootstrap: int, seed: int = 0) -> np.ndarray:
    """(n_bootstrap, n_subjects) indices of subjects drawn with replacement."""
    if n_subjects < 2 or n_bootstrap < 1:
        raise ValueError(f"a subject bootstrap needs ≥ 2 subjects and ≥ 1 draw, got {n_subjects} and {n_bootstrap}")
    return np.random.default_rng(seed).integers(0, n_subjects, size=(n_bootstrap, n_subjects))


def interval(values: np.ndarray) -> tuple[float, float]:
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return float("nan"), float("nan")
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(finite, [tail, 100 - tail])
    return float(low), float(high)


def per_subject(values: np.ndarray, subjects: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row sums of ``values`` (rows × columns) per subject, and the subject order (sorted)."""
    people, inverse = np.unique(subjects, return_inverse=True)
    sums = np.zeros(people.size)
    np.add.at(sums, inverse, np.asarray(values, dtype=np.float64).sum(axis=1))
    return sums, people


def measure(codes: list[Code], x: np.ndarray, subjects: np.ndarray) -> Point:
    """Sparsity and test error of a method's seeds (errors averaged over seeds per subject)."""
    if not codes:
        raise ValueError("measure needs at least one fitted code")
    active, share, sse, reconstructions = [], [], [], []
    for code in codes:
        encoded = code.encode(x)
        reconstruction = np.asarray(code.decode(encoded), dtype=np.float64)
        nonzero = encoded != 0
        active.append(nonzero.sum(axis=1).mean())
        share.append(nonzero.mean())
        sse.append(per_subject((x - reconstruction) ** 2, subjects)[0])
        reconstructions.append(reconstruction)
    sst = per_subject(np.asarray(x, dtype=np.float64) ** 2, subjects)[0]
    subject_sse = np.mean(sse, axis=0)
    first = codes[0]
    return Point(
        first.method,
        first.label,
        first.setting,
        len(codes),
        float(np.mean(active)),
        float(np.mean(share)),
        1.0 - subject_sse.sum() / sst.sum(),
        subject_sse,
        sst,
        np.mean(reconstructions, axis=0),
    )


def fve_interval(point: Point, draws: np.ndarray) -> tuple[float, float]:
    return interval(1.0 - point.subject_sse[draws].sum(axis=1) / point.subject_sst[draws].sum(axis=1))


def frontier_table(points: list[Point], draws: np.ndarray, marks: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per point: method, setting, seeds, active per row, L0 share, FVE and its interval, mark."""
    marks = marks or {}
    rows = []
    for point in points:
        low, high = fve_interval(point, draws)
        rows.append(
            {
                "method": point.method,
                "label": point.label,
                "setting": point.setting,
                "seeds": point.seeds,
                "active_per_row": point.active_per_row,
                "l0_share": point.l0_share,
                "fve": point.fve,
                "fve_low": low,
                "fve_high": high,
                "mark": marks.get(f"{point.method}|{point.setting}", ""),
            }
        )
    return pd.DataFrame(rows)


def compare(reference: Point, other: Point, draws: np.ndarray, n_permutations: int, seed: int = 0) -> dict[str, object]:
    """FVE difference reference − other with its subject-bootstrap interval, sign-flip p-value and the rule's outcome."""
    if reference.subject_sst.shape != other.subject_sst.shape:
        raise ValueError("the two points were measured on different subjects")
    sst = reference.subject_sst
    difference = (other.subject_sse.sum() - reference.subject_sse.sum()) / sst.sum()
    boot = (other.subject_sse[draws].sum(axis=1) - reference.subject_sse[draws].sum(axis=1)) / sst[draws].sum(axis=1)
    low, high = interval(boot)
    per_person = other.subject_sse - reference.subject_sse
    signs = np.random.default_rng(seed).choice([-1.0, 1.0], size=(n_permutations, per_person.size))
    null = (signs * per_person).sum(axis=1) / sst.sum()
    p_value = float((1 + np.sum(np.abs(null) >= abs(difference))) / (n_permutations + 1))
    return {
        "reference": reference.label,
        "other": other.label,
        "other_setting": other.setting,
        "reference_active": reference.active_per_row,
        "other_active": other.active_per_row,
        "difference": float(difference),
        "low": low,
        "high": high,
        "p_value": p_value,
        "outcome": verdict(low, high),
    }


def verdict(low: float, high: float) -> str:
    """The rule of :data:`VERDICT_RULE` applied to an interval of FVE(sparse autoencoder) − FVE(textbook)."""
    if not (np.isfinite(low) and np.isfinite(high)):
        return UNDECIDED
    if low > 0:
        return BEATS
    if high < 0:
        return LOSES
    return UNDECIDED


def parts_table(points: list[Point], x: np.ndarray, features: FeatureSet) -> pd.DataFrame:
    """FVE per wavelet band and per channel of each point's (seed-mean) reconstruction."""
    frames = [
        baselines.fve_by_part(x, point.reconstruction, features.layout).assign(label=point.label, setting=point.setting)
        for point in points
    ]
    return pd.concat(frames, ignore_index=True)


def physical_table(points: list[Point], x: np.ndarray, features: FeatureSet) -> pd.DataFrame:
    """RMSE per channel in BW or m of each point's reconstruction (through the exact inverse wavelet transform)."""
    frames = [
        baselines.physical_rmse(point.reconstruction, x, features).assign(label=point.label, setting=point.setting)
        for point in points
    ]
    return pd.concat(frames, ignore_index=True)
