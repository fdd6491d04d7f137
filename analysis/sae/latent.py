"""What the feature-learning and latent-space chapters (4.1, 4.2) measure beyond :mod:`analysis.evaluation`.

:mod:`analysis.evaluation` defines the measures themselves (activity,
bimodality, neighbourhood agreement, clusters); this module applies them per
model and seed in the form those two chapters tabulate, and adds the two
questions they raise that the shared measures do not answer: which weights a model encodes
with (and whether they are more structured than at initialisation), and how
strongly the clusters of the codes follow individual subjects.

Trials of one person are far more alike than trials of different people (a
person can be recognised from their force curves), so a cluster of codes may
simply collect the trials of a few subjects. The subject measures below put
a number on that reading before the clusters are read as "gait styles".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_mutual_info_score

from analysis.config import MODEL_LABELS
from analysis.engine.training import TrainedModel
from analysis.evaluation import attribute_correlation, code_measures, latent_structure, seed_summary
from analysis.features.wavelets import BANDS, Segment
from analysis.sae.models import SeedStack, SparseVAE, TiedSAE, build_model

# The study's range of per-feature activation rates for the SAE (Section 4.1.2).
PAPER_SAE_RATE_RANGE: tuple[float, float] = (0.03, 0.15)
# Random relabellings used for the chance level of a subject's majority share.
CHANCE_PERMUTATIONS = 200
# The band that holds each curve's slow shape (the others hold details).
APPROXIMATION_BAND = BANDS[0]
# Neighbours compared in a gradient measurement (fewer on very small sets),
# as in the latent-space agreement of analysis.sae.study.seed_metrics.
GRADIENT_NEIGHBOURS = 10
ATTRIBUTE_NAMES: dict[str, str] = {
    "WALKING_SPEED": "walking speed",
    "AGE": "age",
    "HEIGHT": "height",
    "BODY_WEIGHT": "body weight",
}
CLUSTER_COLUMNS: tuple[str, ...] = (
    "pc1_variance",
    "pc1_cluster_share",
    "pc2_cluster_share",
    "max_demographic_ami",
    "majority_share",
    "chance_majority_share",
    "subject_ami",
)


def encoder_weight_matrix(model: TrainedModel | SeedStack) -> np.ndarray:
    """The weights that map inputs to codes, as (features, coefficients).

    Row j is what feature j responds to: the shared weight W of the tied SAEs
    (h = ReLU(W x + b)) and, for the Sparse VAE, the μ head, because its
    codes are μ; the log σ² head never reaches a code.
    """
    stack = model.model if isinstance(model, TrainedModel) else model
    if stack.n_seeds != 1:
        raise ValueError(f"expected a single-seed model, got one holding {stack.n_seeds} seeds")
    if isinstance(stack, TiedSAE):
        weights = stack.weight[0]
    elif isinstance(stack, SparseVAE):
        weights = stack.mean_weight[0].T
    else:
        raise TypeError(f"no encoder weights known for model type {type(stack).__name__}")
    return weights.detach().cpu().numpy().astype(float)


def initial_encoder_weights(run: TrainedModel) -> np.ndarray:
    """The encoder weights ``run`` started from (same configuration, same seed)."""
    return encoder_weight_matrix(build_model(run.config, (run.seed,)))


def weight_shares(weights: np.ndarray, layout: Sequence[Segment]) -> pd.DataFrame:
    """Where each feature's squared encoder weight lies: by channel and in the coarsest band.

    Columns: feature, dominant_channel, channel_concentration (share of the
    squared weight in the dominant channel: 1 = the feature reads a single
    channel, 1/n_channels = spread evenly) and approximation_share (share in
    the approximation band of every channel, the slow shape of the curves).
    NaN for a feature whose weights are all zero.
    """
    matrix = np.asarray(weights, dtype=float)
    segments = list(layout)
    if matrix.ndim != 2:
        raise ValueError(f"weights must be 2-D (features x coefficients), got shape {matrix.shape}")
    if not segments or max(segment.stop for segment in segments) != matrix.shape[1]:
        raise ValueError(f"layout does not cover the {matrix.shape[1]} weight columns")
    energy = matrix**2
    total = energy.sum(axis=1)
    channels = list(dict.fromkeys(segment.channel for segment in segments))
    by_channel = np.zeros((matrix.shape[0], len(channels)))
    approximation = np.zeros(matrix.shape[0])
    for segment in segments:
        part = energy[:, segment.start : segment.stop].sum(axis=1)
        by_channel[:, channels.index(segment.channel)] += part
        if segment.band == APPROXIMATION_BAND:
            approximation += part
    nonzero = total > 0
    concentration = np.full(matrix.shape[0], np.nan)
    approximation_share = np.full(matrix.shape[0], np.nan)
    concentration[nonzero] = by_channel[nonzero].max(axis=1) / total[nonzero]
    approximation_share[nonzero] = approximation[nonzero] / total[nonzero]
    return pd.DataFrame(
        {
            "feature": np.arange(matrix.shape[0]),
            "dominant_channel": [channels[index] for index in by_channel.argmax(axis=1)],
            "channel_concentration": concentration,
            "approximation_share": approximation_share,
        }
    )


def weight_summary(runs: Mapping[str, Sequence[TrainedModel]], layout: Sequence[Segment]) -> pd.DataFrame:
    """One row per model and seed: mean weight shares after training and at initialisation.

    The initial values are the reference for "structured": Xavier weights
    are random, so whatever concentration they show is what chance gives.
    """
    rows = []
    for name, seed_runs in runs.items():
        for run in seed_runs:
            trained = weight_shares(encoder_weight_matrix(run), layout)
            initial = weight_shares(initial_encoder_weights(run), layout)
            rows.append(
                {
                    "model": name,
                    "seed": run.seed,
                    "channel_concentration": float(trained["channel_concentration"].mean()),
                    "initial_channel_concentration": float(initial["channel_concentration"].mean()),
                    "approximation_share": float(trained["approximation_share"].mean()),
                    "initial_approximation_share": float(initial["approximation_share"].mean()),
                }
            )
    return pd.DataFrame(rows)


def showcase_features(codes: np.ndarray) -> list[int]:
    """Feature 0 (the study's example), the most active, and the least active live feature.

    "Live" means active on at least one input; a dead feature has nothing to
    show. Duplicates are dropped, so fewer than three ids may come back.
    """
    rates = code_measures.activation_rates(codes)
    chosen = [0, int(np.argmax(rates))]
    live = np.flatnonzero(rates > 0)
    if live.size:
        chosen.append(int(live[np.argmin(rates[live])]))
    return list(dict.fromkeys(chosen))


def _share_above(values: np.ndarray, threshold: float) -> float:
    finite = values[np.isfinite(values)]
    return float((finite > threshold).mean()) if finite.size else float("nan")


def activation_summary(runs: Mapping[str, Sequence[TrainedModel]], inputs: np.ndarray) -> pd.DataFrame:
    """One row per model and seed: how sparse the code is on ``inputs`` (claims C2, C3).

    Columns: model, seed, n_features, mean_activation_rate, l0_share (exactly
    non-zero entries), median_rate,
    max_rate, min_live_rate (smallest rate above 0), dead_features (rate 0),
    in_paper_range (share of features with a rate inside the study's SAE
    range 0.03–0.15), bimodal_share (b > 5/9 on all values),
    bimodal_share_active (b > 5/9 on the active values only) and
    dip_bimodal_share (bimodal by Hartigan's dip test, BH q < 0.05, on the
    values code_measures.dip_test_pvalues chooses; the rule of claim C3, since b has no null and a skewed tail
    alone can exceed 5/9). Dead features count in every rate statistic;
    bimodality shares leave out features whose statistic is undefined.
    """
    low, high = PAPER_SAE_RATE_RANGE
    rows = []
    for name, seed_runs in runs.items():
        for run in seed_runs:
            codes = run.encode(inputs)
            rates = code_measures.activation_rates(codes)
            live = rates[rates > 0]
            rows.append(
                {
                    "model": name,
                    "seed": run.seed,
                    "n_features": rates.size,
                    "mean_activation_rate": float(rates.mean()),
                    "l0_share": code_measures.l0_share(codes),
                    "median_rate": float(np.median(rates)),
                    "max_rate": float(rates.max()),
                    "min_live_rate": float(live.min()) if live.size else float("nan"),
                    "dead_features": int((rates == 0).sum()),
                    "in_paper_range": float(((rates >= low) & (rates <= high)).mean()),
                    "bimodal_share": _share_above(
                        code_measures.bimodality_coefficients(codes), code_measures.BIMODALITY_THRESHOLD
                    ),
                    "bimodal_share_active": _share_above(
                        code_measures.bimodality_coefficients(codes, active_only=True), code_measures.BIMODALITY_THRESHOLD
                    ),
                    "dip_bimodal_share": code_measures.dip_bimodal_share(codes),
                }
            )
    return pd.DataFrame(rows)


def sparsity_order(summary: pd.DataFrame, order: Sequence[str] = ("sae", "sae_disentangled", "svae")) -> pd.DataFrame:
    """Claim C11 seed by seed: do activation rates increase along ``order``?

    ``summary`` has one row per model and seed with a mean_activation_rate
    column (e.g. :func:`activation_summary`). Models of ``order`` missing from
    it are skipped (at least two must remain). Returns one row per seed that
    every remaining model was trained with: their rates in ``order`` and
    ``in_order`` (strictly increasing rate = strictly decreasing sparsity).
    """
    missing = [column for column in ("model", "seed", "mean_activation_rate") if column not in summary.columns]
    if missing:
        raise ValueError(f"summary has no column(s) {missing}")
    present = [name for name in order if name in set(summary["model"])]
    if len(present) < 2:
        raise ValueError(f"an order needs at least two of the models {list(order)}; summary has {present}")
    wide = summary.pivot_table(index="seed", columns="model", values="mean_activation_rate").reindex(columns=present)
    wide = wide.dropna()
    values = wide.to_numpy()
    wide["in_order"] = np.all(values[:, 1:] > values[:, :-1], axis=1)
    wide.columns.name = None
    return wide.reset_index()


def gradient_strengths(
    points: np.ndarray,
    trials: pd.DataFrame,
    attributes: Sequence[str] = attribute_correlation.ATTRIBUTES,
    subject_column: str = "SUBJECT_ID",
) -> pd.DataFrame:
    """How clearly each attribute varies as a gradient over ``points`` (claim C4).

    ``points`` are a map (e.g. t-SNE) or the codes themselves, aligned with
    ``trials``. Columns: attribute, n (trials with a value), all_neighbours
    (``latent_structure.neighbourhood_agreement`` over any neighbours) and
    other_subjects (neighbours from other subjects only, which removes the
    gradient a person's own trials fake for a person-level attribute). NaN
    where it cannot be measured: fewer than four values, a constant
    attribute, or (other_subjects) a single subject.
    """
    array = np.asarray(points, dtype=float)
    if array.ndim != 2:
        raise ValueError(f"points must be 2-D (trials x dimensions), got shape {array.shape}")
    if len(trials) != array.shape[0]:
        raise ValueError(f"points has {array.shape[0]} rows but trials has {len(trials)}; rows must be aligned")
    missing = [column for column in [*attributes, subject_column] if column not in trials.columns]
    if missing:
        raise ValueError(f"trials has no column(s) {missing}")
    subjects = trials[subject_column].to_numpy()
    rows = []
    for attribute in attributes:
        values = pd.to_numeric(trials[attribute], errors="coerce").to_numpy(dtype=float)
        present = np.isfinite(values)
        n = int(present.sum())
        measurable = n >= 4 and np.ptp(values[present]) > 0
        k = int(min(GRADIENT_NEIGHBOURS, max(1, n // 4)))
        everyone = latent_structure.neighbourhood_agreement(array, values, k=k) if measurable else float("nan")
        several_subjects = measurable and np.unique(subjects[present]).size >= 2
        others = (
            latent_structure.neighbourhood_agreement(array, values, k=k, groups=subjects) if several_subjects else float("nan")
        )
        rows.append({"attribute": attribute, "n": n, "all_neighbours": everyone, "other_subjects": others})
    return pd.DataFrame(rows)


def attribute_name(attribute: str | None) -> str:
    """An attribute as prose ("walking speed"); None (no gradient) as "none"."""
    if attribute is None:
        return "none"
    return ATTRIBUTE_NAMES.get(attribute, attribute)


def clearest_gradient(table: pd.DataFrame, column: str = "other_subjects") -> str | None:
    """The attribute with the largest positive agreement in ``column``.

    None when no agreement is finite and above 0: an attribute whose value
    is no closer to its neighbours' than chance forms no gradient at all.
    """
    values = table[column].to_numpy(dtype=float)
    candidates = np.flatnonzero(np.isfinite(values) & (values > 0))
    if candidates.size == 0:
        return None
    return str(table["attribute"].iloc[candidates[np.argmax(values[candidates])]])


def clearest_over_seeds(per_seed: pd.DataFrame, attributes: Sequence[str] = attribute_correlation.ATTRIBUTES) -> dict[str, str | None]:
    """Per model, the attribute whose mean latent-space agreement over seeds is largest and positive.

    ``per_seed`` is :func:`analysis.sae.study.seed_metrics` output, with one
    ``agreement_<ATTRIBUTE>`` column per attribute. None where no mean
    agreement of the model is finite and above 0.
    """
    columns = [f"agreement_{attribute}" for attribute in attributes]
    missing = [column for column in ["model", *columns] if column not in per_seed.columns]
    if missing:
        raise ValueError(f"per_seed has no column(s) {missing}")
    means = per_seed.groupby("model", sort=False)[columns].mean()
    return {
        str(model): clearest_gradient(
            pd.DataFrame({"attribute": list(attributes), "agreement": row.to_numpy(dtype=float)}), "agreement"
        )
        for model, row in means.iterrows()
    }


def gradient_overview(
    map_tables: Mapping[str, pd.DataFrame], per_seed: pd.DataFrame, digits: int = 2
) -> pd.DataFrame:
    """Display table of claim C4: each attribute's gradient on the maps and in the latent space.

    ``map_tables`` maps a model to :func:`gradient_strengths` of its map (the
    first seed); ``per_seed`` is :func:`analysis.sae.study.seed_metrics` output,
    whose ``agreement_<ATTRIBUTE>`` columns measure the same thing on the
    codes themselves with neighbours from other subjects, for every seed.
    """
    rows = []
    for model, table in map_tables.items():
        members = per_seed[per_seed["model"] == model]
        for record in table.itertuples(index=False):
            column = f"agreement_{record.attribute}"
            if column not in members.columns:
                raise ValueError(f"per_seed has no column {column!r}")
            values = members[column].dropna().to_numpy(dtype=float)
            mean = float(values.mean()) if values.size else float("nan")
            sd = float(values.std(ddof=1)) if values.size > 1 else float("nan")
            rows.append(
                {
                    "model": MODEL_LABELS.get(model, model),
                    "attribute": record.attribute,
                    "trials with a value": record.n,
                    "map, all neighbours": _rounded(record.all_neighbours, digits),
                    "map, other subjects": _rounded(record.other_subjects, digits),
                    "latent space, other subjects": seed_summary.format_mean_sd(mean, sd, digits),
                }
            )
    return pd.DataFrame(rows)


def _rounded(value: float, digits: int) -> str:
    return f"{value:.{digits}f}" if np.isfinite(value) else "n/a"


def subject_concentration(
    labels: np.ndarray,
    subjects: np.ndarray,
    n_permutations: int = CHANCE_PERMUTATIONS,
    seed: int = 0,
) -> dict[str, float]:
    """How much the clusters follow individual subjects.

    ``majority_share``: for each subject, the share of their trials in their
    most common cluster, averaged over subjects (1 = every subject sits in a
    single cluster). ``chance_majority_share``: the same for labels shuffled
    across trials, which keeps the cluster sizes and each subject's number of
    trials (subjects with few trials reach a high share by chance alone).
    ``subject_ami``: adjusted mutual information between cluster and subject.
    """
    cluster_labels = np.asarray(labels)
    subject_ids = np.asarray(subjects)
    if cluster_labels.ndim != 1 or cluster_labels.shape != subject_ids.shape:
        raise ValueError(
            f"labels and subjects must be 1-D and aligned, got shapes {cluster_labels.shape} and {subject_ids.shape}"
        )
    if cluster_labels.size == 0:
        raise ValueError("labels is empty")
    if n_permutations < 1:
        raise ValueError(f"n_permutations must be at least 1, got {n_permutations}")
    _, subject_index = np.unique(subject_ids, return_inverse=True)
    _, cluster_index = np.unique(cluster_labels, return_inverse=True)
    generator = np.random.default_rng(seed)
    chance = np.mean(
        [
            _majority_share(generator.permutation(cluster_index), subject_index)
            for _ in range(n_permutations)
        ]
    )
    return {
        "majority_share": _majority_share(cluster_index, subject_index),
        "chance_majority_share": float(chance),
        "subject_ami": float(adjusted_mutual_info_score(subject_index, cluster_index)),
    }


def _majority_share(cluster_index: np.ndarray, subject_index: np.ndarray) -> float:
    counts = np.zeros((subject_index.max() + 1, cluster_index.max() + 1))
    np.add.at(counts, (subject_index, cluster_index), 1)
    return float((counts.max(axis=1) / counts.sum(axis=1)).mean())


def cluster_table(
    runs: Mapping[str, Sequence[TrainedModel]],
    inputs: np.ndarray,
    trials: pd.DataFrame,
    k: int,
    seed: int = 0,
) -> pd.DataFrame:
    """One row per model and seed: the KMeans structure of the codes (claim C5).

    Columns: model, seed, pc1_variance (share of code variance on PC1),
    pc1_cluster_share and pc2_cluster_share (η² of each component by
    cluster), max_demographic_ami (largest AMI of the clusters with attribute
    tertiles or sex, ``latent_structure.cluster_attribute_association``), and the
    subject measures of :func:`subject_concentration`. A model whose codes
    hold fewer than ``k`` distinct vectors gets NaN rows.
    """
    if len(trials) != np.asarray(inputs).shape[0]:
        raise ValueError(f"inputs has {np.asarray(inputs).shape[0]} rows but trials has {len(trials)}")
    rows = []
    for name, seed_runs in runs.items():
        for run in seed_runs:
            row: dict[str, float | int | str] = {"model": name, "seed": run.seed}
            row.update({column: float("nan") for column in CLUSTER_COLUMNS})
            try:
                result = latent_structure.cluster_codes(run.encode(inputs), k=k, seed=seed)
            except ValueError:  # a collapsed code: fewer distinct vectors than clusters
                rows.append(row)
                continue
            association = latent_structure.cluster_attribute_association(result, trials)
            row.update(
                {
                    "pc1_variance": float(result.explained_variance_ratio[0]),
                    "pc1_cluster_share": float(result.between_cluster_share[0]),
                    "pc2_cluster_share": float(result.between_cluster_share[1]),
                    "max_demographic_ami": float(association["ami"].max()),
                    **subject_concentration(result.labels, trials["SUBJECT_ID"].to_numpy(), seed=seed),
                }
            )
            rows.append(row)
    return pd.DataFrame(rows)


def mean_sd_table(per_seed: pd.DataFrame, columns: Mapping[str, str], digits: int = 3) -> pd.DataFrame:
    """Per-seed quantities as one "mean ± SD" cell per model and quantity, for display.

    ``per_seed`` has a model column and one row per model and seed;
    ``columns`` maps quantity columns to their display names, in display
    order. Rows keep the model order of ``per_seed`` and carry the models'
    labels; the first column counts the seeds behind each row.
    """
    summary = seed_summary.summarize_over_seeds(per_seed, value_columns=list(columns))
    summary["value"] = [seed_summary.format_mean_sd(mean, sd, digits) for mean, sd in zip(summary["mean"], summary["sd"])]
    table = summary.pivot(index="model", columns="quantity", values="value")
    models = list(dict.fromkeys(per_seed["model"]))
    table = table.reindex(index=models, columns=list(columns)).rename(columns=dict(columns))
    table.insert(0, "seeds", per_seed.groupby("model").size().reindex(models).to_numpy())
    table.index = [MODEL_LABELS.get(model, model) for model in models]
    table.index.name = "model"
    table.columns.name = None
    return table.reset_index()
