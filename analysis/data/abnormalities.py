"""Abnormal gait planted in healthy curves, with ground truth: what changed, where, and by how much.

Anomaly localisation, normative twins and planted group contrasts (the
sibling chapters) need abnormal trials whose truth is known exactly. No
public GRF database gives that, so :func:`inject` edits a cohort's curves.
The operators see only curves and the trial table, so they work on real and
synthetic cohorts alike, and the unedited curve is the exact "normative twin".

Catalogue (``kind``; channels of the edited side; what changes):

=================  ====================  ===================================================================
kind               channels              edit (s = severity in healthy between-subject SDs)
=================  ====================  ===================================================================
none               –                     nothing (the control); empty mask
antalgic           F_V (+ F_AP, F_ML)    the side is unloaded: F_V is scaled down by one share from the
                                         first to the second peak, so the first peak drops by s SD
                                         (target) and the second peak and valley in proportion; the share
                                         rises from 2 % stance, so the loading ramp is softer as well.
                                         Shear follows the load (utilised friction kept). One side only:
                                         both sides cannot be unloaded at once (a flatter curve on both
                                         sides is slow walking, which the speed covariate models);
                                         stance shortening is invisible after time normalisation.
reduced_push_off   F_AP, F_V             propulsive maximum −s SD (target) and second vertical peak −s SD:
                                         weak plantar flexors lower both, so they move together. Each
                                         excursion above its toe-off value is scaled from after the zero
                                         crossing (valley) to toe-off.
prolonged_braking  F_AP                  braking minimum −s SD deeper (target) and the AP zero crossing
                                         s SD later (a monotone time warp up to the propulsive peak).
flat_foot          COP_AP                the COP is re-timed (monotone warp, same path and range): it
                                         reaches the mid-foot early, stays near one point through
                                         mid-stance, then runs to the toes; the progression between 15 %
                                         and 55 % stance shrinks by s SD (target).
lateral_cop        COP_ML                the course bows laterally through mid-stance and returns late;
                                         the lateral excursion from the trial's mean grows by s SD
                                         (target). Not an offset: a mean-centred channel would erase it.
heel_strike        F_V (+ F_AP, F_ML)    a sharp impact spike centred at 4 % stance, +s SD of F_V there
                                         (target); the shear spikes with the load.
delayed_loading    F_V (+ F_AP, F_ML)    the loading response of all three forces is delayed by a monotone
                                         warp up to the valley: first peak s SD later (target) and s/2 SD
                                         lower (the first hump is unloaded from 2 % stance to before the
                                         second peak); shear follows the load.
=================  ====================  ===================================================================

Every kind except ``antalgic`` may be applied to ``"both"`` sides; each
side is then edited with its own landmarks. The secondary shifts (s SD of
the second peak in reduced push-off and of the zero crossing in prolonged
braking, s/2 SD in delayed loading) and the coupling rules are assumptions
chosen after clinical descriptions, not measurements (``sibling-methods.md``
§3.3). :attr:`Abnormality.window` is where a kind may change samples.

Severity. ``severity`` is a number of healthy between-subject SDs of the
kind's target landmark, in [0, 3]; 0.5, 1, 2 and 3 are the standard steps
(:data:`STANDARD_SEVERITIES`), 0 is the identity. Beyond 3 SD the edited
shapes would leave what the operators were built for (the lowered first
peak would approach the valley). The SD is estimated from the cohort itself:
each landmark is read on every trial and both sides of the *reference*
trials, averaged within each subject (over trials and sides, as the
project's landmark table does), and the SD (ddof 1) is taken over those
subject means. Reference trials are the trials that carry no abnormality
and belong to subjects not being edited; if fewer than
:data:`MIN_REFERENCE_SUBJECTS` such subjects remain, the edited subjects'
untouched curves are included; ``reference=`` gives another cohort instead
(e.g. the training subjects, so that every test subset uses one scale).
Each trial's edit is then calibrated until its target landmark has moved by
s SD (see :mod:`analysis.data.abnormality_shapes`), and the severity
*applied* is measured afterwards on the edited curves: the mean over edited
trial-sides of the landmark's change in SDs, signed so that the kind's
intended direction is positive.

Ground truth. ``mask[i, c, t]`` is True exactly where sample ``t`` of
channel ``c`` of trial ``i`` differs from the input. Edits have compact,
smooth support, so the mask is the window of the abnormality, not a tail of
negligible numbers. A COP channel whose every trial has zero mean (the
Gutenberg COP_ML convention) is re-centred after the edit, so an edited
trial cannot be told apart by its mean; every one of its samples then moves
by the same constant, and the mask covers the whole channel. Elsewhere both
end points of stance keep their exact values.

Randomness. Real patients differ: each edited subject gets its own
width scale (0.8–1.25) of every window, drawn from ``seed`` in sorted
subject order, so the same call always gives the same curves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from analysis.data.abnormality_operators import LANDMARKS, OPERATORS, Edit, OperatorInput
from analysis.data.gutenberg import N_SAMPLES, SIDES, SUBJECT_COLUMN, Cohort

SEVERITY_RANGE: tuple[float, float] = (0.0, 3.0)
STANDARD_SEVERITIES: tuple[float, ...] = (0.5, 1.0, 2.0, 3.0)
SIDE_CHOICES: tuple[str, ...] = ("left", "right", "both")
MIN_REFERENCE_SUBJECTS = 5
# Columns :func:`inject` adds to the trial table: which abnormality a trial carries.
KIND_COLUMN = "ABNORMALITY"
SIDE_COLUMN = "ABNORMALITY_SIDE"
SEVERITY_COLUMN = "ABNORMALITY_SEVERITY"
# A COP channel counts as mean-centred when every trial's |mean| is below this share of its range.
CENTRED_TOLERANCE = 1e-3
WIDTH_SCALE_RANGE: tuple[float, float] = (0.8, 1.25)


@dataclass(frozen=True)
class Abnormality:
    """One kind of the catalogue: what it targets and which channels, sides and stance window it may touch."""

    kind: str
    label: str
    target: str  # a LANDMARKS name; severity is in its healthy between-subject SD
    direction: int  # +1: the target grows with severity, -1: it shrinks
    components: tuple[str, ...]  # components of the edited side it may change
    sides: tuple[str, ...]  # allowed values of ``side``
    window: tuple[int, int] | None  # first and last sample (% stance) it may change, re-centring aside
    landmarks: tuple[str, ...] = ()  # every landmark it needs an SD of, target first


ABNORMALITIES: dict[str, Abnormality] = {
    abnormality.kind: abnormality
    for abnormality in (
        Abnormality("none", "none (control)", "", 0, (), SIDE_CHOICES, None),
        Abnormality(
            "antalgic", "antalgic unloading", "v_first_peak", -1, ("F_V", "F_AP", "F_ML"), ("left", "right"), (1, 99),
            ("v_first_peak",),
        ),
        Abnormality(
            "reduced_push_off", "reduced push-off", "ap_propulsive_max", -1, ("F_V", "F_AP"), SIDE_CHOICES, (35, 99),
            ("ap_propulsive_max", "v_second_peak"),
        ),
        Abnormality(
            "prolonged_braking", "prolonged braking", "ap_braking_min", -1, ("F_AP",), SIDE_CHOICES, (1, 99),
            ("ap_braking_min", "ap_zero_crossing_time"),
        ),
        Abnormality(
            "flat_foot", "flat-foot COP progression", "cop_ap_midstance_progression", -1, ("COP_AP",), SIDE_CHOICES,
            (1, 99), ("cop_ap_midstance_progression",),
        ),
        Abnormality(
            "lateral_cop", "lateral COP course", "cop_ml_lateral_excursion", 1, ("COP_ML",), SIDE_CHOICES, (3, 91),
            ("cop_ml_lateral_excursion",),
        ),
        Abnormality(
            "heel_strike", "heel-strike transient", "v_heel_strike", 1, ("F_V", "F_AP", "F_ML"), SIDE_CHOICES, (1, 7),
            ("v_heel_strike",),
        ),
        Abnormality(
            "delayed_loading", "delayed loading", "v_first_peak_time", 1, ("F_V", "F_AP", "F_ML"), SIDE_CHOICES,
            (1, 90), ("v_first_peak_time", "v_first_peak"),
        ),
    )
}  # fmt: skip
KINDS: tuple[str, ...] = tuple(ABNORMALITIES)


@dataclass(frozen=True, eq=False)
class Injection:
    """The edited cohort and its ground truth.

    ``mask`` is ``(n_trials, n_channels, 101)``, True where a sample differs
    from the input. ``severity`` is the severity applied, in healthy SDs of
    the target landmark (mean over edited trial-sides); ``trial_severity``
    ``(n_trials, 2)`` holds it per trial and side (left, right), NaN where
    nothing was edited. ``healthy_sds`` maps every landmark the kind uses to
    the SD it was scaled by; ``reference_subjects`` is how many subjects that
    SD came from.
    """

    cohort: Cohort
    mask: np.ndarray
    kind: str
    side: str
    subjects: tuple[Any, ...]
    requested_severity: float
    severity: float
    trial_severity: np.ndarray
    target: str
    healthy_sds: dict[str, float] = field(default_factory=dict)
    reference_subjects: int = 0

    @property
    def healthy_sd(self) -> float:
        """The SD of the target landmark (NaN for ``none``)."""
        return self.healthy_sds.get(self.target, float("nan"))


# ---------------------------------------------------------------------------
# Arguments


def _check_kind(kind: object) -> Abnormality:
    if not isinstance(kind, str) or kind not in ABNORMALITIES:
        raise ValueError(f"kind must be one of {list(KINDS)}, got {kind!r}")
    return ABNORMALITIES[kind]


def _check_severity(severity: object) -> float:
    low, high = SEVERITY_RANGE
    valid = isinstance(severity, (int, float, np.integer, np.floating)) and not isinstance(severity, bool)
    if not valid or not np.isfinite(severity) or not low <= float(severity) <= high:
        raise ValueError(
            f"severity must be a number of healthy between-subject SDs in [{low:g}, {high:g}] "
            f"(standard steps {', '.join(f'{step:g}' for step in STANDARD_SEVERITIES)}), got {severity!r}"
        )
    return float(severity)


def _check_side(side: object, abnormality: Abnormality) -> tuple[str, ...]:
    if side not in abnormality.sides:
        why = " (unloading both sides at once is not antalgic)" if abnormality.kind == "antalgic" else ""
        raise ValueError(f"side must be one of {list(abnormality.sides)} for kind {abnormality.kind!r}{why}, got {side!r}")
    return SIDES if side == "both" else (str(side),)


def _check_subjects(subjects: object, cohort: Cohort) -> tuple[Any, ...]:
    if isinstance(subjects, (str, bytes)) or not isinstance(subjects, Iterable):
        subjects = [subjects]
    chosen = list(dict.fromkeys(subjects))  # unique, in the order given
    present = pd.unique(cohort.trials[SUBJECT_COLUMN])
    known = set(present.tolist())
    missing = [subject for subject in chosen if subject not in known]
    if not chosen or missing:
        listed = ", ".join(str(subject) for subject in sorted(known)[:8])
        more = f", … ({len(known)} subjects)" if len(known) > 8 else ""
        problem = "is empty" if not chosen else f"names subject(s) not in the cohort: {missing}"
        raise ValueError(f"subjects {problem}; allowed values are the cohort's {SUBJECT_COLUMN}s: {listed}{more}")
    return tuple(chosen)


def _check_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return int(seed)


def _channel_positions(cohort: Cohort, components: Iterable[str], sides: Iterable[str]) -> dict[tuple[str, str], int]:
    """(component, side) -> channel position; every pair the kind needs must be in the cohort."""
    position = {channel: index for index, channel in enumerate(cohort.channels)}
    needed = [(component, side) for component in components for side in sides]
    missing = [f"{component}_{side}" for component, side in needed if f"{component}_{side}" not in position]
    if missing:
        raise ValueError(f"the cohort lacks the channel(s) {missing} this abnormality needs; it has {list(cohort.channels)}")
    return {(component, side): position[f"{component}_{side}"] for component, side in needed}


# ---------------------------------------------------------------------------
# The healthy scale


def carried_kinds(trials: pd.DataFrame) -> np.ndarray:
    """Each trial's abnormality ("none" for a trial table that never went through :func:`inject`)."""
    if KIND_COLUMN not in trials.columns:
        return np.full(len(trials), "none", dtype=object)
    return trials[KIND_COLUMN].fillna("none").to_numpy(dtype=object)


def lateral_signs(cohort: Cohort) -> dict[str, int]:
    """Per side, the sign of a lateral COP_ML move in this cohort's files.

    The healthy COP ends under the hallux, medial of its mid-stance course, so
    lateral is the direction from the mean end (90–100 % stance) back to the
    mean mid-stance course (20–60 %). Inferred because side conventions of
    COP_ML are not verified for the published files.
    """
    signs = {}
    for side, position in _channel_positions(cohort, ("COP_ML",), SIDES).items():
        curves = cohort.curves[:, position]
        medial_move = float(curves[:, 90:].mean() - curves[:, 20:61].mean())
        signs[side[1]] = -1 if medial_move > 0 else 1
    return signs


def healthy_sds(reference: Cohort, names: Iterable[str]) -> dict[str, float]:
    """Between-subject SD of each landmark: subject means over trials and both sides, SD (ddof 1) over subjects."""
    lateral = lateral_signs(reference) if any(LANDMARKS[name].component == "COP_ML" for name in names) else {}
    subjects = reference.trials[SUBJECT_COLUMN].to_numpy()
    result = {}
    for name in names:
        landmark = LANDMARKS[name]
        positions = _channel_positions(reference, (landmark.component,), SIDES)
        per_side = [
            landmark.read(reference.curves[:, positions[(landmark.component, side)]], np.full(reference.n_trials, lateral.get(side, 1)))
            for side in SIDES
        ]
        trial_means = pd.DataFrame(np.stack(per_side, axis=1)).mean(axis=1)  # skips a side without the landmark
        subject_means = trial_means.groupby(subjects).mean().dropna()
        sd = float(subject_means.std(ddof=1)) if subject_means.size > 1 else float("nan")
        if not np.isfinite(sd) or sd <= 0:
            raise ValueError(f"the reference cohort gives no between-subject spread of {landmark.label} ({name}); it needs 2+ subjects")
        result[name] = sd
    return result


def _reference_cohort(cohort: Cohort, subjects: tuple[Any, ...], reference: Cohort | None) -> Cohort:
    """The healthy trials the SDs come from (see the module docstring)."""
    if reference is not None:
        return reference.select(carried_kinds(reference.trials) == "none")
    healthy = carried_kinds(cohort.trials) == "none"
    others = healthy & ~cohort.trials[SUBJECT_COLUMN].isin(subjects).to_numpy()
    if cohort.trials.loc[others, SUBJECT_COLUMN].nunique() >= MIN_REFERENCE_SUBJECTS:
        return cohort.select(others)
    return cohort.select(healthy)


def _mean_centred(cohort: Cohort, position: int) -> bool:
    curves = cohort.curves[:, position]
    return bool(np.all(np.abs(curves.mean(axis=1)) <= CENTRED_TOLERANCE * np.ptp(curves, axis=1) + 1e-15))


# ---------------------------------------------------------------------------
# Injection


def inject(
    cohort: Cohort,
    kind: str,
    severity: float,
    side: str,
    subjects: Iterable[Any],
    seed: int = 0,
    reference: Cohort | None = None,
) -> Injection:
    """Plant ``kind`` at ``severity`` healthy SDs on ``side`` of every trial of ``subjects``.

    Returns a new cohort (the input is never modified) with the trial columns
    ABNORMALITY, ABNORMALITY_SIDE and ABNORMALITY_SEVERITY, the ground-truth
    mask and the severity applied. Subjects already carrying an abnormality
    are refused, so every edit starts from healthy curves and the healthy
    scale is never taken from edited ones.
    """
    abnormality = _check_kind(kind)
    requested = _check_severity(severity)
    edited_sides = _check_side(side, abnormality)
    chosen = _check_subjects(subjects, cohort)
    seed = _check_seed(seed)
    if reference is not None and not isinstance(reference, Cohort):
        raise ValueError(f"reference must be a Cohort or None, got {type(reference).__name__}")
    rows = np.flatnonzero(cohort.trials[SUBJECT_COLUMN].isin(chosen).to_numpy())
    carried = carried_kinds(cohort.trials)
    already = sorted({cohort.trials[SUBJECT_COLUMN].iat[row] for row in rows if carried[row] != "none"})
    if already:
        raise ValueError(f"subjects {already} already carry an abnormality; inject into the untouched cohort instead")
    positions = _channel_positions(cohort, abnormality.components, edited_sides)
    if not np.all(np.isfinite(cohort.curves[np.ix_(rows, sorted(positions.values()))])):
        raise ValueError("the curves of the chosen subjects hold missing or infinite samples in channels this kind edits")

    curves = cohort.curves.copy()
    trial_severity = np.full((cohort.n_trials, len(SIDES)), np.nan)
    sds: dict[str, float] = {}
    n_reference = 0
    if abnormality.kind != "none" and requested > 0:
        reference_cohort = _reference_cohort(cohort, chosen, reference)
        n_reference = reference_cohort.n_subjects
        sds = healthy_sds(reference_cohort, abnormality.landmarks)
        widths = _width_scales(cohort, rows, chosen, seed, abnormality.kind)
        lateral = lateral_signs(reference_cohort) if "COP_ML" in abnormality.components else {}
        for side in edited_sides:
            foot = {component: cohort.curves[rows, positions[(component, side)]] for component in abnormality.components}
            operator_input = OperatorInput(
                foot=foot,
                severity=requested,
                sds=sds,
                width_scale=widths,
                lateral_sign=np.full(rows.size, lateral.get(side, 1)),
                centred={
                    component: _mean_centred(cohort, positions[(component, side)])
                    for component in abnormality.components
                    if component.startswith("COP")
                },
            )
            edit: Edit = OPERATORS[abnormality.kind](operator_input)
            for component, values in edit.curves.items():
                curves[rows, positions[(component, side)]] = values
            target = LANDMARKS[abnormality.target]
            before = target.read(foot[target.component], operator_input.lateral_sign)
            after = target.read(edit.curves[target.component], operator_input.lateral_sign)
            trial_severity[rows, SIDES.index(side)] = abnormality.direction * (after - before) / sds[abnormality.target]
    elif abnormality.kind != "none":
        trial_severity[np.ix_(rows, [SIDES.index(edited) for edited in edited_sides])] = 0.0
    mask = _changed(curves, cohort.curves)
    _check_plausible(curves, mask, cohort.channels)

    trials = cohort.trials.copy()
    kinds = carried.copy()
    sides = trials[SIDE_COLUMN].to_numpy(dtype=object).copy() if SIDE_COLUMN in trials else np.full(len(trials), "", dtype=object)
    severities = trials[SEVERITY_COLUMN].to_numpy(dtype=np.float64).copy() if SEVERITY_COLUMN in trials else np.zeros(len(trials))
    if abnormality.kind != "none":
        kinds[rows], sides[rows] = abnormality.kind, side
        severities[rows] = np.nanmean(trial_severity[rows], axis=1)
    trials[KIND_COLUMN], trials[SIDE_COLUMN], trials[SEVERITY_COLUMN] = kinds, sides, severities
    applied = float(np.nanmean(trial_severity)) if np.isfinite(trial_severity).any() else 0.0
    return Injection(
        cohort=replace(cohort, curves=curves, trials=trials),
        mask=mask,
        kind=abnormality.kind,
        side=str(side),
        subjects=chosen,
        requested_severity=requested,
        severity=applied,
        trial_severity=trial_severity,
        target=abnormality.target,
        healthy_sds=sds,
        reference_subjects=n_reference,
    )


def _width_scales(cohort: Cohort, rows: np.ndarray, subjects: tuple[Any, ...], seed: int, kind: str) -> np.ndarray:
    """Each edited trial's window width scale: one draw per subject, in sorted subject order."""
    ordered = sorted(subjects)
    generator = np.random.default_rng([seed, KINDS.index(kind)])
    scales = dict(zip(ordered, generator.uniform(*WIDTH_SCALE_RANGE, size=len(ordered))))
    return np.array([scales[subject] for subject in cohort.trials[SUBJECT_COLUMN].to_numpy()[rows]])


def _changed(curves: np.ndarray, before: np.ndarray) -> np.ndarray:
    """Where a sample differs from the input (a sample missing in both counts as unchanged)."""
    return (curves != before) & ~(np.isnan(curves) & np.isnan(before))


def _check_plausible(curves: np.ndarray, changed: np.ndarray, channels: tuple[str, ...]) -> None:
    """Edited samples are finite, and every vertical force the operators changed stays non-negative."""
    if not np.all(np.isfinite(curves[changed])):
        raise RuntimeError("an abnormality operator produced a non-finite sample; the input curves may be broken")
    for index, channel in enumerate(channels):
        if channel.startswith("F_V_") and np.any(curves[:, index][changed[:, index]] < 0):
            raise RuntimeError(f"an abnormality operator made {channel} negative; the input curves may be broken")


def dose_table(
    cohort: Cohort,
    subjects: Iterable[Any],
    severities: Iterable[float] = STANDARD_SEVERITIES,
    side: str = "right",
    seed: int = 0,
    reference: Cohort | None = None,
) -> pd.DataFrame:
    """Every kind at every severity on ``side`` of ``subjects``: the dose asked for and the dose applied.

    One row per kind and severity with the target landmark, its healthy SD,
    the applied severity (mean, and 5th–95th percentile over edited
    trial-sides), the channels that changed and the first and last changed
    sample: the table a chapter shows to say what was planted.
    """
    rows = []
    for kind in KINDS[1:]:
        abnormality = ABNORMALITIES[kind]
        landmark = LANDMARKS[abnormality.target]
        for severity in severities:
            injection = inject(cohort, kind, severity, side, subjects, seed=seed, reference=reference)
            per_trial = injection.trial_severity[np.isfinite(injection.trial_severity)]
            changed = np.flatnonzero(injection.mask.any(axis=(0, 1)))
            rows.append(
                {
                    "kind": kind,
                    "label": abnormality.label,
                    "target": landmark.label,
                    "unit": landmark.unit,
                    "healthy_sd": injection.healthy_sd,
                    "requested": injection.requested_severity,
                    "applied": injection.severity,
                    "applied_p05": float(np.percentile(per_trial, 5)) if per_trial.size else np.nan,
                    "applied_p95": float(np.percentile(per_trial, 95)) if per_trial.size else np.nan,
                    "channels": ", ".join(channel for index, channel in enumerate(cohort.channels) if injection.mask[:, index].any()),
                    "first_sample": int(changed[0]) if changed.size else -1,
                    "last_sample": int(changed[-1]) if changed.size else -1,
                }
            )
    return pd.DataFrame(rows)


def mask_runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Contiguous runs of True in a 1-D mask as (first, last) sample pairs, for shading and tables."""
    values = np.asarray(mask, dtype=bool)
    if values.ndim != 1 or values.size != N_SAMPLES:
        raise ValueError(f"mask must be 1-D with {N_SAMPLES} samples, got shape {values.shape}")
    padded = np.concatenate(([False], values, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(start), int(stop) - 1) for start, stop in zip(edges[::2], edges[1::2])]
