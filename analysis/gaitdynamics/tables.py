"""Book tables of the chapter: errors with subject-bootstrap intervals, verdicts by a written rule.

Verdict rule (stated on the page): the diffusion model is "better" than a
baseline when the 95 % subject-bootstrap interval of the per-subject error
difference (diffusion − baseline) lies wholly below zero, "worse" when it
lies wholly above, otherwise "no difference shown".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.gaitdynamics import metrics
from analysis.gaitdynamics.tasks import BEST, DIFFUSION, REFINEMENT

BASELINE_EXCLUDED = (DIFFUSION, BEST, REFINEMENT)


def component(channel: str) -> str:
    return channel.rpartition("_")[0]


def unit(channel_or_component: str) -> str:
    return "mm" if channel_or_component.startswith("COP") else "% BW"


def _per_trial(errors: pd.DataFrame) -> pd.DataFrame:
    """Mean error per trial, method and component (sides pooled)."""
    frame = errors.assign(component=errors["channel"].map(component))
    return frame.groupby(["scenario", "method", "component", "trial", "subject"], as_index=False)["mae"].mean()


def task_table(errors: pd.DataFrame, scenario: str, n_bootstrap: int) -> pd.DataFrame:
    """Methods × components of one scenario: mean error [95 % interval] in % BW or mm."""
    frame = _per_trial(errors[errors["scenario"] == scenario])
    columns = list(dict.fromkeys(frame["component"]))
    rows = []
    for method, group in frame.groupby("method", sort=False):
        row = {"method": method}
        for name in columns:
            part = group[group["component"] == name]
            row[f"{name} ({unit(name)})"] = metrics.format_interval(*metrics.subject_bootstrap(part["mae"].to_numpy(), part["subject"].to_numpy(), n_bootstrap))
        rows.append(row)
    return pd.DataFrame(rows)


def verdicts(errors: pd.DataFrame, n_bootstrap: int) -> pd.DataFrame:
    """Per scenario and component: the best baseline, diffusion − best baseline [interval], verdict, ratio to best achievable."""
    frame = _per_trial(errors)
    rows = []
    for (scenario, name), group in frame.groupby(["scenario", "component"], sort=False):
        wide = group.pivot_table(index=["trial", "subject"], columns="method", values="mae").reset_index()
        candidates = [method for method in wide.columns if method not in (*BASELINE_EXCLUDED, "trial", "subject")]
        best = min(candidates, key=lambda method: wide[method].mean())
        difference = metrics.subject_bootstrap((wide[DIFFUSION] - wide[best]).to_numpy(), wide["subject"].to_numpy(), n_bootstrap)
        verdict = "better" if difference[2] < 0 else "worse" if difference[1] > 0 else "no difference shown"
        ratio = wide[DIFFUSION].mean() / wide[BEST].mean() if BEST in wide.columns else np.nan
        rows.append(
            {
                "scenario": scenario,
                "component": f"{name} ({unit(name)})",
                "diffusion": round(float(wide[DIFFUSION].mean()), 2),
                "best baseline": best,
                "its error": round(float(wide[best].mean()), 2),
                "diffusion − baseline [95 % CI]": metrics.format_interval(*difference),
                "verdict": verdict,
                "diffusion / best achievable": "–" if np.isnan(ratio) else f"{ratio:.2f}",
            }
        )
    return pd.DataFrame(rows)


def calibration_table(calibration: pd.DataFrame, n_samples: int) -> pd.DataFrame:
    """Per task and sampler: mean CRPS (forces % BW, COP mm) and coverage of the sample range vs its nominal value."""
    frame = calibration.assign(kind=calibration["channel"].map(lambda channel: "COP (mm)" if channel.startswith("COP") else "force (% BW)"))
    summary = frame.groupby(["task", "method", "kind"], sort=False).agg(crps=("crps", "mean"), coverage=("coverage", "mean")).reset_index()
    wide = summary.pivot_table(index=["task", "method"], columns="kind", values="crps", sort=False)
    wide.columns = [f"CRPS, {column}" for column in wide.columns]
    coverage = frame.groupby(["task", "method"], sort=False)["coverage"].mean().rename("coverage of the sample range")
    table = wide.join(coverage).reset_index().round(3)
    table["nominal"] = round(metrics.nominal_coverage(n_samples), 3)
    return table


def missing_inputs_table(frame: pd.DataFrame, n_bootstrap: int) -> pd.DataFrame:
    """Per lost input group and filler: AP/ML error and its loss against complete inputs (% BW, [95 % CI])."""
    rows = []
    for (group, filler), part in frame.groupby(["group", "filler"], sort=False):
        rows.append(
            {
                "inputs lost": group,
                "filled by": filler,
                "AP/ML error (% BW)": metrics.format_interval(*metrics.subject_bootstrap(part["mae"].to_numpy(), part["subject"].to_numpy(), n_bootstrap)),
                "loss vs complete (% BW)": metrics.format_interval(*metrics.subject_bootstrap(part["loss"].to_numpy(), part["subject"].to_numpy(), n_bootstrap)),
            }
        )
    return pd.DataFrame(rows)


def identity_summary(identity: pd.DataFrame, n_bootstrap: int) -> pd.DataFrame:
    """Force RMSE to the twin per method [95 % CI], and the share of trials where the diffusion edit is closer."""
    rows = []
    edit = identity[identity["method"] == "diffusion edit"]["rmse"].to_numpy()
    for method, part in identity.groupby("method", sort=False):
        closer = float(np.mean(edit < part["rmse"].to_numpy())) if method != "diffusion edit" else np.nan
        rows.append(
            {
                "prediction of the twin": method,
                "force RMSE to the twin (% BW)": metrics.format_interval(*metrics.subject_bootstrap(part["rmse"].to_numpy(), part["subject"].to_numpy(), n_bootstrap)),
                "trials where the diffusion edit is closer": "–" if np.isnan(closer) else f"{closer:.0%}",
            }
        )
    return pd.DataFrame(rows)


COVERAGE_TOLERANCE = 0.05  # coverage within ± this of nominal counts as calibrated
EFFECT_RATIO_RANGE = (0.5, 1.5)  # an edit "recovers" an effect whose ratio to the truth lies here


def coverage_verdict(coverage: float, nominal: float) -> str:
    if abs(coverage - nominal) <= COVERAGE_TOLERANCE:
        return "calibrated"
    return "too narrow" if coverage < nominal else "too wide"


def effect_verdict(ratio: float) -> str:
    if not np.isfinite(ratio):
        return "not measurable"
    if EFFECT_RATIO_RANGE[0] <= ratio <= EFFECT_RATIO_RANGE[1]:
        return "recovered"
    return "wrong direction" if ratio < 0 else ("too weak" if ratio < EFFECT_RATIO_RANGE[0] else "exaggerated")


def lost_input_verdicts(frame: pd.DataFrame, n_bootstrap: int) -> pd.DataFrame:
    """Per lost group: diffusion loss − median-fill loss [interval] and the verdict by the page's rule."""
    rows = []
    lost = frame[frame["filler"] != "none"]
    for group, part in lost.groupby("group", sort=False):
        wide = part.pivot_table(index="subject", columns="filler", values="loss").reset_index()
        # losses per subject are averaged first, so the bootstrap resamples subjects
        difference = metrics.subject_bootstrap(
            (wide["diffusion inpainting"] - wide["median filling"]).to_numpy(), wide["subject"].to_numpy(), n_bootstrap
        )
        verdict = "better" if difference[2] < 0 else "worse" if difference[1] > 0 else "no difference shown"
        rows.append({"inputs lost": group, "diffusion − median filling (% BW)": metrics.format_interval(*difference), "verdict": verdict})
    return pd.DataFrame(rows)
