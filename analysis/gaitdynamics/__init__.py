"""A diffusion model of gait dynamics on the ten Gutenberg curves (the sibling study of seed 001, GaitDynamics).

Read in this order: :mod:`~analysis.gaitdynamics.curves` (a trial as 15 rows
with a known-mask, scaling, split), :mod:`~analysis.gaitdynamics.model` (the
denoising transformer), :mod:`~analysis.gaitdynamics.diffusion` (training,
cache, inpainting, inversion; schedulers from ``diffusers``),
:mod:`~analysis.gaitdynamics.experiment` (data, split and model in one call),
:mod:`~analysis.gaitdynamics.baselines`, :mod:`~analysis.gaitdynamics.metrics`,
:mod:`~analysis.gaitdynamics.tasks` (inpainting tasks with ground truth),
:mod:`~analysis.gaitdynamics.counterfactuals` (speed and mass edits against
the generator's twins), :mod:`~analysis.gaitdynamics.study_link` (the SAE),
:mod:`~analysis.gaitdynamics.tables`, :mod:`~analysis.gaitdynamics.figures`
and :mod:`~analysis.gaitdynamics.report` (the page header).
"""
