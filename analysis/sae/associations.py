"""Feature–metadata associations over models, seeds and levels (Section 4.3).

:mod:`analysis.evaluation` measures one code matrix; this module runs those
measurements for every trained model and seed and condenses them into what
the metadata chapter reports: how many features pass |r| > 0.3 and q < 0.05
when trials are the unit (as in the study) and when subjects are, how large
the strongest |r| would be by chance, and the comparisons behind claims C6
and C7.

Why the whole cohort and not only the test split: the association between a
feature and a person's age is a property of the learned representation, not a
generalisation error, and the attributes play no part in training; the study
itself correlated all 8,819 trials. Restricting to the test subjects would
leave about 50 people, too few for a subject-level analysis of 100 features.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from analysis.config import MODEL_LABELS
from analysis.data import tables
from analysis.evaluation import attribute_correlation
from analysis.evaluation.seed_summary import format_mean_sd, summarize_over_seeds
from analysis.sae import claims

ATTRIBUTES: tuple[str, ...] = attribute_correlation.ATTRIBUTES
LEVELS: tuple[str, ...] = ("trial", "subject")
SEX_COLUMN = "SUBJECT_SEX"
R_THRESHOLD = claims.SPEED_R_THRESHOLD  # the study's "moderate" |r| (Section 4.2.3)
ALPHA = 0.05  # false discovery rate for the Benjamini–Hochberg q-values
# The study's values (paper-claims.md, C6): best speed r and the range of the
# best age, height and body-weight r.
PAPER_SPEED_R = 0.42
PAPER_OTHER_R = (0.25, 0.28)
SEVERAL = claims.SEVERAL_FEATURES

Runs = Mapping[str, Sequence]  # model name → trained seeds (analysis.engine.training.TrainedModel)
CodesByRun = dict[tuple[str, int], np.ndarray]


def encode_runs(runs: Runs, inputs: np.ndarray) -> CodesByRun:
    """Codes of ``inputs`` for every (model, seed)."""
    return {(name, int(run.seed)): run.encode(inputs) for name, seed_runs in runs.items() for run in seed_runs}


def sample_sizes(trials: pd.DataFrame, attributes: Sequence[str] = ATTRIBUTES) -> pd.DataFrame:
    """How many trials and subjects each attribute has, and which sub-datasets lack it.

    Subject-level analyses average a subject's trials first, so a subject
    counts when at least one of their trials has a value.
    """
    tables.require_columns(trials, ["DATASET_ID", "SUBJECT_ID", *attributes])
    rows = []
    for attribute in attributes:
        values = tables.numeric_column(trials, attribute)
        present = np.isfinite(values)
        datasets = pd.Series(present).groupby(trials["DATASET_ID"].to_numpy()).any()
        lacking = [str(dataset) for dataset in datasets.index[~datasets.to_numpy()]]
        rows.append(
            {
                "attribute": attribute,
                "trials": int(present.sum()),
                "of trials": len(trials),
                "subjects": int(trials.loc[present, "SUBJECT_ID"].nunique()),
                "of subjects": int(trials["SUBJECT_ID"].nunique()),
                "datasets without values": _enumeration(lacking),
            }
        )
    return pd.DataFrame(rows)


def _enumeration(items: Sequence[str]) -> str:
    """'6', '6 and 8', '6, 8 and 10', or 'none' (prose, not a Python literal)."""
    if not items:
        return "none"
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} and {items[-1]}"


def correlation_table(
    codes_by_run: CodesByRun,
    trials: pd.DataFrame,
    levels: Sequence[str] = LEVELS,
    attributes: Sequence[str] = ATTRIBUTES,
) -> pd.DataFrame:
    """``attribute_correlation.attribute_correlations`` for every run and level, in one long table.

    Columns: model, seed and those of ``attribute_correlation.CORRELATION_COLUMNS``. The
    Benjamini–Hochberg correction runs within each run and level, over all
    features × attributes, as one analysis of one model would.
    """
    if not codes_by_run:
        raise ValueError("codes_by_run is empty")
    parts = []
    for (model, seed), codes in codes_by_run.items():
        for level in levels:
            table = attribute_correlation.attribute_correlations(codes, trials, attributes=attributes, level=level)
            parts.append(table.assign(model=model, seed=seed))
    combined = pd.concat(parts, ignore_index=True)
    return combined[["model", "seed", *attribute_correlation.CORRELATION_COLUMNS]]


def select(table: pd.DataFrame, model: str, seed: int, level: str) -> pd.DataFrame:
    """The rows of one run and level, as ``attribute_correlation.attribute_correlations`` returns them."""
    chosen = table[(table["model"] == model) & (table["seed"] == seed) & (table["level"] == level)]
    if chosen.empty:
        raise ValueError(f"no correlations for model {model!r}, seed {seed}, level {level!r}")
    return chosen[list(attribute_correlation.CORRELATION_COLUMNS)].reset_index(drop=True)


def seed_summary(table: pd.DataFrame, r_threshold: float = R_THRESHOLD, alpha: float = ALPHA) -> pd.DataFrame:
    """Per model, seed, level and attribute: the strongest |r| and how many features pass.

    Columns: model, seed, level, attribute, max_abs_r, best_feature, best_r,
    n_above_threshold (|r| > ``r_threshold``), n_significant (q < ``alpha``),
    n_strong_and_significant (both), n_features (with a finite r), n
    (observations: trials or subjects with a value).
    """
    tables.require_columns(table, ["model", "seed", *attribute_correlation.CORRELATION_COLUMNS], name="table")
    rows = []
    for (model, seed, level), group in table.groupby(["model", "seed", "level"], sort=False):
        summary = attribute_correlation.correlation_summary(group.drop(columns=["model", "seed"]), r_threshold, alpha)
        for row in summary.to_dict("records"):
            members = group[group["attribute"] == row["attribute"]]
            strong = (members["r"].abs() > r_threshold) & (members["q"] < alpha)
            rows.append(
                {
                    "model": model,
                    "seed": int(seed),
                    **row,
                    "n_strong_and_significant": int(strong.sum()),
                    "n": int(members["n"].iloc[0]),
                }
            )
    columns = ["model", "seed", "level", "attribute", "max_abs_r", "best_feature", "best_r", "n_above_threshold"]
    columns += ["n_significant", "n_strong_and_significant", "n_features", "n"]
    return pd.DataFrame(rows)[columns]


def chance_max_abs_r(
    codes: np.ndarray,
    trials: pd.DataFrame,
    attributes: Sequence[str] = ATTRIBUTES,
    n_permutations: int = 1000,
    quantile: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """How large the strongest subject-level |r| gets when features and attribute are unrelated.

    The best of 100 correlations is a maximum, and a maximum of noise is not
    small: with 50 subjects and 100 features it can exceed 0.4. Shuffling the
    attribute among subjects keeps both distributions and removes any
    association; the ``quantile`` of the shuffled maxima is the chance level,
    and ``p_max`` is the permutation p-value of the observed maximum (a
    family-wise test of "at least one feature is associated").
    Columns: attribute, n, observed_max_abs_r, chance_max_abs_r, p_max.
    """
    if n_permutations < 1:
        raise ValueError(f"n_permutations must be at least 1, got {n_permutations}")
    if not 0 < quantile < 1:
        raise ValueError(f"quantile must lie in (0, 1), got {quantile}")
    subject_codes, table = attribute_correlation.level_means(codes, trials, "subject", attributes)
    rng = np.random.default_rng(seed)
    rows = []
    for attribute in attributes:
        values = table[attribute].to_numpy(dtype=float)
        present = np.isfinite(values)
        n = int(present.sum())
        features = subject_codes[present]
        varying = np.ptp(features, axis=0) > 0 if n else np.zeros(features.shape[1], dtype=bool)
        if n < 3 or not varying.any() or np.ptp(values[present]) == 0:
            rows.append({"attribute": attribute, "n": n, "observed_max_abs_r": np.nan, "chance_max_abs_r": np.nan, "p_max": np.nan})
            continue
        standardised = _unit_columns(features[:, varying])
        target = _unit_columns(values[present][:, None])[:, 0]
        observed = float(np.abs(standardised.T @ target).max())
        shuffled = np.stack([rng.permutation(target) for _ in range(n_permutations)], axis=1)
        maxima = np.abs(standardised.T @ shuffled).max(axis=0)
        rows.append(
            {
                "attribute": attribute,
                "n": n,
                "observed_max_abs_r": observed,
                "chance_max_abs_r": float(np.quantile(maxima, quantile)),
                "p_max": float((1 + np.sum(maxima >= observed - 1e-12)) / (1 + n_permutations)),
            }
        )
    return pd.DataFrame(rows)


def _unit_columns(values: np.ndarray) -> np.ndarray:
    """Centred columns of unit length, so that a dot product is Pearson's r."""
    centred = values - values.mean(axis=0)
    return centred / np.sqrt((centred**2).sum(axis=0))


def chance_table(
    codes_by_run: CodesByRun,
    trials: pd.DataFrame,
    attributes: Sequence[str] = ATTRIBUTES,
    n_permutations: int = 1000,
    quantile: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """``chance_max_abs_r`` for every run; columns model, seed and its own."""
    parts = [
        chance_max_abs_r(codes, trials, attributes, n_permutations, quantile, seed).assign(model=model, seed=run_seed)
        for (model, run_seed), codes in codes_by_run.items()
    ]
    combined = pd.concat(parts, ignore_index=True)
    return combined[["model", "seed", "attribute", "n", "observed_max_abs_r", "chance_max_abs_r", "p_max"]]


def _mean_sd(summary: pd.DataFrame, keys: dict[str, object], quantity: str, digits: int) -> str:
    """Formatted mean ± SD of one quantity from ``summarize_over_seeds`` output."""
    mask = np.ones(len(summary), dtype=bool)
    for column, value in {**keys, "quantity": quantity}.items():
        mask &= (summary[column] == value).to_numpy()
    if not mask.any():
        return "n/a"
    row = summary[mask].iloc[0]
    return format_mean_sd(row["mean"], row["sd"], digits)


def level_comparison(per_seed: pd.DataFrame, chance: pd.DataFrame | None = None) -> pd.DataFrame:
    """Trial and subject level side by side, mean ± SD over seeds, for display.

    Rows: (model, attribute). Columns: (level, quantity) with quantities n,
    the largest |r|, and the numbers of features with |r| > 0.3, with
    q < 0.05 and with both; with ``chance`` also ("subject", "chance max |r|"),
    the 95th percentile of the largest |r| among shuffled attributes.
    """
    value_columns = ["max_abs_r", "n_above_threshold", "n_significant", "n_strong_and_significant"]
    summary = summarize_over_seeds(per_seed, by=["model", "level", "attribute"], value_columns=value_columns)
    chance_summary = (
        None
        if chance is None
        else summarize_over_seeds(chance, by=["model", "attribute"], value_columns=["chance_max_abs_r"])
    )
    levels = list(per_seed["level"].drop_duplicates())
    rows: dict[tuple[str, str], dict[tuple[str, str], str]] = {}
    for model, attribute in per_seed[["model", "attribute"]].drop_duplicates().itertuples(index=False):
        row: dict[tuple[str, str], str] = {}
        for level in levels:
            keys = {"model": model, "level": level, "attribute": attribute}
            members = per_seed[(per_seed["model"] == model) & (per_seed["level"] == level) & (per_seed["attribute"] == attribute)]
            row[(level, "n")] = str(int(members["n"].iloc[0])) if len(members) else "n/a"
            row[(level, "max |r|")] = _mean_sd(summary, keys, "max_abs_r", 2)
            row[(level, f"|r| > {R_THRESHOLD:g}")] = _mean_sd(summary, keys, "n_above_threshold", 1)
            row[(level, f"q < {ALPHA:g}")] = _mean_sd(summary, keys, "n_significant", 1)
            row[(level, "both")] = _mean_sd(summary, keys, "n_strong_and_significant", 1)
            if level == "subject" and chance_summary is not None:
                row[(level, "chance max |r|")] = _mean_sd(
                    chance_summary, {"model": model, "attribute": attribute}, "chance_max_abs_r", 2
                )
        rows[(MODEL_LABELS.get(model, model), attribute)] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index = pd.MultiIndex.from_tuples(table.index, names=["model", "attribute"])
    table.columns = pd.MultiIndex.from_tuples(table.columns, names=["level", ""])
    return table


def max_r_table(per_seed: pd.DataFrame, level: str = "trial") -> pd.DataFrame:
    """Largest |r| per model (rows) and attribute (columns), mean ± SD over seeds."""
    chosen = per_seed[per_seed["level"] == level]
    if chosen.empty:
        raise ValueError(f"per_seed has no rows of level {level!r}")
    summary = summarize_over_seeds(chosen, by=["model", "attribute"], value_columns=["max_abs_r"])
    summary["value"] = [format_mean_sd(mean, sd) for mean, sd in zip(summary["mean"], summary["sd"])]
    table = summary.pivot(index="model", columns="attribute", values="value")
    table = table.loc[list(chosen["model"].drop_duplicates()), list(chosen["attribute"].drop_duplicates())]
    table.index = [MODEL_LABELS.get(model, model) for model in table.index]
    table.columns.name = None
    return table


def _check(value: bool | None) -> str:
    """A computed comparison as text: "yes", "no", or "n/a" when it cannot be made."""
    if value is None:
        return "n/a"
    return "yes" if value else "no"


def claim_c6(per_seed: pd.DataFrame) -> pd.DataFrame:
    """The comparisons behind claim C6, per model and level, on means over seeds.

    Two checks: at least ``SEVERAL`` features with |r| > 0.3 with walking
    speed, and speed the attribute with the strongest single feature; beside
    them the measured maxima for the study's 0.42 and 0.25–0.28. The checks
    are comparisons, not verdicts: on a synthetic cohort they test whether the
    pipeline recovers what the generator built in, not a fact about people.
    """
    means = per_seed.groupby(["model", "level", "attribute"], sort=False)[["max_abs_r", "n_above_threshold"]].mean()
    rows = []
    for model, level in per_seed[["model", "level"]].drop_duplicates().itertuples(index=False):
        values = means.loc[(model, level)]
        others = [attribute for attribute in values.index if attribute != "WALKING_SPEED"]
        has_speed = "WALKING_SPEED" in values.index
        speed_r = float(values.loc["WALKING_SPEED", "max_abs_r"]) if has_speed else np.nan
        speed_count = float(values.loc["WALKING_SPEED", "n_above_threshold"]) if has_speed else np.nan
        other_r = float(values.loc[others, "max_abs_r"].max()) if others else np.nan
        several = bool(speed_count >= SEVERAL) if np.isfinite(speed_count) else None
        strongest = bool(speed_r > other_r) if np.isfinite(speed_r) and np.isfinite(other_r) else None
        rows.append(
            {
                "model": MODEL_LABELS.get(model, model),
                "level": level,
                f"speed: max |r| (study {PAPER_SPEED_R:g})": speed_r,
                f"speed: features |r| > {R_THRESHOLD:g}": speed_count,
                f"age/height/weight: max |r| (study {PAPER_OTHER_R[0]:g}–{PAPER_OTHER_R[1]:g})": other_r,
                f"≥ {SEVERAL} features above {R_THRESHOLD:g}": _check(several),
                "speed strongest": _check(strongest),
            }
        )
    return pd.DataFrame(rows)


def claim_c7(per_seed: pd.DataFrame) -> pd.DataFrame:
    """The comparison behind claim C7, per attribute and level, on means over seeds.

    Is the Sparse VAE's strongest |r| below that of every deterministic model
    in the runs? "n/a" when the Sparse VAE or both deterministic models are
    missing, or a value is undefined.
    """
    means = per_seed.groupby(["level", "attribute", "model"], sort=False)["max_abs_r"].mean()
    models = list(per_seed["model"].drop_duplicates())
    deterministic = [model for model in claims.DETERMINISTIC_MODELS if model in models]
    rows = []
    for level, attribute in per_seed[["level", "attribute"]].drop_duplicates().itertuples(index=False):
        row: dict[str, object] = {"level": level, "attribute": attribute}
        for model in models:
            row[f"{MODEL_LABELS.get(model, model)}: max |r|"] = float(means.loc[(level, attribute, model)])
        weaker = None
        if "svae" in models and deterministic:
            svae = float(means.loc[(level, attribute, "svae")])
            others = [float(means.loc[(level, attribute, model)]) for model in deterministic]
            if np.isfinite(svae) and np.isfinite(others).all():
                weaker = all(svae < value for value in others)
        row["Sparse VAE weakest"] = _check(weaker)
        rows.append(row)
    return pd.DataFrame(rows)


def sex_counts(trials: pd.DataFrame, sex_column: str = SEX_COLUMN) -> tuple[int, int]:
    """(men, women) among the subjects of ``trials`` (1 = male, 0 = female); unknown sex is not counted."""
    tables.require_columns(trials, ["SUBJECT_ID", sex_column])
    sex = pd.Series(tables.numeric_column(trials, sex_column), index=trials["SUBJECT_ID"].to_numpy())
    per_subject = sex.groupby(level=0).first()
    return int((per_subject == 1).sum()), int((per_subject == 0).sum())


def sex_difference_table(
    codes_by_run: CodesByRun, trials: pd.DataFrame, n_boot: int = 1000, seed: int = 0
) -> pd.DataFrame:
    """Per run: how many features differ between men and women, and the largest |g|.

    Columns: model, seed, n_excluding_zero (features whose 95 % bootstrap CI
    of Hedges' g excludes 0), max_abs_g, n_features (with a finite g),
    n_male, n_female. Subject level (``attribute_correlation.sex_differences``).
    """
    rows = []
    for (model, run_seed), codes in codes_by_run.items():
        table = attribute_correlation.sex_differences(codes, trials, n_boot=n_boot, seed=seed)
        finite = table[table["g"].notna()]
        excludes = (finite["ci_low"] > 0) | (finite["ci_high"] < 0)
        rows.append(
            {
                "model": model,
                "seed": run_seed,
                "n_excluding_zero": int(excludes.sum()),
                "max_abs_g": float(finite["g"].abs().max()) if len(finite) else np.nan,
                "n_features": len(finite),
                "n_male": int(table["n_male"].iloc[0]),
                "n_female": int(table["n_female"].iloc[0]),
            }
        )
    return pd.DataFrame(rows)


def sex_summary_table(sex_per_seed: pd.DataFrame) -> pd.DataFrame:
    """Per model, mean ± SD over seeds of :func:`sex_difference_table`, for display."""
    summary = summarize_over_seeds(sex_per_seed, value_columns=["n_excluding_zero", "max_abs_g"])
    rows = []
    for model in sex_per_seed["model"].drop_duplicates():
        keys = {"model": model}
        rows.append(
            {
                "model": MODEL_LABELS.get(model, model),
                "features with CI excluding 0": _mean_sd(summary, keys, "n_excluding_zero", 1),
                "max |g|": _mean_sd(summary, keys, "max_abs_g", 2),
            }
        )
    return pd.DataFrame(rows)
