"""Run sizes and switch names of the audit of the original code (:mod:`analysis.audit`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from analysis.config.overrides import as_tuple, chosen_overrides, profile_of

# The original code's choices, in the order the audit chapter numbers them (analysis.audit.switches).
AUDIT_SWITCHES: tuple[str, ...] = (
    "per_curve", "id_columns", "no_split", "randn_init", "code_penalties", "code_vae", "coefficient_figure",
)  # fmt: skip


@dataclass(frozen=True)
class AuditSettings:
    """Run sizes of the audit chapter: which switches, how many seeds, subjects and epochs.

    Every configuration (none, each switch alone, all together) trains the
    three models for every seed; ``max_subjects`` subsamples the cohort so the
    whole sweep fits the chapter's time budget, ``epochs`` is the epoch limit
    with a split and the fixed epoch count without one.
    """

    profile: str = "full"
    switches: tuple[str, ...] = AUDIT_SWITCHES
    seeds: tuple[int, ...] = (0, 1, 2)
    epochs: int = 100
    latent_dim: int = 100
    max_subjects: int | None = 32

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


AUDIT_PROFILES: dict[str, AuditSettings] = {
    "full": AuditSettings(),
    "smoke": AuditSettings(profile="smoke", seeds=(0, 1), epochs=3, latent_dim=16, max_subjects=12),
}


def resolve_audit(profile: str = "full", **overrides: Any) -> AuditSettings:
    """Audit settings of ``profile`` with every non-``None`` override applied (switch names checked)."""
    base = profile_of(AUDIT_PROFILES, profile)
    chosen = chosen_overrides(AuditSettings, overrides, "audit ")
    if "seeds" in chosen:
        chosen["seeds"] = as_tuple("seeds", chosen["seeds"])
    if "switches" in chosen:
        names = as_tuple("switches", chosen["switches"])
        bad = [name for name in names if name not in AUDIT_SWITCHES]
        if bad:
            raise ValueError(f"unknown switch(es) {bad}; choose from {list(AUDIT_SWITCHES)}")
        chosen["switches"] = tuple(name for name in AUDIT_SWITCHES if name in names)
    for key in ("epochs", "latent_dim"):
        if key in chosen and int(chosen[key]) < 1:
            raise ValueError(f"{key} must be at least 1, got {chosen[key]}")
    return replace(base, **chosen)
