"""A deep network that tells groups of walkers apart, explained by layer-wise relevance propagation.

The sibling system of seed 003 (Xu et al. 2022), brought to the Gutenberg
curves. Modules in the order data flows: :mod:`~analysis.relevance.data`
(contrasts, scaling, stance phases), :mod:`~analysis.relevance.planted` (a
contrast planted by the generator, with its truth),
:mod:`~analysis.relevance.folds` (subject-grouped folds),
:mod:`~analysis.relevance.models` and :mod:`~analysis.relevance.training`
(MLP, 1-D CNN, logistic regression), :mod:`~analysis.relevance.oracle` (the
yardstick), :mod:`~analysis.relevance.attribution` (LRP-ε via captum and
its rivals), :mod:`~analysis.relevance.checks` and
:mod:`~analysis.relevance.shares` (is the explanation right; the seed's
statistics), :mod:`~analysis.relevance.experiment` (one contrast end to
end), :mod:`~analysis.relevance.study` (data and page header) and
:mod:`~analysis.relevance.figures`.
"""
