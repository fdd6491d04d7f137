"""What the models see: representations of the curves, splits and scaling.

* :mod:`~analysis.features.wavelets` – the db5 level-4 wavelet representation and its exact inverse;
* :mod:`~analysis.features.model_inputs` – model inputs, the subject-grouped split, standardisation.

Figures of this layer are in :mod:`~analysis.features.figures`.
"""
