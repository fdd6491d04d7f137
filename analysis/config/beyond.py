"""Run sizes of the chapter that puts the study's sparse features beside textbook methods (:mod:`analysis.beyond`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from analysis.config.overrides import profile_of

@dataclass(frozen=True)
class BeyondSettings:
    """Run sizes of the chapter that puts the study's sparse features beside textbook methods."""

    # TopK SAE (analysis.sae.topk): the k's of its frontier (each one pass over
    # seed 0) and the extra seeds of the k closest to the study SAE's active count.
    topk_ks: tuple[int, ...] = (2, 5, 10, 20, 50)
    topk_seeds: tuple[int, ...] = (0, 1, 2)
    topk_epochs: int = 60
    topk_patience: int = 5
    # Frontier knobs of the textbook methods (components, or non-zeros per row).
    pca_components: tuple[int, ...] = (1, 2, 5, 10, 20, 50, 100)
    ica_components: tuple[int, ...] = (10, 100)
    dictionary_sparsities: tuple[int, ...] = (1, 2, 5, 10, 20, 50)
    # Passes over the training rows when learning the dictionary's atoms.
    dictionary_passes: int = 2
    # Seeds of the seeded baselines (ICA, dictionary) for seed stability.
    baseline_seeds: tuple[int, ...] = (0, 1, 2)
    # Probes: features per probe, grouped folds, shuffled-target repetitions.
    probe_ks: tuple[int, ...] = (1, 5, 20)
    probe_folds: int = 5
    n_permutations: int = 20
    # Resamples of subjects for every interval; random atom sets for the stability null.
    n_bootstrap: int = 500
    null_atom_draws: int = 20
    # Lasso penalty of the DCI importances (standardised codes and factors).
    dci_alpha: float = 0.01

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


BEYOND_PROFILES: dict[str, BeyondSettings] = {
    "full": BeyondSettings(),
    "smoke": BeyondSettings(
        topk_ks=(2, 4),
        topk_seeds=(0, 1),
        topk_epochs=3,
        topk_patience=2,
        pca_components=(1, 2, 5, 10),
        ica_components=(5, 16),
        dictionary_sparsities=(1, 2, 4),
        dictionary_passes=1,
        baseline_seeds=(0, 1),
        probe_ks=(1, 5),
        probe_folds=3,
        n_permutations=3,
        n_bootstrap=50,
        null_atom_draws=3,
    ),
}


def beyond_settings(profile: str = "full") -> BeyondSettings:
    """The chapter's run sizes for ``profile``."""
    return profile_of(BEYOND_PROFILES, profile)
