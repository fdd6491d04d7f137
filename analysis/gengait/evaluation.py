"""Ground-truth evaluation: abnormalities planted in held-out subjects' trials, every method scored on them.

The design keeps three groups of people apart: the model and the baselines
learn from the training subjects, thresholds come from the validation
subjects' healthy trials, and abnormalities are planted into trials of the
test subjects only (:func:`check_disjoint`). Each test subject gives
``trials_per_subject`` evaluation trials; their other trials train the
person re-identifier that asks whether a twin still looks like its owner.

Every condition (kind, side, severity; ``none`` as the control) is planted
with :func:`analysis.data.abnormalities.inject`, scaled by the healthy SDs
of the training subjects, so the untouched curve is the exact normative
twin and the mask says which samples were changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.neighbors import KNeighborsClassifier

from analysis.config import GenGaitSettings
from analysis.data.abnormalities import ABNORMALITIES, KINDS, inject
from analysis.data.cohort import Cohort
from analysis.data.gutenberg import SUBJECT_COLUMN
from analysis.gengait import scoring
from analysis.gengait.baselines import ChannelScorer
from analysis.gengait.scoring import Calibration, Detector, log_score

MAE = "mae"
MAE_LABEL = "masked autoencoder"


@dataclass(frozen=True, eq=False)
class Design:
    """Row positions (into the cohort) of each group, and the test subjects' evaluation and re-identification trials."""

    train: np.ndarray
    validation: np.ndarray
    evaluation: np.ndarray
    reidentify: np.ndarray
    subjects: np.ndarray  # subject of every cohort row


def design(cohort: Cohort, train: np.ndarray, validation: np.ndarray, test: np.ndarray, trials_per_subject: int,
           calibration_per_subject: int | None = None, seed: int = 0) -> Design:  # fmt: skip
    """Pick evaluation trials (``trials_per_subject`` per test subject, by ``seed``) and cap validation trials per subject."""
    if isinstance(trials_per_subject, bool) or not isinstance(trials_per_subject, int) or trials_per_subject < 1:
        raise ValueError(f"trials_per_subject must be a positive integer, got {trials_per_subject!r}")
    subjects = cohort.trials[SUBJECT_COLUMN].to_numpy()
    rng = np.random.default_rng(seed)
    chosen, others = [], []
    for subject in sorted(pd.unique(subjects[test])):
        rows = test[subjects[test] == subject]
        picked = np.sort(rng.choice(rows, size=min(trials_per_subject, rows.size), replace=False))
        chosen.append(picked)
        others.append(np.setdiff1d(rows, picked))
    kept_validation = np.asarray(validation)
    if calibration_per_subject is not None:
        kept = []
        for subject in sorted(pd.unique(subjects[validation])):
            rows = validation[subjects[validation] == subject]
            kept.append(np.sort(rng.choice(rows, size=min(calibration_per_subject, rows.size), replace=False)))
        kept_validation = np.concatenate(kept)
    result = Design(np.asarray(train), kept_validation, np.concatenate(chosen), np.concatenate(others), subjects)
    check_disjoint(result)
    return result


def check_disjoint(chosen: Design) -> None:
    """Training, calibration and test subjects are three separate groups of people."""
    groups = {name: set(chosen.subjects[getattr(chosen, name)].tolist()) for name in ("train", "validation", "evaluation")}
    for first, second in (("train", "validation"), ("train", "evaluation"), ("validation", "evaluation")):
        shared = groups[first] & groups[second]
        if shared:
            raise ValueError(f"{first} and {second} trials share subject(s) {sorted(shared)[:5]}; the evaluation would leak")
    if set(chosen.subjects[chosen.reidentify].tolist()) - groups["evaluation"]:
        raise ValueError("re-identification trials must come from the evaluated subjects")


@dataclass(frozen=True)
class Condition:
    kind: str
    side: str
    severity: float

    @property
    def label(self) -> str:
        if self.kind == "none":
            return "none (control)"
        where = "both sides" if self.side == "both" else f"{self.side} side"
        return f"{ABNORMALITIES[self.kind].label}, {where}, {self.severity:g} SD"


def conditions(settings: GenGaitSettings) -> list[Condition]:
    """The control, every kind on the edited side at every severity, and the bilateral kinds on both sides."""
    unknown = [kind for kind in settings.bilateral_kinds if kind not in KINDS or "both" not in ABNORMALITIES[kind].sides]
    if unknown:
        allowed = [kind for kind in KINDS if "both" in ABNORMALITIES[kind].sides and kind != "none"]
        raise ValueError(f"bilateral_kinds must be chosen from {allowed}, got {unknown}")
    found = [Condition("none", settings.edited_side, 0.0)]
    for kind in KINDS[1:]:
        found += [Condition(kind, settings.edited_side, float(severity)) for severity in settings.severities]
    for kind in settings.bilateral_kinds:
        found += [Condition(kind, "both", float(severity)) for severity in settings.severities]
    return found


@dataclass(frozen=True, eq=False)
class MethodResult:
    """One method on one condition: channel z-scores and flags (windows only for the autoencoder)."""

    z: np.ndarray  # (n, C)
    flags: np.ndarray  # (n, C)
    windows: np.ndarray | None = None


@dataclass(frozen=True, eq=False)
class ConditionResult:
    condition: Condition
    truth: np.ndarray  # (n, C, S) untouched curves
    edited: np.ndarray  # (n, C, S) curves with the abnormality
    mask: np.ndarray  # (n, C, S) ground truth
    methods: dict[str, MethodResult]
    twin: np.ndarray
    oracle_twin: np.ndarray  # the twin with the truly affected channels hidden
    population_fill: np.ndarray  # the twin's hidden samples replaced by the training mean curve
    population_oracle: np.ndarray  # the affected channels replaced by the training mean curve
    applied_severity: float

    @property
    def affected(self) -> np.ndarray:
        return self.mask.any(axis=2)


@dataclass(frozen=True)
class CalibratedScorer:
    scorer: ChannelScorer
    calibration: Calibration


def calibrate_baselines(scorers: Sequence[ChannelScorer], validation_standardised: np.ndarray, rate: float,
                        subjects: np.ndarray | None = None) -> dict[str, CalibratedScorer]:  # fmt: skip
    """Each baseline's normal scores and trial-level threshold on the same validation trials as the autoencoder."""
    return {
        scorer.name: CalibratedScorer(scorer, Calibration.fit(log_score(scorer.score(validation_standardised)), rate, subjects))
        for scorer in scorers
    }


def evaluate(detector: Detector, baselines: dict[str, CalibratedScorer], cohort: Cohort, chosen: Design,
             condition_list: Sequence[Condition], seed: int = 0) -> list[ConditionResult]:  # fmt: skip
    """Plant every condition in the evaluation trials and run pass 1, pass 2 and every baseline on them."""
    evaluation = cohort.select(chosen.evaluation)
    reference = cohort.select(chosen.train)
    subjects = tuple(pd.unique(evaluation.trials[SUBJECT_COLUMN]))
    trained = detector.trained
    results = []
    for condition in condition_list:
        injection = inject(evaluation, condition.kind, condition.severity, condition.side, subjects, seed=seed, reference=reference)
        edited = injection.cohort.curves
        localisation = scoring.localise(detector, edited)
        methods = {MAE: MethodResult(localisation.channel_score, localisation.channel_flags, localisation.windows)}
        standardised = trained.scaler.transform(edited)
        for name, calibrated in baselines.items():
            z = calibrated.calibration.z(log_score(calibrated.scorer.score(standardised)))
            methods[name] = MethodResult(z, z > calibrated.calibration.threshold)
        hidden = scoring.hidden_tokens(detector, localisation.part_flags)
        twin = scoring.fill(trained, edited, hidden)
        affected = injection.mask.any(axis=2)
        oracle = scoring.fill(trained, edited, scoring.channel_tokens(trained, affected))
        mean_curve = trained.scaler.mean_curve[None]
        hidden_samples = trained.layout.sample_mask(hidden)
        population_fill = np.where(hidden_samples, mean_curve, edited)
        population_oracle = np.where(affected[..., None], mean_curve, edited)
        results.append(ConditionResult(condition, evaluation.curves, edited, injection.mask, methods, twin, oracle,
                                       population_fill, population_oracle, injection.severity))  # fmt: skip
    return results


# ---------------------------------------------------------------------------
# Measures


def auroc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Area under the ROC curve (Mann–Whitney, ties counted half); NaN without both classes."""
    values, truth = np.ravel(scores), np.ravel(labels).astype(bool)
    positives, negatives = int(truth.sum()), int((~truth).sum())
    if positives == 0 or negatives == 0:
        return float("nan")
    ranks = stats.rankdata(values)
    return float((ranks[truth].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def top_k_hit(scores: np.ndarray, labels: np.ndarray, k: int = 2) -> np.ndarray:
    """Per trial with an affected channel: is one among the k highest scores (ties at the k-th score count)?"""
    kth = -np.sort(-scores, axis=1)[:, k - 1 : k]
    hit = ((scores >= kth) & labels).any(axis=1)
    return hit[labels.any(axis=1)]


def window_iou(windows: np.ndarray, mask: np.ndarray, flags: np.ndarray) -> np.ndarray:
    """IoU of flagged window and truth, per affected and flagged channel."""
    chosen = flags & mask.any(axis=2)
    found, truth = windows[chosen], mask[chosen]
    union = (found | truth).sum(axis=1)
    return (found & truth).sum(axis=1) / np.maximum(union, 1)


def rmse_over(curves: np.ndarray, truth: np.ndarray, channels: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Per trial: RMSE over the chosen channels (n, C), in units of each channel's healthy SD; NaN if none chosen."""
    squared = (((curves - truth) / scale[:, None]) ** 2).mean(axis=2)
    counts = channels.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sqrt(np.where(counts > 0, (squared * channels).sum(axis=1) / counts, np.nan))


def bootstrap_rows(groups: np.ndarray, n_bootstrap: int, seed: int) -> list[np.ndarray]:
    """Row indices of each bootstrap resample of whole groups (subjects)."""
    rng = np.random.default_rng(seed)
    unique, codes = np.unique(groups, return_inverse=True)
    members = [np.flatnonzero(codes == index) for index in range(unique.size)]
    return [np.concatenate([members[i] for i in rng.integers(0, unique.size, unique.size)]) for _ in range(n_bootstrap)]


def interval(values: Sequence[float]) -> tuple[float, float]:
    finite = np.asarray([value for value in values if np.isfinite(value)])
    if finite.size < 2:
        return float("nan"), float("nan")
    return float(np.percentile(finite, 2.5)), float(np.percentile(finite, 97.5))


def localisation_table(results: Sequence[ConditionResult], groups: np.ndarray, n_bootstrap: int, seed: int = 0) -> pd.DataFrame:
    """Per condition and method: AUROC (subject-bootstrap 95 % interval), top-2 hit rate, trials flagged, window IoU."""
    resamples = bootstrap_rows(groups, n_bootstrap, seed)
    rows = []
    for result in results:
        labels = result.affected
        for name, method in result.methods.items():
            value = auroc(method.z, labels)
            low, high = interval([auroc(method.z[rows_], labels[rows_]) for rows_ in resamples]) if np.isfinite(value) else (np.nan, np.nan)
            hits = top_k_hit(method.z, labels) if labels.any() else np.array([])
            iou = window_iou(method.windows, result.mask, method.flags) if method.windows is not None else np.array([])
            rows.append({
                "kind": result.condition.kind, "side": result.condition.side, "severity": result.condition.severity,
                "applied": result.applied_severity, "method": name, "auroc": value, "auroc_low": low, "auroc_high": high,
                "top2": float(hits.mean()) if hits.size else np.nan,
                "flagged": float(method.flags.any(axis=1).mean()),
                "wrong_channel_flags": float((method.flags & ~labels).sum(axis=1).mean()),
                "iou": float(iou.mean()) if iou.size else np.nan,
            })  # fmt: skip
    return pd.DataFrame(rows)


def pooled_auroc(results: Sequence[ConditionResult], groups: np.ndarray, methods: Sequence[str], n_bootstrap: int,
                 seed: int = 0) -> pd.DataFrame:  # fmt: skip
    """AUROC pooled over kinds per severity (one side and both sides apart) for every method, and on each
    baseline's row the paired subject-bootstrap 95 % interval of the autoencoder's AUROC minus that baseline's."""
    resamples = bootstrap_rows(groups, n_bootstrap, seed)
    rows = []
    keyed: dict[tuple[str, float], list[ConditionResult]] = {}
    for result in results:
        if result.condition.kind != "none":
            scope = "both sides" if result.condition.side == "both" else "one side"
            keyed.setdefault((scope, result.condition.severity), []).append(result)
    for (scope, severity), members in sorted(keyed.items(), key=lambda item: (item[0][0] != "one side", item[0][1])):
        labels = np.concatenate([member.affected for member in members])
        offsets = np.arange(len(members))[:, None] * groups.size

        def pooled(name: str, rows_: np.ndarray | None = None) -> float:
            z = np.concatenate([member.methods[name].z for member in members])
            if rows_ is None:
                return auroc(z, labels)
            index = (offsets + rows_[None]).ravel()
            return auroc(z[index], labels[index])

        draws = {name: np.array([pooled(name, rows_) for rows_ in resamples]) for name in methods}
        for name in methods:
            low, high = interval(draws[name])
            difference = interval(draws[MAE] - draws[name]) if name != MAE and MAE in draws else (np.nan, np.nan)
            rows.append({
                "scope": scope, "severity": severity, "method": name, "auroc": pooled(name), "auroc_low": low,
                "auroc_high": high, "difference_low": difference[0], "difference_high": difference[1],
            })  # fmt: skip
    return pd.DataFrame(rows)


def false_flags(results: Sequence[ConditionResult], groups: np.ndarray, n_bootstrap: int, seed: int = 0) -> pd.DataFrame:
    """Per method: share of untouched (control) trials with any flag, subject-bootstrap 95 % interval."""
    control = next(result for result in results if result.condition.kind == "none")
    resamples = bootstrap_rows(groups, n_bootstrap, seed)
    rows = []
    for name, method in control.methods.items():
        flagged = method.flags.any(axis=1)
        low, high = interval([flagged[rows_].mean() for rows_ in resamples])
        rows.append({"method": name, "rate": float(flagged.mean()), "low": low, "high": high, "trials": int(flagged.size)})
    return pd.DataFrame(rows)


def twin_table(results: Sequence[ConditionResult], groups: np.ndarray, scale: np.ndarray) -> pd.DataFrame:
    """Per condition: deviation reduction on affected channels (subject means, Wilcoxon, d_z), the oracle-mask
    twin, the population-mean fills and preservation of untouched channels."""
    rows = []
    for result in results:
        affected = result.affected
        untouched = ~affected
        measures = {
            "input": rmse_over(result.edited, result.truth, affected, scale),
            "twin": rmse_over(result.twin, result.truth, affected, scale),
            "oracle": rmse_over(result.oracle_twin, result.truth, affected, scale),
            "population": rmse_over(result.population_fill, result.truth, affected, scale),
            "population_oracle": rmse_over(result.population_oracle, result.truth, affected, scale),
            "preserved": rmse_over(result.twin, result.truth, untouched, scale),
        }
        frame = pd.DataFrame(measures).assign(subject=groups).groupby("subject").mean()
        row = {"kind": result.condition.kind, "side": result.condition.side, "severity": result.condition.severity,
               "subjects": len(frame), "preserved_rmse": float(frame["preserved"].mean()),
               "untouched_changed": float((np.abs(result.twin - result.truth).max(axis=2) > 0)[untouched].mean())}  # fmt: skip
        if affected.any():
            difference = (frame["input"] - frame["twin"]).to_numpy()
            finite = np.isfinite(difference)
            spread = difference[finite].std(ddof=1) if finite.sum() > 1 else np.nan
            nonzero = finite & (difference != 0)
            p = float(stats.wilcoxon(difference[nonzero]).pvalue) if nonzero.sum() >= 2 else np.nan
            row.update({
                "rmse_input": float(frame["input"].mean()), "rmse_twin": float(frame["twin"].mean()),
                "reduction": float(1 - frame["twin"].mean() / frame["input"].mean()),
                "reduction_oracle": float(1 - frame["oracle"].mean() / frame["input"].mean()),
                "p_wilcoxon": p, "d_z": float(difference[finite].mean() / spread) if spread and spread > 0 else np.nan,
                "twin_beats_population": float((frame["twin"] < frame["population"]).mean()),
                "oracle_beats_population": float((frame["oracle"] < frame["population_oracle"]).mean()),
                "rmse_population_oracle": float(frame["population_oracle"].mean()), "rmse_oracle": float(frame["oracle"].mean()),
            })  # fmt: skip
        rows.append(row)
    return pd.DataFrame(rows)


def reidentification(results: Sequence[ConditionResult], cohort: Cohort, chosen: Design, scale: np.ndarray,
                     mean_curve: np.ndarray) -> pd.DataFrame:  # fmt: skip
    """Share of trials a 1-nearest-neighbour person re-identifier (trained on the subjects' other trials)
    assigns to the right person: untouched, abnormal, twin, oracle twin and population-mean fill."""
    def features(curves: np.ndarray) -> np.ndarray:
        return ((curves - mean_curve) / scale[:, None]).reshape(curves.shape[0], -1)

    classifier = KNeighborsClassifier(n_neighbors=1).fit(features(cohort.curves[chosen.reidentify]), chosen.subjects[chosen.reidentify])
    owners = chosen.subjects[chosen.evaluation]
    rows = []
    for result in results:
        row = {"kind": result.condition.kind, "side": result.condition.side, "severity": result.condition.severity}
        for name, curves in (("untouched", result.truth), ("abnormal", result.edited), ("twin", result.twin),
                             ("oracle_twin", result.oracle_twin), ("population_oracle", result.population_oracle)):  # fmt: skip
            row[name] = float((classifier.predict(features(curves)) == owners).mean())
        rows.append(row)
    return pd.DataFrame(rows)
