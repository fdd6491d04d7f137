"""The audit's tables: each configuration's measures, and which switch produces which observation.

The verdict rule (stated on the page): an observation of the study is
*reproduced* by a configuration when its written check holds for the means
over seeds. A switch *produces* it when the configuration with that switch
alone reproduces it and the book's pipeline (no switch) does not; when no
switch alone does but all seven together do, it takes the combination; when
the pipeline already reproduces it, no switch is needed to explain it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.audit import switches
from analysis.config import MODEL_LABELS
from analysis.sae import claims

ATTRIBUTES = ("WALKING_SPEED", "AGE", "HEIGHT", "BODY_WEIGHT")
MODELS = ("sae", "sae_disentangled", "svae")
REPRODUCED = "✓"
NOT_REPRODUCED = "✗"
PIPELINE_ALREADY = "the pipeline already (no switch needed)"
ALL_TOGETHER = "only all seven together"
NOWHERE = "no configuration"

MEASURE_LABELS: dict[str, str] = {
    "mse": "MSE (standardised)",
    "mse_raw": "MSE (coefficient units)",
    "fve": "FVE",
    "mean_activation_rate": "activation rate",
    "max_pairwise_abs_r": "max pairwise |r|",
    "max_abs_r_WALKING_SPEED": "max |r| speed",
    "max_abs_r_AGE": "max |r| age",
    "max_abs_r_HEIGHT": "max |r| height",
    "max_abs_r_BODY_WEIGHT": "max |r| weight",
    "whole_pattern_cosine": "C9 cos (whole)",
    "pattern_similarity": "C9 |cos| (deviations)",
    "nan_loss_share": "NaN-loss epochs",
}


def _means(frame: pd.DataFrame, column: str) -> dict[str, float]:
    if column not in frame.columns:
        return {}
    return frame.groupby("model", sort=False)[column].mean().to_dict()


def _listed(values: dict[str, float], digits: int = 2) -> str:
    return " · ".join("n/a" if not np.isfinite(values.get(model, np.nan)) else f"{values[model]:.{digits}f}" for model in MODELS if model in values)


def _finite(values: dict[str, float]) -> dict[str, float]:
    return {model: value for model, value in values.items() if np.isfinite(value)}


def _mse_in_range(column: str) -> Callable[[pd.DataFrame], tuple[bool | None, str]]:
    def check(frame: pd.DataFrame) -> tuple[bool | None, str]:
        values = _means(frame, column)
        finite = _finite(values)
        low, high = claims.PAPER_MSE_RANGE
        met = all(low <= value <= high for value in finite.values()) if len(finite) == len(values) and finite else None
        return met, _listed(values, 3) if column == "mse" else " · ".join(f"{values[m]:.4g}" for m in MODELS if m in values)

    return check


def _mse_order(frame: pd.DataFrame) -> tuple[bool | None, str]:
    values = _finite(_means(frame, "mse"))
    if set(values) != set(MODELS):
        return None, _listed(values, 3)
    met = values["sae"] == min(values.values()) and values["svae"] == max(values.values()) and values["sae"] < values["svae"]
    return met, _listed(values, 3)


def _rates(frame: pd.DataFrame) -> tuple[bool | None, str]:
    values = _means(frame, "mean_activation_rate")
    finite = _finite(values)
    if not finite:
        return None, _listed(values)
    met = all(abs(finite[model] - claims.PAPER_ACTIVATION_RATE[model]) <= claims.ACTIVATION_RATE_TOLERANCE for model in finite)
    return met and len(finite) == len(MODELS), _listed(values)


def _sparsity_order(frame: pd.DataFrame) -> tuple[bool | None, str]:
    verdict = claims.c11_verdict(frame)
    met = None if verdict == claims.UNTESTABLE else verdict in (claims.HOLDS, claims.PARTLY)
    return met, verdict


def _alike(frame: pd.DataFrame) -> tuple[bool | None, str]:
    (_, met), _ = claims.c9_checks(frame)
    return met, _listed(_means(frame, "whole_pattern_cosine"))


def _pairwise(frame: pd.DataFrame) -> tuple[bool | None, str]:
    ((_, met),) = claims.c10_checks(frame)
    return met, _listed(_means(frame, "max_pairwise_abs_r"))


def _speed_strongest(frame: pd.DataFrame) -> tuple[bool | None, str]:
    deterministic = frame[frame["model"].isin(claims.DETERMINISTIC_MODELS)]
    if deterministic.empty or "max_abs_r_WALKING_SPEED" not in deterministic:
        return None, "n/a"
    best = {attribute: float(deterministic.groupby("model")[f"max_abs_r_{attribute}"].mean().max()) for attribute in ATTRIBUTES}
    if not all(np.isfinite(value) for value in best.values()):
        return None, "n/a"
    others = max(best[attribute] for attribute in ATTRIBUTES if attribute != "WALKING_SPEED")
    met = best["WALKING_SPEED"] > claims.SPEED_R_THRESHOLD and best["WALKING_SPEED"] > others
    return met, f"speed {best['WALKING_SPEED']:.2f}, others ≤ {others:.2f}"


def _same_baseline(frame: pd.DataFrame) -> tuple[bool | None, str]:
    values = frame.loc[frame["model"] == "sae", "same_as_sae_disentangled"] if "same_as_sae_disentangled" in frame else pd.Series(dtype=float)
    if values.empty:
        return None, "n/a"
    return bool((values == 1).all()), "same model" if (values == 1).all() else "different models"


def _silent_nan(frame: pd.DataFrame) -> tuple[bool | None, str]:
    shares = frame["nan_loss_share"].astype(float)
    finite = frame["finite_weights"].astype(float) == 1
    silent = (shares > 0) & finite
    return bool(silent.any()), f"largest share {shares.max():.2f}" if silent.any() else "none"


@dataclass(frozen=True)
class Observation:
    """One reported number or observation of the study, with the check that says whether a configuration shows it."""

    key: str
    claim: str
    statement: str
    check: Callable[[pd.DataFrame], tuple[bool | None, str]]


OBSERVATIONS: tuple[Observation, ...] = (
    Observation("mse", "C1", "test MSE 0.08–0.12 for every model (standardised inputs)", _mse_in_range("mse")),
    Observation("mse_raw", "C1", "MSE 0.08–0.12 for every model in coefficient units (unscaled rows)", _mse_in_range("mse_raw")),
    Observation("mse_order", "C1", "SAE lowest MSE, Sparse VAE highest", _mse_order),
    Observation("rates", "C2", "activation rates SAE ≈0.07, SAE+D ≈0.08, Sparse VAE ≈0.12 (± 0.02)", _rates),
    Observation("sparsity_order", "C11", "sparsity order SAE > SAE+D > Sparse VAE", _sparsity_order),
    Observation("alike", "C9", "single-feature reconstructions look alike (mean cos > 0.5)", _alike),
    Observation("pairwise", "C10", "max pairwise |r| ordered SAE+D < Sparse VAE < SAE", _pairwise),
    Observation("speed", "C6", "a feature with |r| > 0.3 with speed; other attributes weaker", _speed_strongest),
    Observation("same_baseline", "code item 9", "the baseline SAE is the SAE + disentanglement (same model and loss)", _same_baseline),
    Observation("silent_nan", "code item 10", "NaN training loss while the weights stay finite", _silent_nan),
)


def observation_matrix(per_seed: pd.DataFrame, configuration_names: list[str]) -> pd.DataFrame:
    """Per observation and configuration: (reproduced?, value text)."""
    rows = []
    for observation in OBSERVATIONS:
        for name in configuration_names:
            met, value = observation.check(per_seed[per_seed["configuration"] == name])
            rows.append({"observation": observation.key, "configuration": name, "met": met, "value": value})
    return pd.DataFrame(rows)


def _met(value: object) -> bool:
    """True only for a check that was made and met (None and NaN: not made)."""
    return value is not None and not (isinstance(value, float) and np.isnan(value)) and bool(value)


def produced_by(matrix: pd.DataFrame, observation: str) -> str:
    """The verdict rule of the module docstring, for one observation."""
    part = matrix[matrix["observation"] == observation].set_index("configuration")["met"]
    if _met(part.get(switches.NONE)):
        return PIPELINE_ALREADY
    singles = [switches.BY_KEY[key].number for key in switches.SWITCH_KEYS if _met(part.get(key))]
    if singles:
        return ("switch " if len(singles) == 1 else "switches ") + ", ".join(str(number) for number in singles)
    if _met(part.get(switches.ALL)):
        return ALL_TOGETHER
    return NOWHERE


def switch_table(per_seed: pd.DataFrame, configuration_names: list[str]) -> pd.DataFrame:
    """Observation × switch: ✓/✗ and the value (SAE · SAE+D · Sparse VAE means) per configuration, and what produces it."""
    matrix = observation_matrix(per_seed, configuration_names)
    rows = []
    for observation in OBSERVATIONS:
        row = {"claim": observation.claim, "observation": observation.statement}
        part = matrix[matrix["observation"] == observation.key].set_index("configuration")
        for name in configuration_names:
            met, value = part.loc[name, "met"], part.loc[name, "value"]
            made = met is not None and not (isinstance(met, float) and np.isnan(met))
            mark = (REPRODUCED if _met(met) else NOT_REPRODUCED) if made else "–"
            row[column_label(name)] = f"{mark} {value}"
        row["produced by"] = produced_by(matrix, observation.key)
        rows.append(row)
    return pd.DataFrame(rows)


def column_label(name: str) -> str:
    """Short names of configurations: "none", "1" … "7", "all", or the switch numbers joined by "+"."""
    if name in (switches.NONE, switches.ALL):
        return name
    numbers = [str(switches.BY_KEY[key].number) for key in name.split("+")]
    return "all but 7" if len(numbers) == len(switches.SWITCH_KEYS) - 1 and "7" not in numbers else "+".join(numbers)


def interval(values: pd.Series, spec: str = ".3f") -> str:
    """'mean [min, max]' over seeds in format ``spec``; 'n/a' without finite values."""
    finite = values.astype(float)
    finite = finite[np.isfinite(finite)]
    if finite.empty:
        return "n/a"
    if len(finite) == 1:
        return f"{finite.mean():{spec}}"
    return f"{finite.mean():{spec}} [{finite.min():{spec}}, {finite.max():{spec}}]"


def measures_table(per_seed: pd.DataFrame, columns: list[str], configuration_names: list[str]) -> pd.DataFrame:
    """Per configuration and model: each measure as mean [min, max] over seeds."""
    rows = []
    for name in configuration_names:
        for model in MODELS:
            part = per_seed[(per_seed["configuration"] == name) & (per_seed["model"] == model)]
            if part.empty:
                continue
            row = {"configuration": column_label(name), "model": MODEL_LABELS[model]}
            for column in columns:
                spec = ".4g" if column == "mse_raw" else ".3f"
                row[MEASURE_LABELS[column]] = interval(part[column], spec) if column in part else "n/a"
            rows.append(row)
    return pd.DataFrame(rows)


def switch_list() -> pd.DataFrame:
    """The seven switches: number, what the code did, what it changes."""
    return pd.DataFrame(
        [{"switch": switch.number, "the original code": switch.description, "changes": switch.changes} for switch in switches.SWITCHES]
    )


def id_effect(per_seed: pd.DataFrame, id_correlations: pd.DataFrame, with_ids: str = "id_columns") -> pd.DataFrame:
    """Per attribute: the deterministic models' largest feature |r| without and with the ID columns in the input.

    "apart" says whether every seed with the IDs exceeds every seed without
    them (the seed ranges do not overlap); the last column is the largest
    |r| of any ID column with that attribute, what a feature copying an ID
    could reach. ``id_correlations`` is :func:`analysis.audit.switches.id_attribute_correlations`.
    """
    deterministic = per_seed[per_seed["model"].isin(("sae", "sae_disentangled"))]
    rows = []
    for attribute in ATTRIBUTES:
        column = f"max_abs_r_{attribute}"
        # Per seed, the larger of the two deterministic models: "a feature of either model".
        best = deterministic.groupby(["configuration", "seed"])[column].max()
        without = best.get(switches.NONE, pd.Series(dtype=float))
        within = best.get(with_ids, pd.Series(dtype=float)) if with_ids in best.index.get_level_values(0) else pd.Series(dtype=float)
        apart = bool(len(within) and len(without) and within.min() > without.max())
        ids = id_correlations.loc[id_correlations["attribute"] == attribute, "abs_r"]
        rows.append(
            {
                "attribute": attribute,
                "without IDs": interval(without),
                "with IDs (switch 2)": interval(within),
                "higher in every seed": "yes" if apart else "no",
                "largest |r| of an ID column": "n/a" if ids.isna().all() else f"{ids.max():.3f}",
                "_increase": float(within.mean() - without.mean()) if len(within) and len(without) else np.nan,
                "_apart": apart,
            }
        )
    return pd.DataFrame(rows)
