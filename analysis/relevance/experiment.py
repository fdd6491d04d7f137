"""One contrast end to end: folds × seeds × models, the oracle, relevance maps and their checks.

Read :func:`run_contrast` top to bottom: for every subject-grouped fold the
scaling is fitted on training subjects, a validation set of training
subjects stops the networks, every model is scored on the test subjects
(trials and subjects), and the correctly classified test trials are
explained (LRP-ε on the true class's logit). The MLP of the first seed is
also explained after its weights are re-drawn (sanity) and probed by
deletion (faithfulness, planted contrast only).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.metrics import balanced_accuracy_score

from analysis.config import RelevanceSettings
from analysis.relevance import attribution, checks, folds, models, oracle, shares, training
from analysis.relevance.data import EARLY_PHASE, PLANTED_CONTRAST, ContrastData, Scaler, phase_mask

FAITHFULNESS_METHODS: tuple[str, ...] = (*attribution.METHODS, "random")


@dataclass
class ContrastResult:
    """Everything the chapter shows about one contrast."""

    data: ContrastData
    scores: pd.DataFrame  # one row per fold × seed × model (and the oracle per fold)
    maps: dict[str, np.ndarray]  # model → class-mean |LRP| map over folds and seeds
    relevance: dict[str, np.ndarray]  # model → per-trial LRP maps of explained trials
    explained_labels: dict[str, np.ndarray]
    conservation: dict[str, float]  # model → median Σ R / logit
    random_map: np.ndarray | None = None  # MLP with re-drawn weights, class-mean |LRP|
    trained_map_first_seed: np.ndarray | None = None
    faithfulness: pd.DataFrame | None = None  # fraction × method → accuracy
    spm_mask: np.ndarray | None = None
    spm_clusters: list[dict] = field(default_factory=list)
    spm_notes: list[str] = field(default_factory=list)
    reference_map: np.ndarray | None = None  # truth map, or the empirical |Δμ|/σ of subject means
    reference_label: str = ""
    seconds_training: float = 0.0
    seconds_attribution: float = 0.0


def _subject_balanced_accuracy(probabilities: np.ndarray, labels: np.ndarray, subjects: np.ndarray) -> float:
    frame = pd.DataFrame(probabilities).assign(subject=subjects, label=labels)
    means = frame.groupby("subject").mean()
    predicted = means.drop(columns="label").to_numpy().argmax(axis=1)
    return float(balanced_accuracy_score(means["label"].astype(int), predicted))


def _score_row(contrast: str, model: str, fold: int, seed: int, probs: np.ndarray, labels: np.ndarray, subjects: np.ndarray) -> dict:
    predicted = probs.argmax(axis=1)
    return {
        "contrast": contrast,
        "model": model,
        "fold": fold,
        "seed": seed,
        "trial_accuracy": float((predicted == labels).mean()),
        "trial_balanced_accuracy": float(balanced_accuracy_score(labels, predicted)),
        "subject_balanced_accuracy": _subject_balanced_accuracy(probs, labels, subjects),
    }


def empirical_map(data: ContrastData) -> np.ndarray:
    """|difference of group means| / pooled SD per (channel, sample), over subject-mean curves."""
    means, groups = checks.subject_means(data.curves, data.labels, data.subjects)
    a, b = means[groups == 0], means[groups == 1]
    pooled = np.sqrt(0.5 * (a.var(axis=0, ddof=1) + b.var(axis=0, ddof=1)))
    return np.where(pooled > 1e-12, np.abs(a.mean(axis=0) - b.mean(axis=0)) / np.where(pooled > 1e-12, pooled, 1.0), 0.0)


def _fit(name: str, x: np.ndarray, y: np.ndarray, fit_rows: np.ndarray, val_rows: np.ndarray, settings: RelevanceSettings, seed: int):
    if name == "logistic":
        rows = np.concatenate([fit_rows, val_rows])
        return training.fit_logistic(x[rows], y[rows], settings.logistic_c)
    return training.fit_network(
        name, x[fit_rows], y[fit_rows], x[val_rows], y[val_rows],
        n_classes=2, hidden=settings.hidden, dropout=settings.dropout, max_epochs=settings.max_epochs,
        patience=settings.patience, batch_size=settings.batch_size, learning_rate=settings.learning_rate, seed=seed,
    )


def run_contrast(data: ContrastData, settings: RelevanceSettings, scaling: str | None = None, model_names: tuple[str, ...] | None = None, faithfulness: bool | None = None) -> ContrastResult:
    """Train, score and explain every model of ``settings`` on ``data``."""
    names = models.checked_models(model_names or settings.models)
    scaling = scaling or settings.scaling
    probe_faithfulness = data.name == PLANTED_CONTRAST if faithfulness is None else faithfulness
    split = folds.grouped_folds(data.labels, data.subjects, settings.n_folds, settings.split_seed, data.class_names)
    rows: list[dict] = []
    relevance: dict[str, list[np.ndarray]] = {name: [] for name in names}
    explained: dict[str, list[np.ndarray]] = {name: [] for name in names}
    ratios: dict[str, list[np.ndarray]] = {name: [] for name in names}
    random_parts, trained_parts, random_labels = [], [], []
    deletion: dict[str, list[np.ndarray]] = {method: [] for method in FAITHFULNESS_METHODS}
    train_seconds = attribution_seconds = 0.0
    for fold_index, (train, test) in enumerate(split):
        fit_rows, val_rows = folds.validation_split(data.labels, data.subjects, train, settings.validation_share, settings.split_seed + fold_index)
        scaler = Scaler.fit(data.curves[fit_rows], scaling)
        x = scaler.transform(data.curves)
        baseline = x[train].mean(axis=0)
        if data.oracle_features is not None:
            probs = oracle.lda_scores(data.oracle_features, data.labels, train, test)
            rows.append(_score_row(data.name, "oracle", fold_index, -1, probs, data.labels[test], data.subjects[test]))
        for seed in settings.seeds:
            for name in names:
                start = time.perf_counter()
                fitted = _fit(name, x, data.labels, fit_rows, val_rows, settings, seed)
                train_seconds += time.perf_counter() - start
                probs = training.probabilities(fitted.model, x[test])
                row = _score_row(data.name, name, fold_index, seed, probs, data.labels[test], data.subjects[test])
                row["epochs"] = fitted.epochs
                rows.append(row)

                start = time.perf_counter()
                correct = test[probs.argmax(axis=1) == data.labels[test]]
                chosen = np.random.default_rng(seed + fold_index).permutation(correct)[: settings.explain_per_fold]
                targets = data.labels[chosen]
                maps = attribution.lrp(fitted.model, x[chosen], targets, settings.lrp_epsilon)
                relevance[name].append(maps)
                explained[name].append(targets)
                ratios[name].append(attribution.conservation(maps, attribution.logits(fitted.model, x[chosen], targets)))
                if name == "mlp" and seed == settings.seeds[0]:
                    shuffled = models.randomised(fitted.model, seed + 1000)
                    random_parts.append(attribution.lrp(shuffled, x[chosen], targets, settings.lrp_epsilon))
                    trained_parts.append(maps)
                    random_labels.append(targets)
                    if probe_faithfulness:
                        probed = np.random.default_rng(seed + fold_index).permutation(test)[: settings.faithfulness_per_fold]
                        _probe(fitted.model, x[probed], data.labels[probed], baseline, settings, seed, deletion)
                attribution_seconds += time.perf_counter() - start

    scores = pd.DataFrame(rows)
    result = ContrastResult(
        data=data,
        scores=scores,
        maps={name: checks.class_mean_map(np.concatenate(relevance[name]), np.concatenate(explained[name])) for name in names},
        relevance={name: np.concatenate(relevance[name]) for name in names},
        explained_labels={name: np.concatenate(explained[name]) for name in names},
        conservation={name: float(np.nanmedian(np.concatenate(ratios[name]))) for name in names},
        seconds_training=train_seconds,
        seconds_attribution=attribution_seconds,
    )
    if random_parts:
        labels = np.concatenate(random_labels)
        result.random_map = checks.class_mean_map(np.concatenate(random_parts), labels)
        result.trained_map_first_seed = checks.class_mean_map(np.concatenate(trained_parts), labels)
    if deletion["random"]:
        result.faithfulness = pd.DataFrame(
            {method: np.mean(curves, axis=0) for method, curves in deletion.items()}, index=list(settings.deletion_fractions)
        )
    result.spm_mask, result.spm_clusters, result.spm_notes = checks.spm_tests(data.curves, data.labels, data.subjects, settings.spm_alpha, data.channels)
    if data.truth_map is not None:
        result.reference_map, result.reference_label = data.truth_map, data.truth_label
    else:
        result.reference_map = empirical_map(data)
        result.reference_label = "empirical: |difference of group means| / pooled SD of subject-mean curves"
    return result


def _probe(model, x: np.ndarray, labels: np.ndarray, baseline: np.ndarray, settings: RelevanceSettings, seed: int, deletion: dict) -> None:
    """Deletion curves of every attribution method and of a random order, on the test trials."""
    targets = labels
    for method in attribution.METHODS:
        ranking = attribution.attribute(
            method, model, x, targets, baseline, epsilon=settings.lrp_epsilon, steps=settings.ig_steps, window=settings.occlusion_window
        )
        deletion[method].append(checks.deletion_curve(model, x, labels, ranking, baseline, settings.deletion_fractions))
    noise = np.random.default_rng(seed).random(x.shape)
    deletion["random"].append(checks.deletion_curve(model, x, labels, noise, baseline, settings.deletion_fractions))


def leaky_ablation(data: ContrastData, settings: RelevanceSettings) -> pd.DataFrame:
    """The MLP on a split of trials (a person on both sides) against the subject-grouped split, first seed."""
    seed = settings.seeds[0]
    rows = []
    for kind, split in (
        ("trials split (leaky)", folds.trial_folds(data.labels, settings.n_folds, settings.split_seed)),
        ("subjects grouped", folds.grouped_folds(data.labels, data.subjects, settings.n_folds, settings.split_seed, data.class_names)),
    ):
        for fold_index, (train, test) in enumerate(split):
            rng = np.random.default_rng(settings.split_seed + fold_index)
            if kind.startswith("trials"):
                held = rng.random(train.size) < settings.validation_share
                fit_rows, val_rows = train[~held], train[held]
            else:
                fit_rows, val_rows = folds.validation_split(data.labels, data.subjects, train, settings.validation_share, settings.split_seed + fold_index)
            x = Scaler.fit(data.curves[fit_rows], settings.scaling).transform(data.curves)
            fitted = _fit("mlp", x, data.labels, fit_rows, val_rows, settings, seed)
            probs = training.probabilities(fitted.model, x[test])
            row = _score_row(data.name, "mlp", fold_index, seed, probs, data.labels[test], data.subjects[test])
            rows.append({"split": kind, **row})
    return pd.DataFrame(rows)


def scaling_ablation(data: ContrastData, settings: RelevanceSettings) -> ContrastResult:
    """The MLP with every (channel, sample) standardised on its own, first seed only (Slijepcevic et al.'s ablation)."""
    first_seed = replace(settings, seeds=settings.seeds[:1])
    return run_contrast(data, first_seed, scaling="sample", model_names=("mlp",), faithfulness=False)


def interval(values: np.ndarray) -> tuple[float, float, float]:
    """Mean and 95 % t-interval over folds × seeds, clipped to [0, 1] (the values are accuracies)."""
    values = np.asarray(values, dtype=float)
    mean = float(values.mean())
    if values.size < 2:
        return mean, float("nan"), float("nan")
    half = float(stats.t.ppf(0.975, values.size - 1) * values.std(ddof=1) / np.sqrt(values.size))
    return mean, max(mean - half, 0.0), min(mean + half, 1.0)


def summary(scores: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Per contrast and model: mean and 95 % interval of ``metric`` over folds × seeds."""
    rows = []
    for (contrast, model), group in scores.groupby(["contrast", "model"], sort=False):
        mean, low, high = interval(group[metric].to_numpy())
        rows.append({"contrast": contrast, "model": model, "mean": mean, "low": low, "high": high, "runs": len(group)})
    return pd.DataFrame(rows)


def explanation_checks(result: ContrastResult, settings: RelevanceSettings) -> dict[str, float]:
    """The numbers of the truth, sanity and statistics checks for the MLP's maps of one contrast."""
    mlp = result.maps.get("mlp")
    if mlp is None:
        return {}
    n_samples = mlp.shape[1]
    valid = np.ones_like(mlp, dtype=bool)
    out = {
        "reference_rho": checks.rank_agreement(mlp, result.reference_map, valid),
        "early_share": shares.early_share(mlp),
        "reference_early_share": shares.early_share(result.reference_map),
    }
    if result.data.truth_map is not None:
        window = result.data.truth_map > 0.05 * result.data.truth_map.max()
        out["mass_in_window"] = checks.mass_inside(mlp, window)
        out["window_chance"] = float(window.mean())
        early = np.zeros_like(window)
        early[:, phase_mask(n_samples, EARLY_PHASE)] = True
        out["mass_early"] = checks.mass_inside(mlp, early)
    if result.random_map is not None:
        out["randomised_rho"] = checks.rank_agreement(result.trained_map_first_seed, result.random_map)
    if result.spm_mask is not None:
        out["spm_share"] = float(result.spm_mask.mean())
        out["spm_dice"] = checks.dice(checks.top_mask(mlp, settings.top_share), result.spm_mask) if result.spm_mask.any() else float("nan")
    out["conservation"] = result.conservation.get("mlp", float("nan"))
    return out
