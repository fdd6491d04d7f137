"""What the models chapter reports about training: loss weights, errors, epochs, time.

The loss weights are read from the models the settings would build, never
restated by hand, so the page always shows what was trained. Reconstruction
error is measured once per seed with :func:`analysis.engine.training.evaluate`;
summaries are means ± SD over seeds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np
import pandas as pd

from analysis.config import MODEL_LABELS
from analysis.engine import training
from analysis.evaluation import seed_summary
from analysis.sae.claims import FAILS, HOLDS, PAPER_MSE_RANGE, UNTESTABLE
from analysis.sae.models import ModelConfig, build_model, per_coefficient_kl_weight
from analysis.sae.study import Study

# (ModelConfig field, symbol, what it weighs or sets). A model uses a field
# when the model it builds keeps an attribute of that name.
LOSS_PARAMETERS: tuple[tuple[str, str, str], ...] = (
    ("sparsity_target", "ρ", "target mean activation of a latent unit"),
    ("sparsity_weight", "λ₁", "weight of Σⱼ KL(ρ ‖ ρ̂ⱼ)"),
    ("l1_weight", "λ₂", "weight of the mean |code| (h, or z for the Sparse VAE)"),
    ("disentanglement_weight", "λ₃", "weight of Σᵢ≠ⱼ Cov(hᵢ, hⱼ)²"),
    ("kl_weight", "β", "weight of KL(q(z|x) ‖ N(0, I))"),
)
NOT_USED = "–"


def loss_weight_table(configs: Mapping[str, ModelConfig]) -> pd.DataFrame:
    """One row per loss parameter, one column per model: the value it trains with, or "–".

    ``configs`` maps model names to the configurations that were trained
    (e.g. ``run.config`` of a trained seed), so calibrated weights show as chosen.
    """
    table = pd.DataFrame(
        {"parameter": [symbol for _, symbol, _ in LOSS_PARAMETERS], "meaning": [meaning for _, _, meaning in LOSS_PARAMETERS]}
    )
    for name, config in configs.items():
        # Tiny dimensions: only which attributes the model keeps matters here.
        model = build_model(replace(config, input_dim=1, latent_dim=1), seeds=(0,))
        table[MODEL_LABELS.get(name, name)] = [
            _weight_text(getattr(config, field), config.input_dim) if hasattr(model, field) else NOT_USED
            for field, _, _ in LOSS_PARAMETERS
        ]
    return table


def _weight_text(value: float, input_dim: int) -> str:
    """A weight as printed; β = 1/d is named as such, since its decimals say little."""
    if input_dim > 1 and value == per_coefficient_kl_weight(input_dim):
        return f"1/{input_dim} = {value:.2g}"
    return f"{value:g}"


def training_record(runs: dict[str, list[training.TrainedModel]], study: Study, part: str = "test") -> pd.DataFrame:
    """One row per model and seed: reconstruction error on ``part``, epochs, time, device, cache."""
    inputs = study.inputs(part)
    rows = []
    for name, seed_runs in runs.items():
        for run in seed_runs:
            scores = training.evaluate(run, inputs)
            rows.append(
                {
                    "model": name,
                    "seed": run.seed,
                    "mse": scores["mse"],
                    "fve": scores["fve"],
                    "best_epoch": run.best_epoch,
                    "stopped_epoch": run.stopped_epoch,
                    "seconds": run.seconds,
                    "device": run.device,
                    "from_cache": run.from_cache,
                }
            )
    return pd.DataFrame(rows)


def _seed_list(values: pd.Series) -> str:
    return ", ".join(str(int(value)) for value in values)


def training_summary(record: pd.DataFrame, max_epochs: int | None = None) -> pd.DataFrame:
    """Per model: test MSE and FVE (mean ± SD over seeds), epochs per seed, wall time, device.

    Seeds of a model train together in one run, so its wall time is that of
    the run (the largest recorded), not a sum over seeds.
    """
    summary = seed_summary.summarize_over_seeds(record, value_columns=["mse", "fve"])
    rows = []
    for name, members in record.groupby("model", sort=False):
        statistics = summary[summary["model"] == name].set_index("quantity")
        cached = bool(members["from_cache"].all())
        stopped = _seed_list(members["stopped_epoch"])
        rows.append(
            {
                "model": MODEL_LABELS.get(name, name),
                "seeds": len(members),
                "test MSE": seed_summary.format_mean_sd(statistics.loc["mse", "mean"], statistics.loc["mse", "sd"], 3),
                "test FVE": seed_summary.format_mean_sd(statistics.loc["fve", "mean"], statistics.loc["fve", "sd"], 3),
                "best epoch per seed": _seed_list(members["best_epoch"]),
                "stopped at epoch" + (f" (of {max_epochs})" if max_epochs else ""): stopped,
                "wall time (s)": f"{members['seconds'].max():.1f}",
                "device": ", ".join(dict.fromkeys(members["device"])),
                "weights": "loaded from the cache" if cached else "trained in this run",
            }
        )
    return pd.DataFrame(rows)


def largest_validation_kl(run: training.TrainedModel) -> float:
    """The largest epoch mean of the unweighted VAE KL term on the validation rows (NaN without one)."""
    history = run.history
    values = history[(history["part"] == "validation") & (history["term"] == "vae_kl")]["value"]
    return float(values.max()) if len(values) else float("nan")


def beta_comparison(
    runs: dict[str, list[training.TrainedModel]], record: pd.DataFrame, labels: dict[str, str], collapse_fve: float
) -> pd.DataFrame:
    """Variants of one model side by side: β, test error, the largest validation KL, collapsed runs.

    ``record`` is :func:`training_record` of ``runs``. A run counts as
    collapsed when its test FVE is below ``collapse_fve``.
    """
    rows = []
    for key, seed_runs in runs.items():
        members = record[record["model"] == key]
        kl = [largest_validation_kl(run) for run in seed_runs]
        rows.append(
            {
                "variant": labels.get(key, key),
                "β": _weight_text(seed_runs[0].config.kl_weight, seed_runs[0].config.input_dim),
                "test MSE": seed_summary.format_mean_sd(members["mse"].mean(), members["mse"].std(), 3),
                "test FVE": seed_summary.format_mean_sd(members["fve"].mean(), members["fve"].std(), 3),
                "largest validation KL": f"{max(kl):.3g}",
                "collapsed runs": f"{int((members['fve'] < collapse_fve).sum())} of {len(members)}",
            }
        )
    return pd.DataFrame(rows)


def claim_c1(record: pd.DataFrame) -> pd.DataFrame:
    """The study's claim C1, check by check, on the mean test MSE over seeds."""
    mse = record.groupby("model", sort=False)["mse"].mean()
    low, high = PAPER_MSE_RANGE

    def verdict(result: bool | None) -> str:
        return UNTESTABLE if result is None else (HOLDS if result else FAILS)

    inside = {name: bool(low <= value <= high) for name, value in mse.items()}
    everyone = set(MODEL_LABELS) <= set(mse.index)
    rows = [
        {
            "check": f"test MSE of every model within {low:g}–{high:g}",
            "this build": "; ".join(f"{MODEL_LABELS.get(name, name)} {value:.3f}" for name, value in mse.items()),
            "verdict": verdict(all(inside.values()) if inside else None),
        },
        {
            "check": "SAE has the lowest test MSE",
            "this build": f"lowest: {MODEL_LABELS[mse.idxmin()]}" if everyone else "needs all three models",
            "verdict": verdict(mse.idxmin() == "sae" if everyone else None),
        },
        {
            "check": "Sparse VAE has the highest test MSE",
            "this build": f"highest: {MODEL_LABELS[mse.idxmax()]}" if everyone else "needs all three models",
            "verdict": verdict(mse.idxmax() == "svae" if everyone else None),
        },
    ]
    return pd.DataFrame(rows)


def model_mse(record: pd.DataFrame) -> dict[str, float]:
    """Mean test MSE of every model in ``record`` (NaN for models it lacks)."""
    means = record.groupby("model")["mse"].mean()
    return {name: float(means.get(name, np.nan)) for name in MODEL_LABELS}
