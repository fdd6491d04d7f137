"""GenGait on force and COP curves: a masked transformer autoencoder trained on healthy gait only.

Modules, in the order a trial flows through them:

* :mod:`~analysis.gengait.tokens` – channel × time-patch tokens, scaling, the masking curriculum;
* :mod:`~analysis.gengait.model` – the masked autoencoder (encoder on visible tokens, small decoder);
* :mod:`~analysis.gengait.training` – training on healthy trials of training subjects, cached;
* :mod:`~analysis.gengait.scoring` – pass 1 (occlusion scores, calibrated flags, windows) and pass 2 (twin);
* :mod:`~analysis.gengait.baselines` – band, symmetry, PCA, leave-one-channel-out ridge, any reconstruction;
* :mod:`~analysis.gengait.evaluation` – planted abnormalities with ground truth, and every measure;
* :mod:`~analysis.gengait.experiment` – the chapter's experiment in a few calls;
* :mod:`~analysis.gengait.study_link` – SAE feature changes per abnormality (arrays only);
* :mod:`~analysis.gengait.real_sides` – GaitRec: which side is affected (real data only);
* :mod:`~analysis.gengait.figures` – the chapter's figures.
"""
