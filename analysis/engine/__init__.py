"""The training engine every torch-based system reuses.

* :mod:`~analysis.engine.stack` – models that hold several seeds at once, and per-seed random streams;
* :mod:`~analysis.engine.device` – device choice and deterministic execution;
* :mod:`~analysis.engine.training` – the seed-stacked training loop with early stopping;
* :mod:`~analysis.engine.cache` – the on-disk cache of trained models.

The engine knows nothing about any particular model: a model configuration
only has to name itself, describe itself as a dict and build a
:class:`~analysis.engine.stack.SeedStack` for a set of seeds.
"""
