"""Latent Motion: sparse autoencoders, and their sibling methods, on ground reaction forces of walking.

The package is built in layers and read from the bottom up; a module imports
only its own package and the layers below it:

* foundation – :mod:`analysis.paths` (every location), :mod:`analysis.config`
  (run profiles), :mod:`analysis.style` (the one figure style);
* :mod:`analysis.data` – the Gutenberg file format, the shipped real cohort
  structure, download, the synthetic cohort, the choice of data source;
* :mod:`analysis.features` – wavelet representation, model inputs, splits;
* :mod:`analysis.engine` and :mod:`analysis.evaluation` – training any
  seed-stacked torch model, and measures shared by several systems;
* one package per system: :mod:`analysis.sae` (the study, seed 000);
* :mod:`analysis.book` – the chapter runtime and the book pipeline.
"""

__version__ = "0.1.0"
