"""How mechanics couples the channels of a synthetic trial: every number, with its source.

Without coupling, each component's landmarks depend on each other only
through the covariates (speed, mass, ...), so one channel tells nothing about
another beyond them. Real curves are tied together by mechanics, and the
generator (``SyntheticParameters(coupling=True)``, the default) adds four
ties. Labels as in :mod:`analysis.data.synthetic.parameters`: V verified in a
primary source, D derived from published data, U an assumption.

1. **Pivot (VPP).** The ground reaction force of a walking person points
   from the centre of pressure (COP) towards a point above the centre of mass
   (V, qualitative: Maus et al. 2010; Vielemeyer et al. 2023). A shear
   component is then the vertical force times a lever,
   ``F_X(t) = F_V(t) * L_X(t) / h``, with ``L_X`` the horizontal distance from
   the COP to the pivot and ``h`` the pivot's height above the ground. The
   cohort-mean lever is not modelled from first principles: a fixed pivot
   misses the double-support phases, where one leg's force is not the whole
   body's. Instead the reference lever of every trial is what its own
   covariate-mean templates imply, ``L_ref = h_ref * X_mean / V_mean``, so the
   calibrated mean curves and their covariate slopes stay as they were; a
   trial departs from it through its own vertical force, its own COP
   (``-dCOP``), the subject's pivot height ``h`` (shared by the AP and ML
   forces), its centre-of-mass travel during stance (AP) and the lateral
   offset of its centre of mass from the foot (ML).
2. **Steady walking.** At constant speed the braking and propulsive impulses
   of a step cancel (V: impulse-momentum theorem). The pivot's horizontal
   offset is set per step so that the net AP impulse is a small share of the
   braking impulse, drawn per trial (shared by both steps, which accelerate
   the body together) and per step.
3. **Style.** Subject signatures of landmarks in different components are
   correlated through a few shared standard-normal "style" factors; each
   landmark keeps its published between-subject SD.
4. **Left and right.** The trial noise of the two steps of a trial is
   correlated (consecutive steps of one walk), on top of the shared subject
   and session effects and the subject's symmetry index.

What mechanics does not explain stays as an independent remainder: the
previous model's own deviations of the AP and ML landmarks, scaled so that
the total SDs stay at the published ones (calibrated, D target).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

# Landmarks a style factor may load on: (component, landmark name).
STYLE_TARGET_COMPONENTS: tuple[str, ...] = ("F_V", "F_AP", "F_ML", "COP_AP", "COP_ML")


@dataclass(frozen=True)
class StyleLoading:
    """How strongly one landmark's subject signature follows a style factor (a correlation, -1..1)."""

    component: str
    landmark: str  # a landmark name, or the COP scale's name ("length", "range")
    loading: float
    timing: bool = False  # load the landmark's timing signature instead of its value


@dataclass(frozen=True)
class StyleFactor:
    """A subject trait that moves several landmarks together."""

    name: str
    loadings: tuple[StyleLoading, ...]
    source: str = "U"


@dataclass(frozen=True)
class Remainder:
    """Scales of the previous, independent model's deviations kept in a shear landmark.

    The landmark's subject, within-subject (session + trial) and asymmetry
    deviations are multiplied by these before they are added to the pivot
    part; timing and shape jitter are kept whole. A scale may exceed 1 where
    the impulse balance takes part of a deviation away again (calibrated so
    that the totals stay at the published SDs, D target).
    """

    subject: float
    within: float
    asymmetry: float


KEPT_WHOLE = Remainder(1.0, 1.0, 1.0)


@dataclass(frozen=True)
class ShearRemainder:
    """The remainder scales of one shear component: a default and per-landmark exceptions."""

    default: Remainder
    by_landmark: tuple[tuple[str, Remainder], ...] = ()

    def of(self, landmark: str) -> Remainder:
        return dict(self.by_landmark).get(landmark, self.default)

    def all(self) -> tuple[Remainder, ...]:
        return (self.default, *(remainder for _, remainder in self.by_landmark))


DEFAULT_STYLE_FACTORS: tuple[StyleFactor, ...] = (
    StyleFactor(
        "vertical_excursion",
        (
            StyleLoading("F_V", "first_peak", 0.5),
            StyleLoading("F_V", "valley", -0.5),
            StyleLoading("F_V", "second_peak", 0.4),
        ),
        source=(
            "U: the vertical force's peaks and valley reflect the vertical acceleration of the centre of mass, "
            "so a person with a larger vertical excursion has both higher peaks and a deeper valley "
            "(the pattern faster walking shows)"
        ),
    ),
    StyleFactor(
        "roll_over",
        (
            StyleLoading("COP_AP", "length", 0.4),
            StyleLoading("F_V", "second_peak", 0.3),
            StyleLoading("F_V", "second_peak", 0.4, timing=True),
            StyleLoading("COP_ML", "range", 0.3),
        ),
        source=(
            "U: a longer roll-over of the foot moves the COP further forward and medially at push-off "
            "and delays and raises the push-off peak"
        ),
    ),
    StyleFactor(
        "loading_rate",
        (
            StyleLoading("F_V", "first_peak", -0.4, timing=True),
            StyleLoading("F_ML", "lateral_minimum", -0.4),
            StyleLoading("F_V", "start", 0.3),
        ),
        source=(
            "U: a faster weight acceptance brings the first peak earlier and deepens the lateral "
            "heel-strike dip"
        ),
    ),
)


@dataclass(frozen=True)
class MechanicalCoupling:
    """Every number of the coupling between channels (used when ``SyntheticParameters.coupling``)."""

    # Pivot (VPP). Height above the ground of the reference person: centre of
    # mass at about 0.55 x 174.4 cm plus a pivot some 15 cm above it (U; the
    # VPP lies above the centre of mass, V qualitative).
    pivot_height: float = 1.10  # m
    pivot_height_subject_sd: float = 0.08  # relative SD between subjects (U)
    # Centre-of-mass travel during one stance at the reference speed:
    # 1.48 m/s x about 0.63 s of stance (U: stance time not in the files).
    com_travel: float = 0.93  # m
    com_travel_subject_sd: float = 0.05  # relative, between subjects at equal speed (U)
    com_travel_session_sd: float = 0.015  # relative (U)
    com_travel_trial_sd: float = 0.03  # relative, step to step (U)
    # Medio-lateral offset of the centre of mass from the foot's line (about
    # half the step width; its mean is in the ML templates): per subject, and
    # a per-subject left-right shift of the centre-of-mass path (U).
    lateral_offset_subject_sd: float = 0.008  # m
    lateral_offset_asymmetry_sd: float = 0.004  # m
    # Steady walking: net AP impulse as a share of the braking impulse (U).
    net_impulse_trial_sd: float = 0.04  # shared by the two steps of a trial
    net_impulse_step_sd: float = 0.03  # each step on its own
    # Left-right: correlation of the two steps' trial noise (U).
    side_trial_correlation: float = 0.5
    # What mechanics does not explain (calibrated so total SDs stay at the published ones, D target).
    anterior_posterior_remainder: ShearRemainder = field(
        default_factory=lambda: ShearRemainder(
            KEPT_WHOLE,
            (("braking_minimum", Remainder(0.6, 1.4, 1.3)), ("propulsive_maximum", Remainder(0.45, 0.4, 1.0))),
        )
    )
    medio_lateral_remainder: ShearRemainder = field(
        default_factory=lambda: ShearRemainder(
            KEPT_WHOLE,
            (
                ("lateral_minimum", Remainder(0.9, 0.9, 0.7)),
                ("early_medial_peak", Remainder(0.9, 1.2, 0.7)),
                ("midstance_trough", Remainder(0.9, 1.2, 0.7)),
                ("late_medial_peak", Remainder(0.9, 1.2, 0.7)),
            ),
        )
    )
    style_factors: tuple[StyleFactor, ...] = DEFAULT_STYLE_FACTORS

    def __post_init__(self) -> None:
        for name in ("pivot_height", "com_travel"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)!r}")
        for name in (
            "pivot_height_subject_sd", "com_travel_subject_sd", "com_travel_session_sd", "com_travel_trial_sd",
            "lateral_offset_subject_sd", "lateral_offset_asymmetry_sd", "net_impulse_trial_sd", "net_impulse_step_sd",
        ):  # fmt: skip
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative, got {getattr(self, name)!r}")
        if not 0.0 <= self.side_trial_correlation < 1.0:
            raise ValueError(f"side_trial_correlation must be in [0, 1), got {self.side_trial_correlation}")
        for name in ("anterior_posterior_remainder", "medio_lateral_remainder"):
            for remainder in getattr(self, name).all():
                if min(remainder.subject, remainder.within, remainder.asymmetry) < 0:
                    raise ValueError(f"{name} scales must not be negative, got {remainder}")
        names = [factor.name for factor in self.style_factors]
        if len(set(names)) != len(names):
            raise ValueError(f"style factor names must be unique, got {names}")
        for factor in self.style_factors:
            for loading in factor.loadings:
                if loading.component not in STYLE_TARGET_COMPONENTS:
                    raise ValueError(
                        f"style factor {factor.name!r} loads on unknown component {loading.component!r}; "
                        f"choose one of {list(STYLE_TARGET_COMPONENTS)}"
                    )
                if not -1.0 < loading.loading < 1.0:
                    raise ValueError(f"style factor {factor.name!r}: a loading must lie in (-1, 1), got {loading.loading}")
        shared: dict[tuple[str, str, bool], float] = {}
        for factor in self.style_factors:
            for loading in factor.loadings:
                key = (loading.component, loading.landmark, loading.timing)
                shared[key] = shared.get(key, 0.0) + loading.loading**2
        for (component, landmark, timing), total in shared.items():
            if total >= 1.0:
                what = f"{component} {landmark}{' timing' if timing else ''}"
                raise ValueError(f"{what}: style loadings have squares summing to {total:.2f}, must stay below 1")

    @property
    def side_mixing_angle(self) -> float:
        """Rotation that turns two independent trial draws into two with ``side_trial_correlation``."""
        return 0.5 * math.asin(self.side_trial_correlation)

    def loadings(self, component: str, landmark: str, timing: bool) -> list[tuple[int, float]]:
        """(factor position, loading) pairs of one landmark's value or timing signature."""
        return [
            (position, loading.loading)
            for position, factor in enumerate(self.style_factors)
            for loading in factor.loadings
            if (loading.component, loading.landmark, loading.timing) == (component, landmark, timing)
        ]
