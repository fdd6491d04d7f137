"""Latent Motion: sparse autoencoders on ground reaction forces of walking.

The package is read top to bottom along the pipeline:
``data`` (+ ``synthetic``, ``download``, ``source``) → ``wavelets`` →
``features`` → ``models`` → ``training`` → ``metrics`` → ``plots``.
``paths`` and ``config`` hold the only copies of locations and settings.
"""

__version__ = "0.1.0"
