"""The observation × switch table and its verdict rule."""

from __future__ import annotations

import pandas as pd

from analysis.audit import tables


def _matrix(met: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame([{"observation": "x", "configuration": name, "met": value, "value": ""} for name, value in met.items()])


def test_verdict_rule() -> None:
    assert tables.produced_by(_matrix({"none": True, "id_columns": True, "all": True}), "x") == tables.PIPELINE_ALREADY
    assert tables.produced_by(_matrix({"none": False, "id_columns": True, "no_split": True, "all": True}), "x") == "switches 2, 3"
    assert tables.produced_by(_matrix({"none": False, "per_curve": True, "all": False}), "x") == "switch 1"
    assert tables.produced_by(_matrix({"none": False, "per_curve": False, "all": True}), "x") == tables.ALL_TOGETHER
    assert tables.produced_by(_matrix({"none": None, "per_curve": float("nan"), "all": False}), "x") == tables.NOWHERE


def _per_seed(configuration: str, mse: float, rates: tuple[float, float, float]) -> list[dict[str, object]]:
    rows = []
    for model, rate in zip(tables.MODELS, rates, strict=True):
        for seed in (0, 1):
            rows.append(
                {
                    "configuration": configuration, "model": model, "seed": seed, "mse": mse + 0.001 * tables.MODELS.index(model),
                    "mse_raw": 5.0, "mean_activation_rate": rate, "max_pairwise_abs_r": 0.3, "whole_pattern_cosine": 0.9,
                    "pattern_similarity": 0.2, "nan_loss_share": 0.0, "finite_weights": 1.0,
                    **{f"max_abs_r_{attribute}": 0.1 for attribute in tables.ATTRIBUTES},
                }
            )  # fmt: skip
    return rows


def test_switch_table_marks_the_configuration_that_reproduces_a_number() -> None:
    per_seed = pd.DataFrame(
        _per_seed("none", 0.6, (0.3, 0.3, 0.3)) + _per_seed("per_curve", 0.1, (0.07, 0.08, 0.12)) + _per_seed("all", 0.5, (0.5, 0.5, 0.5))
    )
    table = tables.switch_table(per_seed, ["none", "per_curve", "all"]).set_index("claim")
    mse_row = table[table["observation"].str.startswith("test MSE")].iloc[0]
    assert mse_row["1"].startswith(tables.REPRODUCED) and mse_row["none"].startswith(tables.NOT_REPRODUCED)
    assert mse_row["produced by"] == "switch 1"
    assert table.loc["C2", "produced by"] == "switch 1"
    assert tables.column_label("per_curve+id_columns") == "1+2"


def test_interval_formats_mean_and_range() -> None:
    assert tables.interval(pd.Series([0.1, 0.2, 0.3])) == "0.200 [0.100, 0.300]"
    assert tables.interval(pd.Series([float("nan")])) == "n/a"
    assert tables.interval(pd.Series([2430.0, 2440.0]), ".4g") == "2435 [2430, 2440]"
