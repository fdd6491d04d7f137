# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # A diffusion model of gait dynamics: missing channels and "what if faster?"
#
# GaitDynamics {cite:p}`tan2025gaitdynamics` is a denoising diffusion model
# {cite:p}`ho2020ddpm` of whole-body walking: kinematics and ground reaction
# forces in one array, any part of which can be known or unknown. Missing
# parts are filled in by inpainting, and edits ("what if this person walked
# faster?") are made by changing a known part and generating the rest. The
# seed reports force errors of 3.2, 1.2 and 0.7 % body weight (vertical,
# anterior-posterior, medio-lateral) from full kinematics; with inputs
# missing, diffusion filling cost 0.0–1.9 % BW against 3.8–20 % BW for
# median filling; and predicted speed effects reached about 0.8 of measured
# changes. It reports no uncertainty.
#
# Kinematics do not exist in the Gutenberg curves, so this chapter brings the
# method to what does: the ten force and centre-of-pressure (COP) curves of a
# trial plus five metadata values (speed, body mass, height, age, sex). The
# tasks are the ones a real setup meets — pressure insoles that measure only
# vertical force and COP, a single clean force plate, a broken channel, a
# dropped data packet — and the "what if" questions are answered against the
# generator's counterfactual twins: the same person, with the same random
# draws, walking faster or carrying more mass.

# %% tags=["parameters"]
profile = "full"
train_steps = None
n_samples = None
n_eval_subjects = None
trials_per_subject = None
sampling_steps = None
guidance = None
held_out_dataset = None
data_dir = None
download = None
device = None

# %% tags=["remove-stderr"]
import numpy as np
import pandas as pd
from IPython.display import Markdown, display

from analysis import config
from analysis.book import report
from analysis.data import CHANNELS
from analysis.evaluation import coupling
from analysis.gaitdynamics import counterfactuals, diffusion, experiment, figures, metrics, study_link, tables, tasks
from analysis.gaitdynamics.report import settings_table
from analysis.gaitdynamics.curves import N_CURVES
from analysis.sae import study as gait

settings = config.resolve_gaitdynamics(
    profile, train_steps=train_steps, n_samples=n_samples, n_eval_subjects=n_eval_subjects,
    trials_per_subject=trials_per_subject, sampling_steps=sampling_steps, guidance=guidance,
    held_out_dataset=held_out_dataset, device=device,
)
run = experiment.prepare(settings, data_dir=data_dir, download=download)
report.show_system_header(run.source, settings_table(settings), str(run.model.device), libraries=(("diffusers", "diffusers"),))

# %% [markdown]
# ````{admonition} What this can and cannot show on synthetic data
# :class: note
# The ground truth here is the parametric generator: the hidden channels of a
# trial and, for "what if", its counterfactual twin. A method can only recover
# what the generator put into the other channels. Where the channels are
# weakly tied by construction, every method fails alike, and a "best
# achievable" predictor trained on a large fresh sample from the same
# generator shows that the information is absent rather than the model weak.
# Nothing on this page is a finding about people; on real curves only the
# inpainting tasks (not the twins) could be scored.
# ````
#
# ## How strongly the channels are tied by construction
#
# The generator couples its channels in four ways (the page on the synthetic
# model has every number): the shear forces follow the vertical force and
# the COP through a pivot point above the centre of mass; the braking and
# propulsive impulses of a step nearly cancel; a subject's landmarks in
# different components share a few "style" factors; and the two steps of a
# trial share the person, the session and correlated trial noise. What is
# left is independent by construction. The table measures the result on the
# training subjects: the out-of-fold R² of each channel predicted from the
# other nine, and from the other components only (not its own other side),
# by ridge regression with folds grouped by subject.

# %%
train_rows = run.split.train
coupling_subjects = np.unique(run.subjects(train_rows))[:120]
coupling_rows = train_rows[np.isin(run.subjects(train_rows), coupling_subjects)]
predictability = pd.concat(
    [
        coupling.cross_channel_predictability(run.trials[coupling_rows][:, :N_CURVES], run.subjects(coupling_rows), predictors=predictors, n_splits=5)
        for predictors in coupling.PREDICTOR_SETS
    ]
)
coupling_table = predictability.pivot(index="channel", columns="predictors", values="r2").reindex(list(CHANNELS)).round(2)
coupling_table.columns = [coupling.PREDICTOR_LABELS[column] for column in coupling_table.columns]
display(Markdown(report.markdown_table(coupling_table.reset_index())))

# %% [markdown]
# **Table 1.** Cross-channel predictability on the synthetic cohort
# (R², out of fold, folds by subject, training subjects). The first column is
# the ceiling a linear filler can reach for a channel when the other nine are
# known; the second column removes the channel's other side.

# %% tags=["remove-input"]
r2_other = predictability[predictability["predictors"] == "other_components"].set_index("channel")["r2"]
report.glue_number("gd_r2_ap_components", float(r2_other[["F_AP_left", "F_AP_right"]].mean()))
report.glue_number("gd_r2_ml_components", float(r2_other[["F_ML_left", "F_ML_right"]].mean()))
report.glue_number("gd_r2_fv_components", float(r2_other[["F_V_left", "F_V_right"]].mean()))

# %% [markdown]
# From the other components alone, the AP force is predictable with
# R² ≈ {glue:text}`gd_r2_ap_components:.2f`, the ML force with
# R² ≈ {glue:text}`gd_r2_ml_components:.2f` and the vertical force with
# R² ≈ {glue:text}`gd_r2_fv_components:.2f` (means of the two sides): these
# bound what the insole task below can achieve with any method.
#
# ## The model
#
# Each trial becomes an array of 15 rows × 101 samples: the ten curves and
# the five metadata values repeated along time, with a mask that says which
# entries are known. A transformer reads time tokens (patches of samples of
# all rows, with the noisy values, the known values and the mask); the known
# metadata also enter every token as a condition vector. It predicts the "v"
# target of the diffusion step, from which both the clean trial and the
# noise follow. Training hides a random layout of entries in every trial (no
# channel known, random channels, the insole and one-plate layouts, time
# gaps, all but one channel), weights every trial equally whatever its
# layout, and hides all metadata with probability
# {glue:text}`gd_condition_dropout`, the classifier-free recipe
# {cite:p}`ho2022classifierfree` that lets one network be conditional and
# unconditional. Each channel is centred on its training mean curve and
# divided by one SD per channel, fitted on the training subjects only.
# Sampling uses the cosine schedule and the DDIM sampler of `diffusers`
# {cite:p}`song2021ddim`; inpainting replaces the known entries, noised to
# the current level, after every step and returns them exactly at the end, as
# GaitDynamics does (a RePaint-style paste {cite:p}`lugmayr2022repaint`), and
# the network is shown them clean, as in training. The split is the
# study's split by subject; one whole sub-dataset
# (DATASET_ID {glue:text}`gd_held_out`) is removed from training and used as
# an unseen study, as GaitDynamics held out whole studies.

# %%
check_rows = run.evaluation
scaled_check = run.scaled(check_rows)
nothing_known = np.zeros_like(run.available[check_rows])
free = diffusion.inpaint(run.model, scaled_check, nothing_known, settings.n_samples, seed=settings.seed)
free_units = metrics.to_report_units(free[:, :, :N_CURVES].reshape(-1, N_CURVES, free.shape[-1]), run.model.scaling)
cohort_units = metrics.to_report_units(run.scaled(run.split.train)[:, :N_CURVES], run.model.scaling)
mean_gap = np.abs(free_units.mean(axis=0) - cohort_units.mean(axis=0))
force_rows = [index for index, channel in enumerate(CHANNELS) if channel.startswith("F_")]
all_known = diffusion.inpaint(run.model, scaled_check, np.ones_like(run.available[check_rows]), 2, seed=1)
model_facts = pd.DataFrame(
    [
        ("training steps × batch", f"{settings.train_steps} × {settings.batch_size}"),
        ("parameters", f"{sum(parameter.numel() for parameter in run.model.network.parameters()):,}"),
        ("training time (s, when trained)", f"{run.model.seconds:.0f}"),
        ("training loss, first → last block", f"{run.model.losses[0]:.3f} → {run.model.losses[-1]:.3f}"),
        ("unconditional samples: largest gap of the mean force curve to the cohort mean (% BW)", f"{mean_gap[force_rows].max():.2f}"),
        ("unconditional samples: mean gap, forces (% BW)", f"{mean_gap[force_rows].mean():.2f}"),
        ("'all known' returns the input exactly", "yes" if np.array_equal(all_known[0], np.where(True, scaled_check, 0).astype(np.float32)) else "no"),
    ],
    columns=["check", "value"],
)
display(Markdown(report.markdown_table(model_facts)))

# %% [markdown]
# **Table 2.** The trained denoiser and two sanity checks on the synthetic
# cohort: the mean of unconditional samples against the training cohort's
# mean curve, and an "all known" mask, which must return its input.

# %% tags=["remove-input"]
report.glue_text("gd_condition_dropout", f"{settings.condition_dropout:g}")
report.glue_text("gd_held_out", str(settings.held_out_dataset))
report.glue_number("gd_n_eval_trials", int(run.evaluation.size))
report.glue_number("gd_n_eval_subjects", int(np.unique(run.subjects(run.evaluation)).size))
report.glue_number("gd_n_samples", settings.n_samples)

# %% [markdown]
# ## Filling in channels that a setup lacks
#
# Every task hides a fixed pattern of curve entries in
# {glue:text}`gd_n_eval_trials` trials of {glue:text}`gd_n_eval_subjects`
# test subjects (a fixed draw) and scores each method against the hidden
# truth, in % BW for forces and mm for COP. All methods see the same inputs:
# the known curve entries, no metadata. The diffusion prediction is the mean
# of {glue:text}`gd_n_samples` samples. Baselines: the population mean and
# median curves, ridge regression and k-nearest neighbours (k = 10) from the
# observed entries, Gaussian conditioning in a 64-component probabilistic PCA
# space, and, for gaps, linear interpolation. The "best achievable" predictor
# is an MLP on the same inputs, trained on
# {glue:text}`gd_fresh_trials` trials of fresh generator cohorts (other
# seeds); for the insole task the refinement regressor is the same MLP
# trained on the complete training trials, as GaitDynamics trains its force
# refinement model. Intervals are 95 % percentile intervals over
# {glue:text}`gd_n_bootstrap` resamples of subjects.

# %%
fresh = tasks.fresh_sample(run)
all_scenarios = tasks.scenarios()
errors, calibration = tasks.run_tasks(run, run.evaluation, all_scenarios, fresh)
insole, plate = all_scenarios[0].name, all_scenarios[1].name
display(Markdown(report.markdown_table(tables.task_table(errors, insole, settings.n_bootstrap))))

# %% [markdown]
# **Table 3.** Insole scenario on the synthetic cohort: AP and ML force of
# both sides from the vertical force and both COP curves (mean absolute
# error, % BW, [95 % interval over subjects]).

# %%
display(Markdown(report.markdown_table(tables.task_table(errors, plate, settings.n_bootstrap))))

# %% [markdown]
# **Table 4.** One plate on the synthetic cohort: the right step's five
# curves from the left step's (% BW and mm).

# %%
for name in tasks.GAPS:
    display(Markdown(f"*{name}*"))
    display(Markdown(report.markdown_table(tables.task_table(errors, name, settings.n_bootstrap))))

# %% [markdown]
# **Table 5.** Time gaps in all ten channels on the synthetic cohort
# (% BW and mm).
#
# The verdict rule: diffusion is *better* than the best baseline of a task
# (the baseline with the lowest mean error, never the best-achievable or
# refinement model) when the 95 % subject-bootstrap interval of the error
# difference lies wholly below zero, *worse* when wholly above, and otherwise
# no difference is shown. The last column divides the diffusion error by the
# best-achievable error: near 1 means the model extracts what the generator
# put in; far above 1 means the model is too weak.

# %%
verdict_table = tables.verdicts(errors, settings.n_bootstrap)
display(Markdown(report.markdown_table(verdict_table)))

# %% [markdown]
# **Table 6.** Verdicts per task and component on the synthetic cohort
# (single-channel rows: one channel dropped, the other nine known).

# %% tags=["remove-input"]
report.glue_number("gd_fresh_trials", 0 if fresh is None else int(fresh.shape[0]))
report.glue_number("gd_n_bootstrap", settings.n_bootstrap)
counts = verdict_table["verdict"].value_counts()
report.glue_number("gd_n_better", int(counts.get("better", 0)))
report.glue_number("gd_n_worse", int(counts.get("worse", 0)))
report.glue_number("gd_n_rows", len(verdict_table))
per_component = tables._per_trial(errors)
insole_means = per_component[per_component["scenario"] == insole].groupby(["method", "component"])["mae"].mean()
report.glue_number("gd_insole_ap", float(insole_means[(tasks.DIFFUSION, "F_AP")]))
report.glue_number("gd_insole_ml", float(insole_means[(tasks.DIFFUSION, "F_ML")]))
report.glue_number("gd_refine_ap", float(insole_means[(tasks.REFINEMENT, "F_AP")]))
report.glue_number("gd_refine_ml", float(insole_means[(tasks.REFINEMENT, "F_ML")]))
plate_means = per_component[per_component["scenario"] == plate].groupby(["method", "component"])["mae"].mean()
report.glue_number("gd_plate_fv", float(plate_means[(tasks.DIFFUSION, "F_V")]))
report.glue_number("gd_plate_fv_median", float(plate_means[("population median", "F_V")]))

# %% [markdown]
# In the insole task the diffusion model's AP and ML errors are
# {glue:text}`gd_insole_ap:.2f` and {glue:text}`gd_insole_ml:.2f` % BW, the
# refinement regressor's {glue:text}`gd_refine_ap:.2f` and
# {glue:text}`gd_refine_ml:.2f` % BW (the seed: 1.2 and 0.7 % BW from full
# kinematics, a different and richer input). For one plate, the right
# vertical force is rebuilt with {glue:text}`gd_plate_fv:.2f` % BW error
# against {glue:text}`gd_plate_fv_median:.2f` % BW for the median curve. Over
# all {glue:text}`gd_n_rows` task × component rows, diffusion is better than
# the best baseline in {glue:text}`gd_n_better` and worse in
# {glue:text}`gd_n_worse`.
#
# ## Lost insole inputs: inpainting against median filling
#
# The seed's Fig. 2 removes input groups (hip, knee, ...) and fills them
# either by diffusion inpainting or by the median, then runs the force model.
# The analog here removes vertical force, AP COP or ML COP of both sides, or
# the whole left insole, fills the lost curves by diffusion (given what is
# left) or by the training median curve, and runs the refinement regressor,
# trained on complete inputs, to estimate the AP and ML forces. The cost of
# the loss is the added AP/ML error against complete inputs.

# %%
lost_inputs = tasks.missing_insole_inputs(run, run.evaluation)
display(Markdown(report.markdown_table(tables.missing_inputs_table(lost_inputs, settings.n_bootstrap))))
figures.missing_inputs(lost_inputs)

# %% [markdown]
# **Table 7 and Figure 1.** Lost insole inputs on the synthetic cohort:
# AP/ML error of the refinement regressor (mean over the four target curves,
# % BW) and its increase over complete inputs.

# %%
lost_verdicts = tables.lost_input_verdicts(lost_inputs, settings.n_bootstrap)
display(Markdown(report.markdown_table(lost_verdicts)))

# %% [markdown]
# **Table 8.** Diffusion inpainting against median filling per lost group
# (difference of the added error, % BW [95 % interval over subjects]; the
# verdict rule of Table 6).

# %% tags=["remove-input"]
losses = lost_inputs[lost_inputs["filler"] != "none"].groupby(["filler", "group"])["loss"].mean()
report.glue_text("gd_loss_diffusion", f"{losses['diffusion inpainting'].min():.2f}–{losses['diffusion inpainting'].max():.2f}")
report.glue_text("gd_loss_median", f"{losses['median filling'].min():.2f}–{losses['median filling'].max():.2f}")
report.glue_number("gd_lost_better", int((lost_verdicts["verdict"] == "better").sum()))
report.glue_number("gd_lost_groups", len(lost_verdicts))

# %% [markdown]
# Over the four lost groups, the change of the AP/ML error against complete
# inputs ranges over {glue:text}`gd_loss_diffusion` % BW with diffusion
# filling and {glue:text}`gd_loss_median` % BW with median filling (the
# seed's losses: 0.0–1.9 against 3.8–20 % BW); inpainting beats median filling for
# {glue:text}`gd_lost_better` of {glue:text}`gd_lost_groups` groups by the
# rule of Table 6. Where the lost group carries little that the regressor uses,
# both fillers cost little; the gap between them is the information the
# remaining channels hold about the lost ones (Table 1).
#
# ## Uncertainty
#
# The seed reports no uncertainty. With samples, two scores are natural: the
# continuous ranked probability score {cite:p}`gneiting2007scoring` (CRPS;
# lower is better, in the units of the curve), and how often the hidden value
# lies within the range of the samples. For exchangeable samples from the
# right distribution, the range of n samples covers a further draw with
# probability (n − 1)/(n + 1), the nominal value in the table. Two
# comparisons give the check teeth: the same diffusion samples pulled
# halfway to their mean (an overconfident sampler, which must lose coverage),
# and samples of the Gaussian-PCA posterior.

# %%
display(Markdown(report.markdown_table(tables.calibration_table(calibration, settings.n_samples))))
example = run.evaluation[:1]
example_known = tasks.full_known(all_scenarios[0].known, 1)
example_samples = diffusion.inpaint(run.model, run.scaled(example), example_known, settings.n_samples, seed=7)[:, 0, :N_CURVES]
figures.inpainting_example(
    metrics.to_report_units(run.scaled(example)[0, :N_CURVES], run.model.scaling),
    metrics.to_report_units(example_samples, run.model.scaling),
    all_scenarios[0].known,
    ("F_V_left", "F_AP_left", "F_ML_left"),
)

# %% [markdown]
# **Table 9 and Figure 2.** Calibration on the synthetic cohort (mean CRPS
# and coverage of the sample range over all tasks of a kind), and one test
# trial of the insole task: the known vertical force, and the diffusion
# samples of the hidden AP and ML forces against the hidden truth.

# %% tags=["remove-input"]
calibration_means = calibration.groupby("method")["coverage"].mean()
report.glue_number("gd_coverage", float(calibration_means["diffusion"]))
report.glue_number("gd_coverage_shrunk", float(calibration_means[tasks.SHRUNK]))
report.glue_number("gd_coverage_gaussian", float(calibration_means[tasks.GAUSSIAN]))
report.glue_number("gd_coverage_nominal", metrics.nominal_coverage(settings.n_samples))
report.glue_text("gd_coverage_verdict", tables.coverage_verdict(float(calibration_means["diffusion"]), metrics.nominal_coverage(settings.n_samples)))

# %% [markdown]
# Over all tasks the sample range covers the truth in
# {glue:text}`gd_coverage:.2f` of entries against a nominal
# {glue:text}`gd_coverage_nominal:.2f` (halved spread:
# {glue:text}`gd_coverage_shrunk:.2f`; Gaussian PCA:
# {glue:text}`gd_coverage_gaussian:.2f`). By the rule "within ± 0.05 of
# nominal", the diffusion samples are {glue:text}`gd_coverage_verdict`. A
# coverage below nominal means the samples are too narrow, and their
# intervals should not be read as calibrated.
#
# ## An unseen sub-dataset
#
# GaitDynamics held out whole studies. Here DATASET_ID
# {glue:text}`gd_held_out` never entered training; its trials are scored on
# the insole and one-plate tasks beside the test subjects of the training
# sub-datasets. The generator draws every sub-dataset from the same model, so
# a difference here comes from who is in the sub-dataset (their speeds,
# masses and ages) and from the small number of its trials, not from a
# laboratory; the check matters on real curves, where laboratories differ.

# %%
unseen_errors, _ = tasks.run_tasks(run, run.unseen, all_scenarios[:2], None)
comparison = pd.concat(
    [
        errors[errors["scenario"].isin([insole, plate]) & (errors["method"] == tasks.DIFFUSION)].assign(subjects="test subjects, training sub-datasets"),
        unseen_errors[unseen_errors["method"] == tasks.DIFFUSION].assign(subjects=f"DATASET_ID {settings.held_out_dataset} (unseen)"),
    ]
)
comparison = comparison.assign(component=comparison["channel"].map(tables.component))
unseen_table = comparison.groupby(["scenario", "component", "subjects"], sort=False)["mae"].mean().unstack("subjects").round(2).reset_index()
display(Markdown(report.markdown_table(unseen_table)))

# %% [markdown]
# **Table 10.** Diffusion errors on the synthetic cohort's test subjects and
# on the unseen sub-dataset (% BW and mm).
#
# ## What if faster, slower or heavier?
#
# For each evaluation trial with a known speed, the generator makes the twin
# at 0.75, 0.85, 0.95, 1.05, 1.15 or 1.25 times the speed (one factor per
# subject, the subjects taking the factors in turn), and likewise a twin
# with body mass scaled by the same factors. The diffusion edit uses DDIM inversion: the trial is
# mapped, given its recorded metadata, to the noise from which the sampler
# regenerates it, and regenerated from that noise with the new speed or
# mass; the difference of the two regenerations is added to the recorded
# trial, so the person's own curve shape is kept. This replaces the seed's
# guidance loss that keeps other signals within a tolerance. Baselines: the
# trial unchanged, the population mean curve at the new covariates (a linear
# regression of the curves on the five metadata values), and that
# regression's slope added to the trial (a linear population shift). The
# "effect ratio" is the mean predicted change over the mean true change, both
# signed by the direction of the change: the seed's "≈ 0.8 of measured".

# %%
speed = counterfactuals.run(run, "speed")
mass = counterfactuals.run(run, "mass")
speed_slopes = counterfactuals.slope_table(speed)
display(Markdown(report.markdown_table(speed_slopes.round(2))))
figures.counterfactual_changes(speed)

# %% [markdown]
# **Table 11 and Figure 3.** Speed counterfactuals on the synthetic cohort:
# per landmark (both sides pooled), the mean true change signed by the
# direction of the speed change (% BW), the slope and R² of predicted on true
# change across trials, and the effect ratio ("–" where the change does not
# move the landmark).

# %%
for name, result in (("speed", speed), ("body mass", mass)):
    display(Markdown(f"*{name} changed*"))
    display(Markdown(report.markdown_table(tables.identity_summary(counterfactuals.identity_table(result, run), settings.n_bootstrap))))
mass_slopes = counterfactuals.slope_table(mass)
display(Markdown(report.markdown_table(mass_slopes.round(2))))

# %% [markdown]
# **Table 12.** Identity on the synthetic cohort: force RMSE (% BW) of each
# prediction of the twin, and the share of trials where the diffusion edit
# is closer to the twin; then the landmark table of the body-mass change.
# The edit keeps the person when it beats both the unchanged trial and the
# population mean at the new covariates.

# %% tags=["remove-input"]
def _ratio(table: pd.DataFrame, method: str, landmark: str) -> float:
    return float(table[(table["method"] == method) & (table["landmark"] == landmark)]["effect ratio"].iloc[0])


speed_identity = counterfactuals.identity_table(speed, run).groupby("method")["rmse"].mean()
report.glue_number("gd_ratio_first_peak", _ratio(speed_slopes, "diffusion edit", "first vertical peak"))
report.glue_number("gd_ratio_braking", _ratio(speed_slopes, "diffusion edit", "braking peak (AP minimum)"))
report.glue_number("gd_ratio_linear_first_peak", _ratio(speed_slopes, "linear population shift", "first vertical peak"))
report.glue_number("gd_rmse_edit", float(speed_identity["diffusion edit"]))
report.glue_number("gd_rmse_unchanged", float(speed_identity["trial unchanged"]))
report.glue_number("gd_rmse_mean", float(speed_identity["population mean at new covariates"]))
report.glue_number("gd_rmse_linear", float(speed_identity["linear population shift"]))
identity_kept = speed_identity["diffusion edit"] < min(speed_identity["trial unchanged"], speed_identity["population mean at new covariates"])
report.glue_text("gd_identity_verdict", "keeps" if identity_kept else "does not keep")
speed_verdict = tables.effect_verdict(_ratio(speed_slopes, "diffusion edit", "first vertical peak"))
report.glue_text("gd_speed_verdict", speed_verdict)
report.glue_text(
    "gd_speed_label",
    "The diffusion edit recovers the speed effect on the first peak by the rule above."
    if speed_verdict == "recovered"
    else "The diffusion edit does not recover the speed effect (its effect ratio lies outside 0.5–1.5): on this page it is a method "
    "that does not work for speed changes, reported as such, and its other numbers in this section are not evidence about speed.",
)

# %% [markdown]
# Rule: an edit recovers an effect when its effect ratio for a landmark lies
# between 0.5 and 1.5. {glue:text}`gd_speed_label`
#
# For the speed change, the diffusion edit's effect ratio is
# {glue:text}`gd_ratio_first_peak:.2f` for the first vertical peak and
# {glue:text}`gd_ratio_braking:.2f` for the braking peak (the linear
# population shift: {glue:text}`gd_ratio_linear_first_peak:.2f` for the
# first peak; the seed: ≈ 0.8). Its force RMSE to the twin is
# {glue:text}`gd_rmse_edit:.2f` % BW against
# {glue:text}`gd_rmse_unchanged:.2f` for the unchanged trial,
# {glue:text}`gd_rmse_mean:.2f` for the population mean at the new speed and
# {glue:text}`gd_rmse_linear:.2f` for the linear shift: by the rule above,
# the edit {glue:text}`gd_identity_verdict` the person. The linear shift is a
# strong competitor by construction: the generator's speed effects are
# linear slopes on landmarks.
#
# ## Link to the study: the same sparse features?
#
# The study's sparse autoencoder encodes the recorded trial, its twin and
# each predicted twin. If a method changes the curves the way the generator
# does, its change of the code points the same way as the twin's (cosine
# near 1). Pairing each predicted change with another trial's true change is
# the control: it keeps what all speed changes share and removes what is
# specific to the trial.

# %%
sae_profile = "full" if settings.profile == "gpu" else settings.profile
sae_settings = config.resolve(sae_profile, models=("sae",), seeds=(config.resolve(sae_profile).seeds[0],))
sae_study = gait.prepare(sae_settings)
encoder = gait.curve_encoder(sae_study, gait.train_all(sae_study, progress=False)["sae"][0])
agreement = study_link.feature_agreement(speed, encoder, run.subjects(speed["rows"]))
agreement_rows = []
for method, part in agreement.groupby("method", sort=False):
    agreement_rows.append(
        {
            "method": method,
            "cosine with the twin's code change": metrics.format_interval(*metrics.subject_bootstrap(part["cosine"].to_numpy(), part["subject"].to_numpy(), settings.n_bootstrap)),
            "control: another trial's change": metrics.format_interval(*metrics.subject_bootstrap(part["control"].to_numpy(), part["subject"].to_numpy(), settings.n_bootstrap)),
        }
    )
display(Markdown(report.markdown_table(pd.DataFrame(agreement_rows))))

# %% [markdown]
# **Table 13.** Agreement of SAE code changes under the speed counterfactual
# on the synthetic cohort (mean cosine over subjects [95 % interval]).

# %% tags=["remove-input"]
cosines = agreement.groupby("method")[["cosine", "control"]].mean()
report.glue_number("gd_cosine_edit", float(cosines.loc["diffusion edit", "cosine"]))
report.glue_number("gd_cosine_control", float(cosines.loc["diffusion edit", "control"]))
report.glue_number("gd_cosine_linear", float(cosines.loc["linear population shift", "cosine"]))
report.glue_number("gd_cosine_linear_control", float(cosines.loc["linear population shift", "control"]))
edit_part = agreement[agreement["method"] == "diffusion edit"]
cosine_interval = metrics.subject_bootstrap((edit_part["cosine"] - edit_part["control"]).to_numpy(), edit_part["subject"].to_numpy(), settings.n_bootstrap)
report.glue_text("gd_sae_verdict", "moves the same SAE features as the twin" if cosine_interval[1] > 0 else "is not shown to move the same SAE features as the twin")

# %% [markdown]
# The diffusion edit moves the SAE code in a direction whose cosine with the
# twin's change is {glue:text}`gd_cosine_edit:.2f` on average, against
# {glue:text}`gd_cosine_control:.2f` when paired with another trial's change.
# Rule: the edit moves the same features when the 95 % interval of the
# per-subject difference (own minus control) lies above zero; by it, the
# edit {glue:text}`gd_sae_verdict`. The test can succeed: the linear
# population shift's code change has a cosine of
# {glue:text}`gd_cosine_linear:.2f` with the twin's
# ({glue:text}`gd_cosine_linear_control:.2f` for the control). The SAE reads
# standardised wavelet coefficients, so a small change in a coefficient of
# low variance can dominate its code; agreement in the curves (Table 12)
# does not imply agreement in the code.
#
# ## Summary

# %% tags=["remove-input"]
by_task = verdict_table.assign(task=verdict_table["scenario"].map({scenario.name: scenario.task for scenario in all_scenarios}))
summary_rows = []
for task_name, part in by_task.groupby("task", sort=False):
    counts = part["verdict"].value_counts()
    ratios = pd.to_numeric(part["diffusion / best achievable"], errors="coerce")
    summary_rows.append(
        {
            "question": f"{task_name}: diffusion against the best baseline",
            "answer on the synthetic cohort": f"better in {counts.get('better', 0)}, worse in {counts.get('worse', 0)}, "
            f"no difference shown in {counts.get('no difference shown', 0)} of {len(part)} components"
            + (f"; error / best achievable {ratios.min():.2f}–{ratios.max():.2f}" if ratios.notna().any() else ""),
        }
    )
summary_rows += [
    {"question": "lost insole inputs: inpainting against median filling", "answer on the synthetic cohort": f"better for {int((lost_verdicts['verdict'] == 'better').sum())} of {len(lost_verdicts)} groups"},
    {"question": "calibration of the samples", "answer on the synthetic cohort": tables.coverage_verdict(float(calibration_means["diffusion"]), metrics.nominal_coverage(settings.n_samples))},
    {"question": "speed effect on the first vertical peak", "answer on the synthetic cohort": speed_verdict},
    {"question": "identity kept under the speed edit", "answer on the synthetic cohort": "yes" if identity_kept else "no"},
    {"question": "same SAE features as the twin", "answer on the synthetic cohort": "yes" if cosine_interval[1] > 0 else "not shown"},
]
display(Markdown(report.markdown_table(pd.DataFrame(summary_rows))))

# %% [markdown]
# **Table 14.** The chapter's questions and the answers its rules give on
# the synthetic cohort.
#
# The best-achievable column separates two kinds of failure. Where the
# best-achievable error is close to the baselines', the generator put little
# of the hidden channel into the known ones (Table 1), and no method can do
# better; where it is well below the diffusion error, the information is
# there and the diffusion model, at this size and training budget on a CPU,
# does not extract it. A GPU profile at the seed's size (one token per
# sample, 256 wide, 20,000 steps) is configured for that second case; its
# numbers are not on this page. GaitDynamics' own claims (force errors of
# 3.2/1.2/0.7 % BW, inpainting losses of 0.0–1.9 % BW, speed effects at
# ≈ 0.8 of measured) concern whole-body kinematics and real people; nothing
# here confirms or refutes them.
