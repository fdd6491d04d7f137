"""The chapter's tables as a reader sees them, and the written rules that turn numbers into verdicts.

Verdict rules (stated on the page):

* **comparison**: at each severity the autoencoder's pooled channel AUROC is
  compared with the best baseline's at that severity (paired subject
  bootstrap of the difference): "autoencoder better" when the 95 % interval
  of the difference lies above 0, "baseline better" when below, otherwise
  "no clear difference" — and then the cheaper baseline is preferred;
* **twin**: a twin *corrects* a condition when the deviation reduction is
  positive, the paired Wilcoxon test gives p < 0.05 and d_z ≥ 0.8 (a large
  effect);
* **identity kept**: the re-identification rate of twins is at least 90 % of
  the rate on the untouched curves.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from analysis.config import GenGaitSettings
from analysis.data.abnormalities import ABNORMALITIES
from analysis.gengait.evaluation import MAE
from analysis.gengait.training import TrainedAutoencoder

LARGE_EFFECT = 0.8
SIGNIFICANCE = 0.05
IDENTITY_SHARE = 0.9
BETTER, WORSE, UNCLEAR = "autoencoder better", "baseline better", "no clear difference"


def number(value: float, digits: int = 2, signed: bool = False) -> str:
    """A rounded number as text; never "-0.00" (a rounded zero has no sign)."""
    if value is None or not np.isfinite(value):
        return "–"
    rounded = round(float(value), digits) + 0.0
    return f"{rounded:+.{digits}f}" if signed else f"{rounded:.{digits}f}"


def p_value(value: float) -> str:
    if value is None or not np.isfinite(value):
        return "–"
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def with_interval(value: float, low: float, high: float, digits: int = 2) -> str:
    if not np.isfinite(value):
        return "–"
    if not (np.isfinite(low) and np.isfinite(high)):
        return number(value, digits)
    return f"{number(value, digits)} [{number(low, digits)}, {number(high, digits)}]"


def condition_label(kind: str, side: str) -> str:
    label = ABNORMALITIES[kind].label
    return f"{label} (both sides)" if side == "both" else label


def settings_table(settings: GenGaitSettings, trained: TrainedAutoencoder) -> pd.DataFrame:
    layout = trained.layout
    rows = [
        ("profile", settings.profile),
        ("cohort and split", f"the study's {settings.study_profile} profile (same subjects in training, validation and test)"),
        ("tokens", f"{layout.n_channels} channels × {layout.n_patches} patches of {layout.patch} samples"),
        ("encoder / decoder layers", f"{settings.encoder_layers} / {settings.decoder_layers}"),
        ("width, heads, feed-forward", f"{settings.d_model}, {settings.heads}, {settings.feedforward}"),
        ("parameters", f"{trained.n_parameters:,}"),
        ("epochs (patience), batch, learning rate", f"{settings.epochs} ({settings.patience}), {settings.batch_size}, {settings.learning_rate:g}"),
        ("calibrated false-flag rate per trial", f"{settings.flag_rate:g}"),
        ("severities (healthy SD)", ", ".join(f"{value:g}" for value in settings.severities)),
        ("evaluation trials per test subject", str(settings.trials_per_subject)),
        ("bootstrap resamples of subjects", str(settings.n_bootstrap)),
    ]
    return pd.DataFrame(rows, columns=["setting", "value"])


def false_flags(table: pd.DataFrame, labels: Mapping[str, str], rate: float) -> pd.DataFrame:
    rows = []
    for row in table.itertuples():
        inside = row.low <= rate <= row.high
        rows.append({"method": labels[row.method], "untouched trials": row.trials,
                     "trials flagged (95 % interval)": with_interval(row.rate, row.low, row.high),
                     "calibrated rate": f"{rate:g}", "calibrated rate inside interval": bool(inside)})  # fmt: skip
    return pd.DataFrame(rows)


def localisation(table: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for row in table[(table["method"] == MAE) & (table["kind"] != "none")].itertuples():
        rows.append({
            "abnormality": condition_label(row.kind, row.side), "severity (SD)": f"{row.severity:g}",
            "channel AUROC (95 % interval)": with_interval(row.auroc, row.auroc_low, row.auroc_high),
            "top-2 hit": number(row.top2), "trials flagged": number(row.flagged),
            "untouched channels flagged per trial": number(row.wrong_channel_flags), "window IoU": number(row.iou),
        })  # fmt: skip
    return pd.DataFrame(rows)


def comparison(pooled: pd.DataFrame, labels: Mapping[str, str]) -> pd.DataFrame:
    """Pooled AUROC of every method per scope and severity, the best baseline, and the verdict by the rule."""
    rows = []
    for (scope, severity), group in pooled.groupby(["scope", "severity"], sort=False):
        row: dict[str, object] = {"abnormality on": scope, "severity (SD)": f"{severity:g}"}
        for method in labels:
            found = group[group["method"] == method].iloc[0]
            row[labels[method]] = with_interval(found["auroc"], found["auroc_low"], found["auroc_high"])
        baselines = group[group["method"] != MAE]
        best = baselines.loc[baselines["auroc"].idxmax()]
        row["best baseline"] = labels[best["method"]]
        row["autoencoder − best (95 % interval)"] = f"[{number(best['difference_low'], signed=True)}, {number(best['difference_high'], signed=True)}]"
        row["verdict"] = verdict(best["difference_low"], best["difference_high"])
        rows.append(row)
    return pd.DataFrame(rows)


def verdict(low: float, high: float) -> str:
    if np.isfinite(low) and low > 0:
        return BETTER
    if np.isfinite(high) and high < 0:
        return WORSE
    return UNCLEAR


def twin(table: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for row in table[table["kind"] != "none"].itertuples():
        corrects = row.reduction > 0 and row.p_wilcoxon < SIGNIFICANCE and row.d_z >= LARGE_EFFECT
        rows.append({
            "abnormality": condition_label(row.kind, row.side), "severity (SD)": f"{row.severity:g}", "subjects": row.subjects,
            "RMSE input → twin": f"{number(row.rmse_input)} → {number(row.rmse_twin)}", "reduction": number(row.reduction),
            "p (Wilcoxon)": p_value(row.p_wilcoxon), "d_z": number(row.d_z), "corrects": bool(corrects),
            "reduction, true mask": number(row.reduction_oracle),
            "true-mask twin vs mean curve (RMSE)": f"{number(row.rmse_oracle)} vs {number(row.rmse_population_oracle)}",
            "untouched channels: RMSE": number(row.preserved_rmse, 3),
        })  # fmt: skip
    return pd.DataFrame(rows)


def identity(table: pd.DataFrame) -> pd.DataFrame:
    """Re-identification per severity, averaged over kinds (the control on its own row)."""
    columns = {"untouched": "untouched", "abnormal": "abnormal input", "twin": "twin", "oracle_twin": "twin, true mask",
               "population_oracle": "mean curve, true mask"}  # fmt: skip
    grouped = table.assign(scope=np.where(table["kind"] == "none", "control", np.where(table["side"] == "both", "both sides", "one side")))
    summary = grouped.groupby(["scope", "severity"], sort=False)[list(columns)].mean().reset_index()
    summary["identity kept"] = summary["twin"] >= IDENTITY_SHARE * summary["untouched"]
    summary["severity"] = summary["severity"].map(lambda value: f"{value:g}")
    for column in columns:
        summary[column] = summary[column].map(number)
    return summary.rename(columns={"scope": "abnormality on", "severity": "severity (SD)", **columns})


def timing(fit_seconds: Mapping[str, float], per_trial: Mapping[str, float], labels: Mapping[str, str]) -> pd.DataFrame:
    rows = [{"method": labels[name], "fit (s)": number(fit_seconds.get(name, np.nan), 1),
             "scoring per trial (ms)": number(1000 * per_trial[name], 2)} for name in labels if name in per_trial]  # fmt: skip
    return pd.DataFrame(rows)
