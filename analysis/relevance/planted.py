"""The seed replicated with a known truth: a contrast planted in early stance by the generator.

Half of the subjects (drawn with the data seed) become the "planted" group:
the generator renders them again with a higher first peak of the vertical
force (:func:`analysis.data.synthetic.counterfactual`), keeping every random
draw, so each trial's change is known exactly. The mechanics carries the
change into the shear forces as well. The change is then kept only inside
1–47 % of stance (a cosine taper from 41 % to 47 %, zero at 0 % and from 48 %
on), so all discriminative signal lies in the seed's early phase. The size of
the shift is chosen so that the oracle (LDA on the generator's per-trial
factors, :mod:`~analysis.relevance.oracle`) reaches the seed's accuracy.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
from pathlib import Path

import numpy as np

from analysis import paths
from analysis.files import write_atomically
from analysis.data import source as data_source
from analysis.data.gutenberg import SUBJECT_COLUMN
from analysis.relevance import oracle
from analysis.relevance.data import EARLY_PHASE, PLANTED_CONTRAST, ContrastData, capped_trials, limit
from analysis.relevance.folds import grouped_folds

PLANTED_LANDMARK = "F_V.first_peak"
REFERENCE_SHIFT = 0.1  # BW: the first sizing run; the final shift is a multiple of it
TAPER_START = 41  # % stance: the taper runs from here to the end of the early phase
# The oracle that sizes the shift: subject-grouped folds and trials per subject as the full profile uses them.
SIZING_FOLDS = 5
CACHE_VERSION = 2  # bump when what is stored changes
SIZING_TRIALS_PER_SUBJECT = 4


def early_taper(n_samples: int) -> np.ndarray:
    """1 on 1–40 % stance, a cosine down to 0 over 41–47 %, 0 at 0 % and from 48 % on."""
    taper = np.zeros(n_samples)
    last = EARLY_PHASE[1]
    taper[EARLY_PHASE[0] : TAPER_START] = 1.0
    ramp = np.arange(TAPER_START, last + 1)
    taper[ramp] = 0.5 * (1 + np.cos(np.pi * (ramp - TAPER_START + 1) / (last - TAPER_START + 2)))
    return taper


def planted_subjects(subjects: np.ndarray, share: float, seed: int) -> np.ndarray:
    """The SUBJECT_IDs of the planted group: ``share`` of all subjects, drawn with ``seed``."""
    if not 0 < share < 1:
        raise ValueError(f"planted_share must be between 0 and 1, got {share!r}")
    ids = np.unique(subjects)
    n = int(round(share * ids.size))
    return np.sort(np.random.default_rng(seed).choice(ids, size=n, replace=False))


def _twin(seed: int, shift: float, chosen: np.ndarray):
    from analysis.data import synthetic

    return synthetic.counterfactual(
        like=paths.structure_dir(), seed=seed, landmark_edits={PLANTED_LANDMARK: float(shift)}, subjects=[int(s) for s in chosen]
    )


def size_shift(base: np.ndarray, change: np.ndarray, labels: np.ndarray, folds: list, target: float) -> float:
    """The multiple k of ``change`` at which the oracle on ``base + k·change`` reaches ``target`` (bisection)."""
    low, high = 0.0, 3.0
    if oracle.oracle_accuracy(base + high * change, labels, folds) < target:
        return high
    for _ in range(12):
        middle = 0.5 * (low + high)
        if oracle.oracle_accuracy(base + middle * change, labels, folds) < target:
            low = middle
        else:
            high = middle
    return 0.5 * (low + high)


def _cache_file(seed: int, share: float, target: float, split_seed: int) -> Path:
    from analysis.data import synthetic

    structure = paths.structure_dir()
    payload = json.dumps(
        [CACHE_VERSION, synthetic.GENERATOR_VERSION, seed, share, target, SIZING_FOLDS, SIZING_TRIALS_PER_SUBJECT, split_seed, str(structure), PLANTED_LANDMARK, TAPER_START],
    )
    return paths.cache_dir() / "relevance" / f"planted-{hashlib.sha256(payload.encode()).hexdigest()[:16]}.npz"


@functools.lru_cache(maxsize=4)
def planted_contrast(
    seed: int, share: float, target_accuracy: float, split_seed: int
) -> tuple[ContrastData, float]:
    """:func:`build_planted`, kept in the project cache (it renders the cohort twice)."""
    path = _cache_file(seed, share, target_accuracy, split_seed)
    if path.is_file():
        with np.load(path) as stored:
            arrays = {key: stored[key] for key in stored.files}
        shift = float(arrays["shift"])
        return _contrast(arrays, shift), shift
    contrast, shift = build_planted(seed, share, target_accuracy, split_seed)
    buffer = io.BytesIO()
    np.savez(
        buffer, curves=contrast.curves, labels=contrast.labels, subjects=contrast.subjects,
        truth_map=contrast.truth_map, oracle_features=contrast.oracle_features, shift=np.array(shift),
        sizing_accuracy=np.array(contrast.extra["sizing_accuracy"]),
    )
    write_atomically(path, buffer.getvalue())
    return contrast, shift


def _contrast(arrays: dict, shift: float) -> ContrastData:
    from analysis.data.gutenberg import CHANNELS

    return ContrastData(
        name=PLANTED_CONTRAST,
        curves=arrays["curves"],
        labels=arrays["labels"],
        subjects=arrays["subjects"],
        class_names=("control", "planted"),
        channels=tuple(CHANNELS),
        description=(
            f"half of the synthetic subjects with the vertical first peak raised by {shift:.3f} BW "
            "(generator twins: same draws, only that change), kept inside 1–47 % of stance"
        ),
        truth_map=arrays["truth_map"],
        truth_label="exact: the generator's change over the cohort's spread",
        oracle_features=arrays["oracle_features"],
        extra={"shift": shift, "sizing_accuracy": float(arrays["sizing_accuracy"])},
    )


def build_planted(
    seed: int, share: float, target_accuracy: float, split_seed: int
) -> tuple[ContrastData, float]:
    """The planted contrast over every trial of the synthetic cohort, and the shift used (BW).

    Returns curves with the tapered change for planted subjects, labels
    (0 control, 1 planted), the true discriminability map |Δμ|/σ and the
    generator's factors for the oracle.
    """
    directory = data_source.synthetic_cohort(seed, paths.structure_dir())
    truth = oracle.read_truth(directory)
    probe_subjects = np.unique(truth[SUBJECT_COLUMN].to_numpy())
    chosen = planted_subjects(probe_subjects, share, seed)

    first = _twin(seed, REFERENCE_SHIFT, chosen)
    subjects = first.trials[SUBJECT_COLUMN].to_numpy()
    labels = np.isin(subjects, chosen).astype(int)
    base = oracle.generator_factors(truth, first.trials)
    change = first.truth_change[oracle.factor_columns(truth)].to_numpy(dtype=float)
    rows = capped_trials(subjects, SIZING_TRIALS_PER_SUBJECT, seed)
    folds = grouped_folds(labels[rows], subjects[rows], SIZING_FOLDS, split_seed)
    multiple = size_shift(base[rows], change[rows], labels[rows], folds, target_accuracy)
    from analysis.data import synthetic

    limit = synthetic.editable_landmarks(synthetic.SyntheticParameters())[PLANTED_LANDMARK]
    shift = min(REFERENCE_SHIFT * multiple, limit)
    twin = _twin(seed, shift, chosen)

    taper = early_taper(twin.original.shape[2])
    delta = (twin.twin - twin.original) * taper
    curves = (twin.original + delta).astype(np.float32)
    spread = twin.original.std(axis=0)
    mean_change = np.abs(delta[labels == 1].mean(axis=0))
    truth_map = np.where(spread > 1e-12, mean_change / np.where(spread > 1e-12, spread, 1.0), 0.0)
    factors = base + twin.truth_change[oracle.factor_columns(truth)].to_numpy(dtype=float)
    reached = oracle.oracle_accuracy(factors[rows], labels[rows], folds)
    arrays = {
        "curves": curves, "labels": labels, "subjects": subjects, "truth_map": truth_map, "oracle_features": factors,
        "sizing_accuracy": np.array(reached),
    }
    return _contrast(arrays, shift), shift


def subset(contrast: ContrastData, max_subjects: int | None, max_trials_per_subject: int | None, seed: int) -> ContrastData:
    """The planted contrast cut to the run's size (see :func:`analysis.relevance.data.limit`)."""
    return limit(contrast, max_subjects, max_trials_per_subject, seed)
