"""Measures shared by several systems; none of them knows which model produced its input.

* :mod:`~analysis.evaluation.arrays` – checks of the plain arrays and tables every measure takes;
* :mod:`~analysis.evaluation.code_measures` – activity, bimodality, importance and redundancy of a code matrix;
* :mod:`~analysis.evaluation.attribute_correlation` – associations with attributes (BH-corrected), sex differences;
* :mod:`~analysis.evaluation.latent_structure` – t-SNE, neighbourhood agreement, clusters;
* :mod:`~analysis.evaluation.seed_summary` – means and spreads over seeds;
* :mod:`~analysis.evaluation.landmarks` – classic landmarks of the curves against the literature;
* :mod:`~analysis.evaluation.coupling` – how well each channel is predicted from the others, and the AP impulse balance;
* :mod:`~analysis.evaluation.baselines` – PCA, ICA and sparse dictionary coding on the models' inputs, FVE per band and channel, error in physical units;
* :mod:`~analysis.evaluation.figures` – figures of these measures (before and after, side by side).
"""
