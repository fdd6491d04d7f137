"""The chapter's tables, built from experiment results (numbers stay numbers until the page formats them)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import style
from analysis.relevance import experiment, shares
from analysis.relevance.models import MODEL_LABELS

# A model "separates" the groups when the lower end of its subject-level interval is above chance,
# and "reaches the oracle" when its mean is at least this share of the oracle's.
ORACLE_SHARE = 0.95


def _cell(mean: float, low: float, high: float) -> str:
    if not np.isfinite(low):
        return f"{mean:.3f}"
    return f"{mean:.3f} [{low:.3f}, {high:.3f}]"


def contrast_table(scores: pd.DataFrame) -> pd.DataFrame:
    """Per contrast and model: balanced accuracy of trials and subjects with intervals, and the verdict."""
    trial = experiment.summary(scores, "trial_balanced_accuracy")
    subject = experiment.summary(scores, "subject_balanced_accuracy")
    rows = []
    for (_, t), (_, s) in zip(trial.iterrows(), subject.iterrows()):
        oracle = subject[(subject.contrast == s.contrast) & (subject.model == "oracle")]
        if s.model == "oracle":
            verdict = "yardstick"
        elif not (s.low > 0.5):
            verdict = "does not separate"
        elif not oracle.empty and s["mean"] >= ORACLE_SHARE * float(oracle["mean"].iloc[0]):
            verdict = "separates, reaches the oracle"
        else:
            verdict = "separates" + ("" if oracle.empty else ", below the oracle")
        rows.append(
            {
                "contrast": s.contrast,
                "model": MODEL_LABELS.get(s.model, s.model),
                "trials: balanced accuracy": _cell(t["mean"], t.low, t.high),
                "subjects: balanced accuracy": _cell(s["mean"], s.low, s.high),
                "runs": int(s.runs),
                "verdict": verdict,
            }
        )
    return pd.DataFrame(rows)


def share_table(results: dict, channels: tuple[str, ...]) -> pd.DataFrame:
    """Early-phase share per sample and component shares of the MLP's maps, per contrast."""
    rows = []
    for name, result in results.items():
        relevance_map = result.maps.get("mlp")
        if relevance_map is None:
            continue
        components = shares.component_shares(relevance_map, channels)
        rows.append({"contrast": name, EARLY_COLUMN: shares.early_share(relevance_map), **_labelled(components)})
    return pd.DataFrame(rows)


EARLY_COLUMN = "1–47 % (per sample)"


def channel_share_table(results: dict, channels: tuple[str, ...], truth_map: np.ndarray | None) -> pd.DataFrame:
    """Share of |relevance| per channel (rows) for the MLP map of every contrast (columns), the planted truth first."""
    columns: dict[str, pd.Series] = {}
    if truth_map is not None:
        columns["planted: truth"] = shares.channel_shares(truth_map, channels)
    for name, result in results.items():
        if "mlp" in result.maps:
            columns[name] = shares.channel_shares(result.maps["mlp"], channels)
    table = pd.DataFrame(columns)
    table.insert(0, "channel", [style.channel_label(channel) for channel in channels])
    return table.reset_index(drop=True)


def _labelled(components: pd.Series) -> dict[str, float]:
    return {style.component_label(name): float(value) for name, value in components.items()}


def truth_share_row(truth_map: np.ndarray, channels: tuple[str, ...]) -> dict:
    """The share row of the planted contrast's true discriminability map."""
    return {"contrast": "planted: truth", EARLY_COLUMN: shares.early_share(truth_map), **_labelled(shares.component_shares(truth_map, channels))}


def percent(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = frame.copy()
    for column in columns:
        out[column] = [f"{100 * value:.1f} %" for value in out[column]]
    return out


def oracle_note(scores: pd.DataFrame) -> str:
    """A sentence naming the contrasts where some model's mean exceeds the oracle's (the oracle is no bound there)."""
    means = scores.groupby(["contrast", "model"], sort=False)["subject_balanced_accuracy"].mean()
    above = []
    for contrast in scores["contrast"].unique():
        if (contrast, "oracle") not in means.index:
            continue
        models = means.loc[contrast].drop("oracle")
        if (models > means[(contrast, "oracle")]).any():
            above.append(contrast)
    if not above:
        return "No model exceeds its oracle."
    return (
        f"On the {_joined(above)} contrast{'s' if len(above) > 1 else ''} a model exceeds the oracle: the oracle "
        "sees only the generator's named factors, which omit what else the curves carry (and a linear discriminant "
        "on many factors with few subjects in one group overfits), so there it is a reference, not a ceiling."
    )


def _joined(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
