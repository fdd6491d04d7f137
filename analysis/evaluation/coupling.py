"""How the channels of a cohort hang together: cross-channel predictability and the AP impulse balance.

Two mechanical facts tie the ten curves of a trial to each other. The shear
force points from the centre of pressure towards a point above the body's
centre of mass, so the anterior-posterior (AP) force follows from the
vertical force and the COP; and at constant walking speed the braking and
propulsive impulses of a step cancel. A cohort whose channels are
independent given the covariates (the synthetic generator before coupling)
shows neither; real curves show both. The measures here say how strongly a
cohort's channels carry information about each other, whatever made them:

* :func:`cross_channel_predictability` – out-of-fold R² of each channel from
  the other channels (ridge regression, folds grouped by subject, so that a
  person's own other trials cannot give their curves away);
* :func:`ap_impulse_balance` – net AP impulse of every step as a share of its
  braking impulse.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupKFold

from analysis.data import CHANNELS, N_SAMPLES, SIDES

DEFAULT_ALPHAS: tuple[float, ...] = tuple(10.0**power for power in range(-1, 8))
DEFAULT_COMPONENTS = 20  # principal components kept per predictor channel
PREDICTOR_SETS: tuple[str, ...] = ("other_channels", "other_components")


def _checked(curves: np.ndarray, channels: Sequence[str]) -> np.ndarray:
    array = np.asarray(curves, dtype=np.float64)
    if array.ndim != 3 or array.shape[1] != len(channels):
        raise ValueError(f"curves must have shape (n_trials, {len(channels)} channels, n_samples), got {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError("curves contain non-finite values")
    return array


def _component(channel: str) -> str:
    return channel.rpartition("_")[0]


def _channel_scores(array: np.ndarray, train: np.ndarray, n_components: int) -> tuple[np.ndarray, np.ndarray]:
    """Every channel as its leading principal-component scores, fitted on the training trials only.

    Each channel is divided by its training SD first, so channels in BW and
    in metres weigh alike; the scores keep their variances, so the ridge
    penalty shrinks a channel's minor directions more than its major ones.
    Returns scores ``(n_trials, sum of components)`` and the channel of each column.
    """
    blocks, owner = [], []
    for index in range(array.shape[1]):
        channel = array[:, index, :]
        centre = channel[train].mean(axis=0)
        scale = float(channel[train].std())
        centred = (channel - centre) / (scale if scale > 0 else 1.0)
        variances, directions = np.linalg.eigh(centred[train].T @ centred[train])
        kept = directions[:, np.argsort(variances)[::-1][:n_components]]
        blocks.append(centred @ kept)
        owner.extend([index] * kept.shape[1])
    return np.concatenate(blocks, axis=1), np.asarray(owner)


class _RidgePath:
    """Ridge fits for every penalty from one eigendecomposition of a centred Gram matrix.

    The fit is the textbook one (intercept by centring, the same penalty on
    every coefficient); doing it by hand lets all target channels share the
    Gram matrix of a fold and lets every penalty share one decomposition,
    which brings the full-cohort table down to seconds.
    """

    def __init__(self, features: np.ndarray, responses: np.ndarray) -> None:
        self.feature_mean = features.mean(axis=0)
        self.response_mean = responses.mean(axis=0)
        centred = features - self.feature_mean
        self.gram = centred.T @ centred
        self.cross = centred.T @ (responses - self.response_mean)

    def _decomposed(self, columns: np.ndarray, targets: slice) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        eigenvalues, eigenvectors = np.linalg.eigh(self.gram[np.ix_(columns, columns)])
        return np.maximum(eigenvalues, 0.0), eigenvectors, eigenvectors.T @ self.cross[columns, targets]

    def coefficients(self, columns: np.ndarray, targets: slice, alpha: float) -> np.ndarray:
        eigenvalues, eigenvectors, rotated = self._decomposed(columns, targets)
        return eigenvectors @ (rotated / (eigenvalues + alpha)[:, None])

    def squared_errors(
        self, features: np.ndarray, responses: np.ndarray, columns: np.ndarray, targets: slice, alphas: Sequence[float]
    ) -> np.ndarray:
        """Sum of squared prediction errors on held-out rows, for each penalty.

        Expanded as |P D R|² − 2 <Y, P D R> + |Y|² with P the held-out inputs
        in the eigenbasis, so no prediction matrix is formed per penalty.
        """
        eigenvalues, eigenvectors, rotated = self._decomposed(columns, targets)
        inputs = (features[:, columns] - self.feature_mean[columns]) @ eigenvectors
        observed = responses - self.response_mean[targets]
        inputs_gram, inputs_cross = inputs.T @ inputs, inputs.T @ observed
        total = float((observed**2).sum())
        errors = []
        for alpha in alphas:
            scaled = rotated / (eigenvalues + alpha)[:, None]
            errors.append(float(((inputs_gram @ scaled) * scaled).sum() - 2.0 * (inputs_cross * scaled).sum() + total))
        return np.asarray(errors)

    def predict(self, features: np.ndarray, columns: np.ndarray, targets: slice, weights: np.ndarray) -> np.ndarray:
        return (features[:, columns] - self.feature_mean[columns]) @ weights + self.response_mean[targets]


def _predictor_columns(owner: np.ndarray, channels: Sequence[str], target_index: int, predictors: str) -> np.ndarray:
    target = channels[target_index]
    if predictors == "other_channels":
        inputs = [index for index in range(len(channels)) if index != target_index]
    else:
        inputs = [index for index, channel in enumerate(channels) if _component(channel) != _component(target)]
    return np.flatnonzero(np.isin(owner, inputs))


def cross_channel_predictability(
    curves: np.ndarray,
    groups: np.ndarray | Sequence[object],
    channels: Sequence[str] = CHANNELS,
    predictors: str = "other_channels",
    n_splits: int = 5,
    alphas: Sequence[float] = DEFAULT_ALPHAS,
    n_components: int = DEFAULT_COMPONENTS,
) -> pd.DataFrame:
    """R² of each channel predicted from the others, out of fold, one row per channel.

    For every channel, a ridge regression maps the other channels
    (``predictors="other_channels"``: all nine others; ``"other_components"``:
    only other force/COP components, so that a channel's own other side does
    not count) to its 101 samples. Folds are grouped by ``groups`` (the
    subject, scikit-learn's ``GroupKFold``), so a person is never in training
    and test at once, and the penalty is chosen from ``alphas`` by a second,
    inner subject-grouped cross-validation inside each training fold (a
    trial-wise choice would reward recognising the person). Predictor
    channels enter as their leading ``n_components`` principal-component
    scores, fitted inside each training fold; smooth curves need few, and
    the ridge penalty would shrink the rest away. ``r2`` is 1 − SSE / SST
    over all out-of-fold predictions and all samples of the channel, SST
    taken around the channel's mean curve: the share of the channel's
    trial-to-trial variance that the other channels predict. ``alpha`` is
    the median penalty chosen over folds.
    """
    array = _checked(curves, channels)
    if predictors not in PREDICTOR_SETS:
        raise ValueError(f"predictors must be one of {list(PREDICTOR_SETS)}, got {predictors!r}")
    labels = np.asarray(groups)
    if labels.shape != (array.shape[0],):
        raise ValueError(f"groups must hold one label per trial ({array.shape[0]}), got shape {labels.shape}")
    n_groups = np.unique(labels).size
    if not 2 <= n_splits <= n_groups // 2:
        raise ValueError(f"n_splits must be between 2 and half the number of subjects ({n_groups // 2}), got {n_splits}")
    if n_components < 1:
        raise ValueError(f"n_components must be at least 1, got {n_components}")
    if len(alphas) == 0 or min(alphas) <= 0:
        raise ValueError(f"alphas must be positive penalties, got {list(alphas)}")
    n_trials, n_channels, n_samples = array.shape
    flat = array.reshape(n_trials, -1)
    predicted = np.empty_like(flat)
    chosen: dict[int, list[float]] = {index: [] for index in range(n_channels)}
    for train, test in GroupKFold(n_splits=n_splits).split(flat, groups=labels):
        scores, owner = _channel_scores(array, train, n_components)
        inner = [
            (train[check], _RidgePath(scores[train[fit]], flat[train[fit]]))
            for fit, check in GroupKFold(n_splits=min(3, np.unique(labels[train]).size)).split(train, groups=labels[train])
        ]
        outer = _RidgePath(scores[train], flat[train])
        for target_index in range(n_channels):
            columns = _predictor_columns(owner, channels, target_index, predictors)
            targets = slice(target_index * n_samples, (target_index + 1) * n_samples)
            errors = sum(
                path.squared_errors(scores[check], flat[check, targets], columns, targets, alphas) for check, path in inner
            )
            best = int(np.argmin(errors))
            weights = outer.coefficients(columns, targets, alphas[best])
            predicted[test, targets] = outer.predict(scores[test], columns, targets, weights)
            chosen[target_index].append(float(alphas[best]))
    rows = []
    for target_index, target in enumerate(channels):
        targets = slice(target_index * n_samples, (target_index + 1) * n_samples)
        response = flat[:, targets]
        residual = float(((response - predicted[:, targets]) ** 2).sum())
        total = float(((response - response.mean(axis=0)) ** 2).sum())
        rows.append(
            {
                "channel": target,
                "predictors": predictors,
                "n_predictor_channels": len(set(owner[_predictor_columns(owner, channels, target_index, predictors)])),
                "r2": 1.0 - residual / total if total > 0 else np.nan,
                "alpha": float(np.median(chosen[target_index])),
                "n_trials": n_trials,
                "n_subjects": n_groups,
            }
        )
    return pd.DataFrame(rows)


def compare_predictability(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Two tables of :func:`cross_channel_predictability` side by side: ``r2_before``, ``r2_after``, ``change``."""
    keys = ["channel", "predictors"]
    for name, table in (("before", before), ("after", after)):
        missing = [column for column in (*keys, "r2") if column not in table.columns]
        if missing:
            raise ValueError(f"the {name} table lacks the column(s) {missing}; make it with cross_channel_predictability")
    merged = before[[*keys, "r2"]].merge(after[[*keys, "r2"]], on=keys, suffixes=("_before", "_after"), validate="one_to_one")
    if len(merged) != len(before) or len(merged) != len(after):
        raise ValueError("the before and after tables must list the same channels with the same predictors")
    merged["change"] = merged["r2_after"] - merged["r2_before"]
    return merged


def ap_impulse_balance(curves: np.ndarray, channels: Sequence[str] = CHANNELS) -> pd.DataFrame:
    """Braking, propulsive and net AP impulse of every step, one row per trial and side.

    Impulses are integrals of the AP force over stance (trapezoidal rule) in
    BW · % stance, the unit the time-normalised curves allow: braking is the
    integral of the negative part, propulsion of the positive part, net their
    sum. ``net_to_braking`` = net / |braking|: 0 for a step taken at constant
    speed, positive for a step that speeds the body up.
    """
    array = _checked(curves, channels)
    if array.shape[2] != N_SAMPLES:
        raise ValueError(f"curves must have {N_SAMPLES} samples per channel, got {array.shape[2]}")
    frames = []
    for side in SIDES:
        name = f"F_AP_{side}"
        if name not in channels:
            raise ValueError(f"the AP impulse needs the channel {name}; got {list(channels)}")
        force = array[:, list(channels).index(name), :]
        braking = np.trapezoid(np.minimum(force, 0.0), dx=100.0 / (N_SAMPLES - 1), axis=1)
        propulsion = np.trapezoid(np.maximum(force, 0.0), dx=100.0 / (N_SAMPLES - 1), axis=1)
        net = braking + propulsion
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(braking < 0, net / np.abs(braking), np.nan)
        frames.append(
            pd.DataFrame(
                {
                    "trial": np.arange(array.shape[0]),
                    "side": side,
                    "braking_impulse": braking,
                    "propulsive_impulse": propulsion,
                    "net_impulse": net,
                    "net_to_braking": ratio,
                }
            )
        )
    return pd.concat(frames, ignore_index=True).sort_values(["trial", "side"], kind="stable").reset_index(drop=True)


def summarize_impulse_balance(balance: pd.DataFrame) -> dict[str, float]:
    """Mean, SD and 95th percentile of |net| / braking over all steps, and the share within 10 %."""
    ratio = balance["net_to_braking"].dropna().to_numpy()
    if ratio.size == 0:
        raise ValueError("no step has a braking impulse")
    return {
        "n_steps": float(ratio.size),
        "mean_net_to_braking": float(ratio.mean()),
        "sd_net_to_braking": float(ratio.std(ddof=1)) if ratio.size > 1 else float("nan"),
        "abs_p95_net_to_braking": float(np.percentile(np.abs(ratio), 95)),
        "share_within_10_percent": float((np.abs(ratio) <= 0.10).mean()),
    }


def predictability_before_after(
    before: np.ndarray,
    after: np.ndarray,
    groups: np.ndarray | Sequence[object],
    channels: Sequence[str] = CHANNELS,
    predictor_sets: Sequence[str] = PREDICTOR_SETS,
    **options: object,
) -> pd.DataFrame:
    """Cross-channel R² of two versions of the same trials (e.g. the generator without and with coupling).

    ``before`` and ``after`` are ``(n_trials, n_channels, n_samples)`` with
    rows for the same trials, grouped by ``groups``; one row per channel and
    predictor set with ``r2_before``, ``r2_after`` and ``change``. Further
    keyword options go to :func:`cross_channel_predictability`.
    """
    if np.shape(before) != np.shape(after):
        raise ValueError(f"before and after must hold the same trials and channels, got {np.shape(before)} and {np.shape(after)}")
    tables = []
    for predictors in predictor_sets:
        tables.append(
            compare_predictability(
                cross_channel_predictability(before, groups, channels, predictors=predictors, **options),  # type: ignore[arg-type]
                cross_channel_predictability(after, groups, channels, predictors=predictors, **options),  # type: ignore[arg-type]
            )
        )
    return pd.concat(tables, ignore_index=True)


PREDICTOR_LABELS: dict[str, str] = {
    "other_channels": "from the other nine channels",
    "other_components": "from the other components only",
}


def format_predictability(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`predictability_before_after` as a book table: one row per channel, 'before → after' per predictor set."""
    missing = [column for column in ("channel", "predictors", "r2_before", "r2_after") if column not in table.columns]
    if missing:
        raise ValueError(f"the table lacks the column(s) {missing}; make it with predictability_before_after")
    rows: dict[str, dict[str, str]] = {}
    for row in table.itertuples(index=False):
        label = PREDICTOR_LABELS.get(row.predictors, row.predictors)
        rows.setdefault(row.channel, {"channel": row.channel})[f"R², {label}"] = f"{row.r2_before:.2f} → {row.r2_after:.2f}"
    return pd.DataFrame(list(rows.values()))
