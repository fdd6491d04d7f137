"""Chapter B of "Audit and beyond": are the study's sparse features better than textbook ones?

Read in this order: :mod:`~analysis.beyond.codes` (every method behind one
interface: the study's autoencoders, a TopK SAE, PCA, FastICA, a sparse
dictionary), :mod:`~analysis.beyond.fidelity` (the sparsity–fidelity
frontier and the written verdict rule), :mod:`~analysis.beyond.quality`
(use, redundancy, stability), :mod:`~analysis.beyond.probing` (k-sparse
probes, re-identification), :mod:`~analysis.beyond.ground_truth` (DCI, MIG
and the confounding lesson on the synthetic cohort), then
:mod:`~analysis.beyond.chapter` (the page's single entry point) and
:mod:`~analysis.beyond.figures`. The generic measures live in
:mod:`analysis.evaluation` (stability, probes, disentanglement).
"""
