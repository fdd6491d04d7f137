"""The inputs of the relevance chapter: curves, group labels per subject, scaling and stance phases.

Every contrast labels *subjects*, not trials: a person's trials share one
label, so folds must keep people apart (:mod:`~analysis.relevance.folds`).
A :class:`ContrastData` holds the curves (trials, 10 channels, 101 samples),
the label and subject of every trial, and, for synthetic contrasts, the truth
the generator knows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.data.cohort import Cohort
from analysis.data.pro_files import SUBJECT_COLUMN, SUBJECT_SEX_COLUMN

# The seed's two stance phases, in % stance (= sample index of the 101-sample curves).
EARLY_PHASE: tuple[int, int] = (1, 47)
LATE_PHASE: tuple[int, int] = (48, 100)
NATURAL_CONTRASTS: tuple[str, ...] = ("speed", "sex", "age")
PLANTED_CONTRAST = "planted"
CONTRASTS: tuple[str, ...] = (PLANTED_CONTRAST, *NATURAL_CONTRASTS)
# Age groups (years): the young majority against the oldest people the cohort has.
AGE_YOUNG_BELOW = 25.0
AGE_OLDER_FROM = 35.0
SCALINGS: tuple[str, ...] = ("channel", "sample")


@dataclass(frozen=True)
class ContrastData:
    """Curves and subject-level labels of one two-group contrast.

    ``truth_map`` (channels × samples) is the generator's true
    discriminability |Δμ|/σ where it is known, else ``None``;
    ``truth_label`` says what it is.
    """

    name: str
    curves: np.ndarray  # (n_trials, channels, samples), float32
    labels: np.ndarray  # (n_trials,) int class index
    subjects: np.ndarray  # (n_trials,) subject id
    class_names: tuple[str, ...]
    channels: tuple[str, ...]
    description: str
    truth_map: np.ndarray | None = None
    truth_label: str = ""
    oracle_features: np.ndarray | None = None  # (n_trials, k) generator factors for the oracle
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = self.curves.shape[0]
        if self.labels.shape != (n,) or self.subjects.shape != (n,):
            raise ValueError(f"labels and subjects need one entry per trial ({n})")

    @property
    def n_trials(self) -> int:
        return int(self.curves.shape[0])

    def subject_labels(self) -> tuple[np.ndarray, np.ndarray]:
        """(subject ids, their label), one row per subject, sorted by id."""
        frame = pd.DataFrame({"subject": self.subjects, "label": self.labels}).drop_duplicates("subject")
        frame = frame.sort_values("subject")
        return frame["subject"].to_numpy(), frame["label"].to_numpy()

    def counts(self) -> pd.DataFrame:
        """Subjects and trials per class."""
        ids, labels = self.subject_labels()
        rows = [
            {
                "group": name,
                "subjects": int((labels == k).sum()),
                "trials": int((self.labels == k).sum()),
            }
            for k, name in enumerate(self.class_names)
        ]
        return pd.DataFrame(rows)

    def select(self, rows: np.ndarray) -> "ContrastData":
        """The trials at ``rows`` (a boolean mask or positions), everything else kept."""
        index = np.flatnonzero(rows) if np.asarray(rows).dtype == bool else np.asarray(rows)
        oracle = None if self.oracle_features is None else self.oracle_features[index]
        return ContrastData(
            name=self.name,
            curves=self.curves[index],
            labels=self.labels[index],
            subjects=self.subjects[index],
            class_names=self.class_names,
            channels=self.channels,
            description=self.description,
            truth_map=self.truth_map,
            truth_label=self.truth_label,
            oracle_features=oracle,
            extra=self.extra,
        )


def checked_contrast(name: str) -> str:
    if name not in CONTRASTS:
        raise ValueError(f"unknown contrast {name!r}; choose from {list(CONTRASTS)}")
    return name


def subject_groups(cohort: Cohort, contrast: str) -> tuple[pd.Series, tuple[str, ...], str]:
    """Per subject: class index (subjects outside both groups left out), class names, a description.

    Speed: tertiles of the subject-mean walking speed (the middle third left
    out). Sex: the subject's sex (``SUBJECT_SEX``). Age: under 25 years
    against 35 years and older, by the subject's mean age.
    """
    checked_contrast(contrast)
    if contrast == PLANTED_CONTRAST:
        raise ValueError("the planted contrast is built by analysis.relevance.planted, not from cohort labels")
    trials = cohort.trials
    if contrast == "speed":
        speed = trials.groupby(SUBJECT_COLUMN)["WALKING_SPEED"].mean().dropna()
        if speed.empty:
            return pd.Series(dtype=int), ("slow", "fast"), "no subject has a walking speed"
        low, high = np.quantile(speed.to_numpy(), [1 / 3, 2 / 3])
        groups = pd.concat([pd.Series(0, index=speed.index[speed <= low]), pd.Series(1, index=speed.index[speed >= high])])
        text = (
            f"subject-mean walking speed: bottom tertile (≤ {low:.2f} m/s) against top tertile (≥ {high:.2f} m/s); "
            "the middle third is left out"
        )
        return groups.sort_index(), ("slow", "fast"), text
    if contrast == "sex":
        sex = trials.drop_duplicates(SUBJECT_COLUMN).set_index(SUBJECT_COLUMN)[SUBJECT_SEX_COLUMN].dropna()
        return sex.astype(int).sort_index(), ("female", "male"), "the subject's sex (subjects without one left out)"
    age = trials.groupby(SUBJECT_COLUMN)["AGE"].mean().dropna()
    groups = pd.concat(
        [pd.Series(0, index=age.index[age < AGE_YOUNG_BELOW]), pd.Series(1, index=age.index[age >= AGE_OLDER_FROM])]
    )
    text = (
        f"mean age under {AGE_YOUNG_BELOW:g} years against {AGE_OLDER_FROM:g} years and older "
        "(unbalanced and small in the older group, so exploratory; ages in between left out)"
    )
    return groups.sort_index(), (f"under {AGE_YOUNG_BELOW:g}", f"{AGE_OLDER_FROM:g} and older"), text


def capped_trials(subjects: np.ndarray, max_per_subject: int | None, seed: int) -> np.ndarray:
    """Positions of at most ``max_per_subject`` trials of every subject, drawn with ``seed``, in input order."""
    if max_per_subject is None:
        return np.arange(subjects.size)
    if max_per_subject < 1:
        raise ValueError(f"max_trials_per_subject must be at least 1, got {max_per_subject}")
    rng = np.random.default_rng(seed)
    keep: list[np.ndarray] = []
    for subject in np.unique(subjects):
        rows = np.flatnonzero(subjects == subject)
        if rows.size > max_per_subject:
            rows = np.sort(rng.choice(rows, size=max_per_subject, replace=False))
        keep.append(rows)
    return np.sort(np.concatenate(keep)) if keep else np.arange(0)


def cohort_contrast(cohort: Cohort, contrast: str, max_trials_per_subject: int | None, seed: int) -> ContrastData:
    """The trials of subjects in either group of ``contrast``, with complete curves."""
    groups, names, text = subject_groups(cohort, contrast)
    subjects = cohort.trials[SUBJECT_COLUMN].to_numpy()
    in_groups = np.isin(subjects, groups.index.to_numpy()) & np.isfinite(cohort.curves).all(axis=(1, 2))
    rows = np.flatnonzero(in_groups)
    rows = rows[capped_trials(subjects[rows], max_trials_per_subject, seed)]
    labels = groups.reindex(subjects[rows]).to_numpy().astype(int)
    return ContrastData(
        name=contrast,
        curves=cohort.curves[rows].astype(np.float32),
        labels=labels,
        subjects=subjects[rows],
        class_names=names,
        channels=tuple(cohort.channels),
        description=text,
        extra={"rows": rows},
    )


GAITREC_HEALTHY = "HC"


def class_contrast(cohort: Cohort, impaired: str, class_names: dict[str, str]) -> ContrastData:
    """GaitRec: healthy controls (``CLASS_LABEL`` HC) against the subjects of one impairment class."""
    if impaired not in class_names or impaired == GAITREC_HEALTHY:
        allowed = [code for code in class_names if code != GAITREC_HEALTHY]
        raise ValueError(f"unknown impairment class {impaired!r}; choose from {allowed}")
    labels_per_trial = cohort.trials["CLASS_LABEL"].to_numpy()
    keep = np.isin(labels_per_trial, (GAITREC_HEALTHY, impaired)) & np.isfinite(cohort.curves).all(axis=(1, 2))
    rows = np.flatnonzero(keep)
    return ContrastData(
        name=f"GaitRec {class_names[impaired]}",
        curves=cohort.curves[rows].astype(np.float32),
        labels=(labels_per_trial[rows] == impaired).astype(int),
        subjects=cohort.trials[SUBJECT_COLUMN].to_numpy()[rows],
        class_names=(class_names[GAITREC_HEALTHY], class_names[impaired]),
        channels=tuple(cohort.channels),
        description=f"GaitRec healthy controls against the {class_names[impaired]} class",
    )


@dataclass(frozen=True)
class Scaler:
    """Standardisation fitted on training trials: per channel (default) or per (channel, sample).

    Per-sample scaling leaves constant samples (COP AP at 0 % stance) at
    zero instead of dividing by a zero spread.
    """

    mean: np.ndarray  # broadcastable to (channels, samples)
    scale: np.ndarray

    @classmethod
    def fit(cls, curves: np.ndarray, kind: str = "channel") -> "Scaler":
        if kind not in SCALINGS:
            raise ValueError(f"unknown scaling {kind!r}; choose from {list(SCALINGS)}")
        axes = (0, 2) if kind == "channel" else (0,)
        mean = curves.mean(axis=axes, keepdims=True)[0]
        spread = curves.std(axis=axes, keepdims=True)[0]
        spread = np.where(spread > 1e-12, spread, 1.0)
        return cls(mean=mean.astype(np.float32), scale=spread.astype(np.float32))

    def transform(self, curves: np.ndarray) -> np.ndarray:
        return ((curves - self.mean) / self.scale).astype(np.float32)


def limit(contrast: ContrastData, max_subjects: int | None, max_trials_per_subject: int | None, seed: int) -> ContrastData:
    """At most ``max_subjects`` subjects (half from each group, as far as it has them) and trials per subject."""
    keep = np.ones(contrast.n_trials, dtype=bool)
    if max_subjects is not None:
        ids, groups = contrast.subject_labels()
        rng = np.random.default_rng(seed)
        picked = [
            rng.choice(ids[groups == k], size=min(max_subjects // 2, int((groups == k).sum())), replace=False)
            for k in np.unique(groups)
        ]
        keep = np.isin(contrast.subjects, np.concatenate(picked))
    rows = np.flatnonzero(keep)
    rows = rows[capped_trials(contrast.subjects[rows], max_trials_per_subject, seed)]
    return contrast.select(rows)


def phase_mask(n_samples: int, phase: tuple[int, int]) -> np.ndarray:
    """Boolean mask of the samples (0 … n−1 = 0 … 100 % stance) inside ``phase`` (inclusive)."""
    positions = np.arange(n_samples)
    return (positions >= phase[0]) & (positions <= phase[1])


def component_of(channel: str) -> str:
    """``F_V_left`` → ``F_V``."""
    return channel.rsplit("_", 1)[0]
