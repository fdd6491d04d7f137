"""What each method's code says about people: k-sparse probes and re-identification, with intervals and nulls."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.beyond.codes import Code
from analysis.beyond.fidelity import interval
from analysis.evaluation import probes

# Target column, kind, and how the page names it.
TARGETS: tuple[tuple[str, str, str], ...] = (
    ("WALKING_SPEED", "regression", "walking speed (R²)"),
    ("AGE", "regression", "age (R²)"),
    ("HEIGHT", "regression", "height (R²)"),
    ("BODY_WEIGHT", "regression", "body weight (R²)"),
    ("SEX", "classification", "sex (AUC)"),
)


def _bootstrap_score(result: probes.ProbeResult, n_bootstrap: int, seed: int) -> tuple[float, float]:
    """Interval of the pooled out-of-fold score over resampled subjects."""
    people, inverse = np.unique(result.groups, return_inverse=True)
    rng = np.random.default_rng(seed)
    if result.kind == "regression":
        # R² from per-subject sums, all draws at once: 1 − Σ(y − ŷ)² / (Σy² − (Σy)²/n).
        sums = [np.bincount(inverse, weights=values, minlength=people.size) for values in (
            np.ones_like(result.target), result.target, result.target**2, (result.target - result.predictions) ** 2
        )]
        draws = rng.integers(0, people.size, size=(n_bootstrap, people.size))
        count, total, square, error = (values[draws].sum(axis=1) for values in sums)
        spread = square - total**2 / count
        return interval(np.where(spread > 0, 1.0 - error / np.where(spread > 0, spread, 1.0), np.nan))
    members = [np.flatnonzero(inverse == index) for index in range(people.size)]
    values = []
    for _ in range(n_bootstrap):
        rows = np.concatenate([members[index] for index in rng.integers(0, people.size, people.size)])
        values.append(probes.probe_score(result.kind, result.target[rows], result.predictions[rows]))
    return interval(np.asarray(values))


def probe_table(
    methods: dict[str, Code],
    x: np.ndarray,
    trials: pd.DataFrame,
    ks: tuple[int, ...],
    n_splits: int,
    n_bootstrap: int,
    seed: int = 0,
) -> pd.DataFrame:
    """Score and subject-bootstrap interval of every (method, target, k) probe on every trial."""
    rows = []
    for method, code in methods.items():
        codes = code.encode(x)
        for column, kind, name in TARGETS:
            target = pd.to_numeric(trials[column], errors="coerce").to_numpy(dtype=float)
            keep = np.isfinite(target)
            if keep.sum() < 10:
                continue
            for k in ks:
                if k > codes.shape[1]:
                    continue
                result = probes.sparse_probe(codes[keep], target[keep], trials["SUBJECT_ID"].to_numpy()[keep], k, kind, n_splits, seed)
                low, high = _bootstrap_score(result, n_bootstrap, seed)
                rows.append({"method": method, "label": code.label, "target": name, "k": k, "score": result.score, "low": low, "high": high})
    return pd.DataFrame(rows)


def probe_null(code: Code, x: np.ndarray, trials: pd.DataFrame, k: int, n_splits: int, n_permutations: int, seed: int = 0) -> pd.DataFrame:
    """Shuffled-target scores of one method's probes: the 95th percentile per target, the level a real score must pass."""
    codes = code.encode(x)
    k = min(k, codes.shape[1])
    rows = []
    for column, kind, name in TARGETS:
        target = pd.to_numeric(trials[column], errors="coerce").to_numpy(dtype=float)
        keep = np.isfinite(target)
        if keep.sum() < 10:
            continue
        null = probes.permutation_null(
            codes[keep], target[keep], trials["SUBJECT_ID"].to_numpy()[keep], k, kind, n_permutations, n_splits, seed
        )
        rows.append({"label": code.label, "target": name, "k": k, "null_mean": float(np.mean(null)), "null_95": float(np.percentile(null, 95))})
    return pd.DataFrame(rows)


def reidentification_table(methods: dict[str, Code], x: np.ndarray, trials: pd.DataFrame, n_bootstrap: int, seed: int = 0) -> pd.DataFrame:
    """Top-1 re-identification across sessions per method, its subject-bootstrap interval and the chance level."""
    rows = []
    subjects = trials["SUBJECT_ID"].to_numpy()
    sessions = trials["SESSION_ID"].to_numpy()
    for method, code in methods.items():
        correct, chance, queried = probes.reidentification(code.encode(x), subjects, sessions)
        people, inverse = np.unique(queried, return_inverse=True)
        hits = np.bincount(inverse, weights=correct.astype(float))
        counts = np.bincount(inverse)
        draws = np.random.default_rng(seed).integers(0, people.size, size=(n_bootstrap, people.size))
        low, high = interval(hits[draws].sum(axis=1) / counts[draws].sum(axis=1))
        rows.append(
            {
                "method": method,
                "label": code.label,
                "top1": float(correct.mean()),
                "low": low,
                "high": high,
                "chance": float(chance.mean()),
                "queries": int(correct.size),
                "subjects": int(people.size),
            }
        )
    return pd.DataFrame(rows)

