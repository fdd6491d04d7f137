"""Feature quality of each method: use, redundancy, stability across seeds and across people."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

from analysis.beyond.codes import Code
from analysis.evaluation import stability


def quality_table(
    methods: dict[str, list[Code]],
    x: np.ndarray,
    subjects: np.ndarray,
    n_clusters: int,
    null_draws: int,
    seed: int = 0,
) -> pd.DataFrame:
    """One row per method, measured on the rows ``x`` (every trial, so that clusters can be compared across people).

    dead/dense share and redundancy (each atom's largest |cosine| with another,
    averaged over atoms) are means over seeds; atom stability is the Hungarian
    matching of every pair of seeds (mean matched |cosine|, share above
    :data:`~analysis.evaluation.stability.STABLE_COSINE`, and the smallest pair's
    mean), with the mean of random atom sets of the same shape as chance;
    cluster agreement is the ARI of KMeans partitions of the test rows between
    seeds and, for seed 0, between halves of the subjects; single-person
    clusters count clusters (seed 0) whose rows come from one subject.
    """
    rows = []
    nulls: dict[tuple[int, int], float] = {}
    for method, codes in methods.items():
        encoded = [code.encode(x) for code in codes]
        atoms = [code.atoms() for code in codes]
        use = [stability.usage(values) for values in encoded]
        row: dict[str, object] = {
            "method": method,
            "label": codes[0].label,
            "setting": codes[0].setting,
            "seeds": len(codes),
            "dead_share": float(np.mean([item["dead_share"] for item in use])),
            "dense_share": float(np.mean([item["dense_share"] for item in use])),
            "redundancy": float(np.mean([np.nanmean(stability.atom_redundancy(values)) for values in atoms])),
        }
        live = [values[np.linalg.norm(values, axis=1) > 0] for values in atoms]
        distinct = len({code.seed for code in codes}) == len(codes) and not _identical(atoms)
        if len(codes) >= 2 and distinct:
            matches = [stability.hungarian_match(live[a], live[b]) for a, b in combinations(range(len(codes)), 2)]
            shape = (min(len(values) for values in live), atoms[0].shape[1])
            if shape not in nulls:
                nulls[shape] = float(stability.random_atom_null(shape[0], shape[1], n_draws=null_draws, seed=seed).mean())
            labels = [stability.cluster_labels(stability.standardised(values), n_clusters, seed) for values in encoded]
            row.update(
                matched_cosine=float(np.mean([match.mean_cosine for match in matches])),
                matched_cosine_min=float(np.min([match.mean_cosine for match in matches])),
                share_above=float(np.mean([match.share_above() for match in matches])),
                random_cosine=nulls[shape],
                cluster_ari_seeds=float(
                    np.mean([stability.partition_agreement(labels[a], labels[b]) for a, b in combinations(range(len(codes)), 2)])
                ),
            )
        else:
            row.update(matched_cosine=np.nan, matched_cosine_min=np.nan, share_above=np.nan, random_cosine=np.nan, cluster_ari_seeds=np.nan)
        row["cluster_ari_people"] = stability.held_out_cluster_agreement(encoded[0], subjects, n_clusters, seed)
        first = stability.cluster_labels(stability.standardised(encoded[0]), n_clusters, seed)
        single = stability.single_person_clusters(first, subjects)
        row["single_person_clusters"] = len(single)
        row["single_person_subjects"] = ", ".join(f"subject {subject}" for subject in single["subject"]) or "none"
        rows.append(row)
    return pd.DataFrame(rows)


def _identical(atoms: list[np.ndarray]) -> bool:
    """True when every seed produced the same atoms (a deterministic method such as exact PCA)."""
    return all(np.allclose(atoms[0], other) for other in atoms[1:])
