"""A synthetic cohort in the Gutenberg Gait Database format.

The real curve files cannot always be obtained, so the book can run on a
stand-in whose files are indistinguishable in format from the published ones
and whose curves follow what is known about healthy walking. Read in this
order: :mod:`~analysis.data.synthetic.parameters` (the generative model and
every number in it, with its source), :mod:`~analysis.data.synthetic.cohort`
(who walked, when, how fast), :mod:`~analysis.data.synthetic.mechanics` (how
mechanics couples the channels, with its numbers),
:mod:`~analysis.data.synthetic.curves` and :mod:`~analysis.data.synthetic.coupled`
(the curves) and :mod:`~analysis.data.synthetic.writer` (the files, written
atomically); :mod:`~analysis.data.synthetic.twins` makes counterfactual twins
(the same draws, a changed speed, mass or landmark). The book page ``synthetic_model`` documents the model.
"""

from analysis.data.synthetic.mechanics import (
    MechanicalCoupling,
    Remainder,
    ShearRemainder,
    StyleFactor,
    StyleLoading,
)
from analysis.data.synthetic.parameters import (
    ANTERIOR_POSTERIOR,
    COP_ANTERIOR_POSTERIOR,
    COP_MEDIO_LATERAL,
    DEFAULT_COMPONENTS,
    GENERATOR_1_COMPONENTS,
    GENERATOR_VERSION,
    GROUND_TRUTH_FILE,
    MEDIO_LATERAL,
    VERTICAL,
    ComponentModel,
    Landmark,
    ShapeKnot,
    SyntheticParameters,
    generator_1_parameters,
)
from analysis.data.synthetic.twins import (
    FACTOR_RANGE,
    Counterfactual,
    counterfactual,
    editable_landmarks,
)
from analysis.data.synthetic.writer import SynthesisReport, read_ground_truth, synthesize

__all__ = [
    "generator_1_parameters",
    "ANTERIOR_POSTERIOR",
    "COP_ANTERIOR_POSTERIOR",
    "COP_MEDIO_LATERAL",
    "DEFAULT_COMPONENTS",
    "FACTOR_RANGE",
    "GENERATOR_1_COMPONENTS",
    "GENERATOR_VERSION",
    "GROUND_TRUTH_FILE",
    "MEDIO_LATERAL",
    "VERTICAL",
    "ComponentModel",
    "Counterfactual",
    "Landmark",
    "MechanicalCoupling",
    "Remainder",
    "ShapeKnot",
    "ShearRemainder",
    "StyleFactor",
    "StyleLoading",
    "SynthesisReport",
    "SyntheticParameters",
    "counterfactual",
    "editable_landmarks",
    "read_ground_truth",
    "synthesize",
]
