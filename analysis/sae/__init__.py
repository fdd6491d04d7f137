"""The study (seed 000): three sparse autoencoders on wavelet coefficients.

Read in this order: :mod:`~analysis.sae.models` (the three autoencoders),
:mod:`~analysis.sae.study` (data → features → trained runs, as a chapter
sees it), then what the results chapters measure:
:mod:`~analysis.sae.training_tables` (3.2), :mod:`~analysis.sae.latent`
(4.1, 4.2), :mod:`~analysis.sae.associations` (4.3),
:mod:`~analysis.sae.redundancy` (4.4), :mod:`~analysis.sae.coefficient_view`
(the original code's Figure 6) and :mod:`~analysis.sae.claims` (the ledger
of claims C1–C12). Figures are in :mod:`~analysis.sae.figures` and
:mod:`~analysis.sae.figures_metadata`.
"""
