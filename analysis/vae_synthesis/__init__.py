"""VAE-generated gait curves (the sibling study of seed 004): are they realistic, does augmentation help?

Read in this order: :mod:`~analysis.vae_synthesis.samples` (trials as
1,010-value samples, the outlier step, subject-grouped folds and per-fold
scaling), :mod:`~analysis.vae_synthesis.networks` (the VAE, its conditional
variant and the seed's use-case autoencoder, trained with early stopping and
cached per fold), :mod:`~analysis.vae_synthesis.generation` (one VAE per fold
and the samples they give), :mod:`~analysis.vae_synthesis.realism`
(classifier two-sample tests with controls, spread, landmarks,
memorisation), :mod:`~analysis.vae_synthesis.spm` (spm1d tests per channel
and Hotelling's T²), :mod:`~analysis.vae_synthesis.augmentation` (the
learning curve, PCA-15, the oracle and the leaky ablation),
:mod:`~analysis.vae_synthesis.conditional` (speed, mass and height slopes of
a conditional VAE) and :mod:`~analysis.vae_synthesis.figures`.
"""
