"""Link to the study: do SAE features change selectively per abnormality, and where do their atoms act?

Array functions only (this subpackage does not import the study's models;
the chapter passes codes and decoded atoms in). For each planted kind the
code change Δ = code(abnormal) − code(untouched) of every trial is known
exactly, because the untouched curve is the twin. A feature is *selective*
for a kind when |Δ| of that feature separates the kind's trials from the
trials of the other kinds (AUROC near 1), not merely when it moves.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.gengait.evaluation import auroc


def selectivity(delta_codes: dict[str, np.ndarray]) -> pd.DataFrame:
    """Per kind: its most-changed feature (largest mean |Δ|), that feature's share of the kind's total |Δ|,
    and the AUROC of that feature's |Δ| for this kind's trials against every other kind's trials."""
    kinds = list(delta_codes)
    if len(kinds) < 2:
        raise ValueError(f"selectivity needs code changes of at least two kinds, got {kinds}")
    widths = {np.asarray(values).shape[1] for values in delta_codes.values()}
    if len(widths) != 1:
        raise ValueError(f"every kind's code changes must have the same number of features, got widths {sorted(widths)}")
    rows = []
    for kind in kinds:
        own = np.abs(np.asarray(delta_codes[kind]))
        others = np.concatenate([np.abs(np.asarray(delta_codes[other])) for other in kinds if other != kind])
        mean_change = own.mean(axis=0)
        feature = int(np.argmax(mean_change))
        total = mean_change.sum()
        values = np.concatenate([own[:, feature], others[:, feature]])
        labels = np.concatenate([np.ones(own.shape[0], bool), np.zeros(others.shape[0], bool)])
        rows.append({
            "kind": kind, "feature": feature, "mean_abs_change": float(mean_change[feature]),
            "share_of_change": float(mean_change[feature] / total) if total > 0 else np.nan,
            "features_moved": int((mean_change > 0.05 * mean_change.max()).sum()) if total > 0 else 0,
            "selectivity_auroc": auroc(values, labels),
        })  # fmt: skip
    return pd.DataFrame(rows)


def inside_share(atom: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """Share of an atom's energy (squared deviation from the zero-code curve) inside the truth mask, and the
    share of the (channel × sample) grid the mask covers: what an atom spread evenly would put inside."""
    values, mask = np.asarray(atom, dtype=np.float64), np.asarray(truth, dtype=bool)
    if values.shape != mask.shape:
        raise ValueError(f"atom and truth mask must have the same shape, got {values.shape} and {mask.shape}")
    energy = values**2
    total = energy.sum()
    return (float(energy[mask].sum() / total) if total > 0 else float("nan")), float(mask.mean())


def atom_table(selected: pd.DataFrame, atoms: np.ndarray, truth_masks: dict[str, np.ndarray], channels: Sequence[str]) -> pd.DataFrame:
    """``selected`` (from :func:`selectivity`) with, per kind, where its feature's atom lies: the energy share inside
    the kind's truth mask (union over trials) against the mask's area share, and the atom's strongest channel."""
    rows = []
    for (_, row), atom in zip(selected.iterrows(), atoms):
        inside, area = inside_share(atom, truth_masks[row["kind"]])
        strongest = channels[int(np.argmax((np.asarray(atom) ** 2).sum(axis=1)))]
        rows.append({**row.to_dict(), "energy_inside": inside, "area_inside": area, "atom_channel": strongest})
    return pd.DataFrame(rows)
