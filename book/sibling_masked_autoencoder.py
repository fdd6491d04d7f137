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
# # Label-free anomaly localisation and normative twins
#
# GenGait {cite:p}`motta_gengait` learns what normal walking looks like from
# healthy people only, and then asks of a new recording which parts do not
# fit. A transformer masked autoencoder {cite:p}`he2022mae,vaswani2017attention`
# is trained to fill in hidden parts of normal gait. At inference, a first
# pass hides one joint at a time and scores how badly the rest of the body
# predicts it; a second pass hides every flagged joint together and rebuilds
# it from the context, giving a "normative twin": the same person, walking
# as the normal model expects. The authors validated it on ten held-out
# people who mimicked seven abnormal gaits and report accurate localisation,
# a significant reduction of angular deviation with large effect sizes, and
# preserved normal kinematics. The text available to us gives no numbers, so
# this chapter quotes none.
#
# Here the same two passes run on the book's ten force and
# centre-of-pressure (COP) curves. A "joint" becomes a channel, and the
# mimicked abnormalities become edits planted in held-out people's curves
# ({doc}`synthetic_model` shows the catalogue), so the true answer
# is known: which channels changed, where in stance, and the untouched curve
# that a perfect twin would recover.

# %% tags=["parameters"]
profile = "full"
epochs = None
d_model = None
encoder_layers = None
trials_per_subject = None
severities = None
n_bootstrap = None
data_dir = None
download = None
gaitrec_data_dir = None

# %% tags=["remove-stderr"]
import numpy as np
from IPython.display import Markdown, display

from analysis import config
from analysis.book import report
from analysis.data import datasets, source
from analysis.data.abnormalities import ABNORMALITIES
from analysis.engine import training as engine
from analysis.features import wavelets
from analysis.features.model_inputs import to_curves
from analysis.gengait import baselines, evaluation, experiment, figures, real_sides, study_link, tables
from analysis.sae import study as gait

settings = config.resolve_gengait(
    profile, epochs=epochs, d_model=d_model, encoder_layers=encoder_layers,
    trials_per_subject=trials_per_subject, severities=severities, n_bootstrap=n_bootstrap,
)
run = experiment.setup(settings, data_dir=data_dir, download=download)
report.show_system_header(run.source, tables.settings_table(settings, run.trained), settings.device)

# %% [markdown]
# ```{admonition} What this can and cannot show on synthetic data
# :class: note
# The abnormalities are planted edits with exact ground truth, applied to
# curves of people the models never saw. That makes localisation, false
# alarms and the quality of the twin measurable, which a study of mimicked
# gait cannot do. It cannot show that the edits look like real patients, or
# that the context the model relies on exists in real people: in the
# synthetic cohort, the landmarks of different force components are
# independent given speed and body size, and the two sides share most of
# their variation, so a channel is predicted mainly by its partner on the
# other side.
# ```
#
# ## The system
#
# **Tokens.** Each channel is cut into time patches; a token holds the
# patch's values and their first differences (the analogue of GenGait's
# velocity embedding), and three learned embeddings say where it sits: the
# force or COP component, the side, and the time patch. Values are
# deviations from the training subjects' mean curve in units of each
# channel's SD.
#
# **Model.** As in MAE, hidden tokens never enter the encoder: the visible
# tokens are encoded, put back in place, every hidden position receives one
# learned mask token, and a small decoder predicts every patch. The loss is
# the squared error at hidden tokens. Masks follow a curriculum from random
# tokens (a rising share) to structured masks: a whole channel, a whole side,
# a time span in one to three channels, one channel in one stance tile, and a
# channel with its partner on the other side. The model has
# {glue:text}`c_mae_parameters` parameters; the profile for a GPU uses the
# seed's depths (eight encoder and two decoder layers).
#
# **Who is used for what.** The model and every baseline learn from the
# training subjects' trials. Thresholds are fitted on
# {glue:text}`c_mae_calibration_trials` trials of
# {glue:text}`c_mae_calibration_subjects` validation subjects. Abnormalities
# are planted in {glue:text}`c_mae_evaluation_trials` trials of
# {glue:text}`c_mae_test_subjects` test subjects; these are disjoint groups of
# people, checked in code.
#
# **Pass 1.** Each channel, and each channel within each of four stance tiles
# ({glue:text}`c_mae_tiles`), is hidden in turn and reconstructed. Its score
# is the log mean squared residual, z-scored against the same part on the
# validation trials. One threshold is fitted on the largest z of each
# validation trial, so that a share of {glue:text}`c_mae_flag_rate` of
# healthy *trials* get any flag at all. Ten channels tested at that rate each
# would flag far more healthy trials. A channel's score is the largest z of
# the channel and its tiles; a flagged channel's time window is where its
# residual leaves the healthy per-sample band.
#
# **Pass 2.** Every flagged part is hidden at once and reconstructed. The twin
# is the input with those samples replaced and every other sample copied
# exactly.

# %% tags=["remove-input"]
chosen = run.design
report.glue_number("c_mae_parameters", run.trained.n_parameters)
report.glue_number("c_mae_calibration_trials", int(chosen.validation.size))
report.glue_number("c_mae_calibration_subjects", int(np.unique(chosen.subjects[chosen.validation]).size))
report.glue_number("c_mae_evaluation_trials", int(chosen.evaluation.size))
report.glue_number("c_mae_test_subjects", int(np.unique(run.groups).size))
report.glue_text("c_mae_tiles", ", ".join(f"{first}–{last} %" for first, last in run.trained.layout.tile_samples()))
report.glue_number("c_mae_flag_rate", settings.flag_rate)
report.glue_number("c_mae_best_epoch", run.trained.best_epoch)
report.glue_number("c_mae_noise_floor", run.detector.noise_floor)

# %% [markdown]
# ## The study's SAE as one more baseline
#
# The study's sparse autoencoder (first seed, at its calibrated sparsity) was
# trained on the same training subjects. Its reconstruction residual per
# channel is scored and calibrated exactly like every other method.

# %%
sae_settings = config.resolve(settings.study_profile, models=("sae",))
sae_study = gait.prepare(sae_settings, data_dir=data_dir, download=download)
if sae_study.features.split != run.split:
    raise RuntimeError("the SAE's subject split differs from this chapter's; the comparison would leak")
sae_config = gait.main_config(sae_study, "sae", gait.calibrate_all(sae_study))
sae_run = engine.train(
    sae_config, gait.train_config(sae_settings, seeds=sae_settings.seeds[:1]),
    sae_study.features.train, sae_study.features.validation, data_identity=sae_study.features.identity,
)[0]


def sae_inputs(curves: np.ndarray) -> np.ndarray:
    """Curves (data units) -> the SAE's standardised wavelet coefficients."""
    return sae_study.features.standardizer.transform(wavelets.encode(curves, "trial")).astype(np.float32)


def sae_reconstruct(standardised: np.ndarray) -> np.ndarray:
    """The SAE's reconstruction, in this chapter's standardised units."""
    scaler = run.trained.scaler
    return scaler.transform(to_curves(sae_run.reconstruct(sae_inputs(scaler.inverse(standardised))), sae_study.features))


sae_scorer = baselines.reconstruction("sae", "study's SAE residual", sae_reconstruct)
results = experiment.run(run, extra=[sae_scorer])
labels = {evaluation.MAE: evaluation.MAE_LABEL, **{scorer.name: scorer.label for scorer in [*run.scorers, sae_scorer]}}

# %% [markdown]
# ## Calibration: false flags on untouched trials
#
# Before any abnormality: how many untouched trials of the test subjects does
# each method flag? Every method was calibrated to the same per-trial rate on
# the validation subjects; the interval comes from resampling test subjects.

# %%
false_flags = evaluation.false_flags(results, run.groups, settings.n_bootstrap)
display(Markdown(report.markdown_table(tables.false_flags(false_flags, labels, settings.flag_rate))))

# %% tags=["remove-input"]
mae_false = false_flags.set_index("method").loc[evaluation.MAE]
report.glue_number("c_mae_false_rate", mae_false["rate"])
report.glue_number("c_mae_false_low", mae_false["low"])
report.glue_number("c_mae_false_high", mae_false["high"])

# %% [markdown]
# **Table 1.** Share of untouched test trials with at least one flagged
# channel, per method, with its 95 % subject-bootstrap interval, against the
# rate every method was calibrated to. The autoencoder flags
# {glue:text}`c_mae_false_rate:.2f` of untouched trials
# ({glue:text}`c_mae_false_low:.2f`–{glue:text}`c_mae_false_high:.2f`).
#
# ## Localisation: dose–response
#
# Each kind was planted on the {glue:text}`c_mae_side` side of every
# evaluation trial at each severity (in healthy between-subject SDs of the
# kind's target landmark, scaled on the training subjects), and
# {glue:text}`c_mae_bilateral` also on both sides, where the other side no
# longer offers a healthy reference. A channel counts as affected when the
# edit changed any of its samples. Channel AUROC ranks all channels of all
# trials by their score; the top-2 hit rate asks whether an affected channel
# is among a trial's two highest scores.

# %% tags=["remove-input"]
report.glue_text("c_mae_side", settings.edited_side)
report.glue_text("c_mae_bilateral", " and ".join(ABNORMALITIES[kind].label for kind in settings.bilateral_kinds) or "no kind")

# %%
localisation = evaluation.localisation_table(results, run.groups, settings.n_bootstrap)
figures.dose_response(localisation, labels)

# %% [markdown]
# **Figure 1.** Channel AUROC against severity for each abnormality; the
# autoencoder (thick line) with its 95 % subject-bootstrap band, and every
# baseline. The dotted line is chance.

# %%
display(Markdown(report.markdown_table(tables.localisation(localisation))))

# %% [markdown]
# **Table 2.** The autoencoder per abnormality and severity: channel AUROC
# (95 % interval), top-2 hit rate, share of trials with any flag, flagged
# channels that were not edited per trial, and the overlap (IoU) of the
# flagged time window with the edited samples, over affected channels that
# were flagged. A dash: nothing to measure (no affected channel was flagged).

# %% [markdown]
# ## Against simpler methods
#
# The same channels ranked by the population ±2 SD band (the share of
# samples outside it, as in GenGait's figures), the contralateral symmetry
# of each component, the residual of a principal-component model of the
# whole trial, leave-one-channel-out ridge regression (each channel predicted
# linearly from the other nine: the linear counterpart of occluding it), and
# the study's SAE. **Rule:** at each severity the autoencoder is compared with
# the best baseline there; it is better when the 95 % paired-bootstrap
# interval of the AUROC difference lies above zero, worse when below, and
# otherwise the cheaper method is preferred.

# %%
methods = list(labels)
pooled = evaluation.pooled_auroc(results, run.groups, methods, settings.n_bootstrap)
comparison = tables.comparison(pooled, labels)
display(Markdown(report.markdown_table(comparison)))

# %% [markdown]
# **Table 3.** Channel AUROC pooled over all kinds at each severity (95 %
# subject-bootstrap intervals), the best baseline there, the interval of the
# autoencoder's difference to it, and the verdict by the rule.

# %%
figures.pooled_comparison(pooled, labels)

# %% [markdown]
# **Figure 2.** Pooled channel AUROC per method and severity, for
# abnormalities on one side and on both sides, with 95 % intervals.

# %%
per_trial = experiment.scoring_seconds(run, extra=[sae_scorer])
fit_seconds = {evaluation.MAE: run.trained.seconds, **{scorer.name: scorer.fit_seconds for scorer in run.scorers}}
display(Markdown(report.markdown_table(tables.timing(fit_seconds, per_trial, labels))))

# %% tags=["remove-input"]
verdicts = comparison["verdict"]
report.glue_number("c_mae_n_better", int((verdicts == tables.BETTER).sum()))
report.glue_number("c_mae_n_worse", int((verdicts == tables.WORSE).sum()))
report.glue_number("c_mae_n_unclear", int((verdicts == tables.UNCLEAR).sum()))
report.glue_number("c_mae_n_comparisons", len(verdicts))
report.glue_number("c_mae_cost_ratio", per_trial[evaluation.MAE] / per_trial["ridge"])
worse_or_unclear = comparison[verdicts != tables.BETTER]
report.glue_number("c_mae_n_parts", len(run.trained.layout.parts()))
report.glue_text(
    "c_mae_not_worth",
    "; ".join(f"{row['abnormality on']} at {row['severity (SD)']} SD (best: {row['best baseline']})" for _, row in worse_or_unclear.iterrows())
    or "nowhere in this run",
)

# %% [markdown]
# **Table 4.** Time to fit each method (the autoencoder's training time is
# the one recorded when it was trained; a cached model loads in seconds) and
# to score one trial (the autoencoder runs all
# {glue:text}`c_mae_n_parts` occlusions of pass 1).
#
# **Where the transformer is not worth its cost.** Of
# {glue:text}`c_mae_n_comparisons` severity comparisons, the autoencoder is
# better than the best baseline in {glue:text}`c_mae_n_better`, worse in
# {glue:text}`c_mae_n_worse` and not clearly different in
# {glue:text}`c_mae_n_unclear`, while scoring a trial costs about
# {glue:text}`c_mae_cost_ratio:.0f` times as long as leave-one-channel-out
# ridge. By the rule above, the simpler method is the better choice for:
# {glue:text}`c_mae_not_worth`.

# %% [markdown]
# ## The normative twin
#
# For every planted trial the untouched curve is the exact twin. The
# deviation reduction is 1 − RMSE(twin, truth) / RMSE(input, truth) over the
# affected channels, with RMSE in units of each channel's healthy SD,
# averaged per subject; the paired Wilcoxon test and the effect size d_z
# (mean paired difference over its SD) compare input and twin across
# subjects. Two references separate localisation from reconstruction: the
# twin built with the *true* mask (every affected channel hidden), and the
# training subjects' mean curve put in the same place. **Rule:** a twin
# corrects a condition when the reduction is positive with p < 0.05 and
# d_z ≥ 0.8.

# %%
twins = evaluation.twin_table(results, run.groups, run.trained.scaler.scale)
display(Markdown(report.markdown_table(tables.twin(twins))))

# %% tags=["remove-input"]
planted = twins[twins["kind"] != "none"]
corrects = (planted["reduction"] > 0) & (planted["p_wilcoxon"] < tables.SIGNIFICANCE) & (planted["d_z"] >= tables.LARGE_EFFECT)
report.glue_number("c_mae_n_corrected", int(corrects.sum()))
report.glue_number("c_mae_n_conditions", len(planted))
report.glue_number("c_mae_oracle_beats_mean", float((planted["rmse_oracle"] < planted["rmse_population_oracle"]).mean()))
report.glue_number("c_mae_preserved", float(twins["preserved_rmse"].mean()))
control = twins[twins["kind"] == "none"].iloc[0]
report.glue_number("c_mae_control_changed", float(control["untouched_changed"]))

# %% [markdown]
# **Table 5.** Twins per abnormality and severity: RMSE to the truth before
# and after pass 2 on the affected channels, the reduction, Wilcoxon p and
# d_z over subjects, whether the rule's "corrects" holds, the reduction a
# twin built with the true mask would reach, that twin against the
# population mean curve in the same place, and the RMSE the twin adds to
# channels that were not edited.
#
# By the rule, the twin corrects {glue:text}`c_mae_n_corrected` of
# {glue:text}`c_mae_n_conditions` conditions. With the true mask, the
# reconstruction is closer to the truth than the population mean curve in a
# share of {glue:text}`c_mae_oracle_beats_mean:.2f` of conditions. A
# reconstruction of a hidden healthy channel misses by
# {glue:text}`c_mae_noise_floor:.2f` channel SDs on the validation trials
# (the model's noise floor, reached at its best epoch,
# {glue:text}`c_mae_best_epoch`); untouched channels change by
# {glue:text}`c_mae_preserved:.3f` SDs on average, and on untouched trials a
# share of {glue:text}`c_mae_control_changed:.3f` of channels is changed at
# all: only what was flagged.

# %%
reidentified = evaluation.reidentification(results, run.cohort, run.design, run.trained.scaler.scale, run.trained.scaler.mean_curve)
display(Markdown(report.markdown_table(tables.identity(reidentified))))

# %% [markdown]
# **Table 6.** Is the twin still the same person? A one-nearest-neighbour
# re-identifier, trained on the test subjects' *other* trials, names the
# walker of each untouched curve, abnormal input, twin, twin with the true
# mask and mean-curve fill; shares of correct names, averaged over kinds.
# **Rule:** identity is kept when the twin's share is at least 90 % of the
# untouched curves' share.

# %% tags=["remove-input"]
example_kind = "reduced_push_off" if "reduced_push_off" in ABNORMALITIES else next(iter(ABNORMALITIES))
example = next(
    result for result in results
    if result.condition.kind == example_kind and result.condition.side == settings.edited_side
    and result.condition.severity == max(settings.severities)
)
flagged_rows = np.flatnonzero(example.methods[evaluation.MAE].flags.any(axis=1))
example_trial = int(flagged_rows[0]) if flagged_rows.size else 0
shown_channels = [f"F_AP_{settings.edited_side}", f"F_V_{settings.edited_side}"]
healthy = run.cohort.curves[run.split.train]

# %%
figures.twin_example(example, example_trial, shown_channels, healthy.mean(axis=0), healthy.std(axis=0))

# %% [markdown]
# **Figure 3.** One test trial with reduced push-off planted at the largest
# severity: the healthy band, the untouched curve, the abnormal input and its
# twin; shading marks the flagged time window.
#
# ## Link to the study: do SAE features react to one abnormality each?
#
# For every kind at the largest severity on one side, the SAE code of each
# abnormal trial is compared with the code of its untouched twin. The most
# changed feature of a kind is the one with the largest mean |Δcode|; it is
# *selective* when its |Δcode| separates this kind's trials from the other
# kinds' trials (AUROC near 1). Its time-domain atom (the curves the decoder
# draws for that feature alone, minus the zero-code curves) then either
# concentrates its energy inside the edited samples, or spreads like an atom
# that ignores them (the mask's share of the grid).

# %%
strongest = max(settings.severities)
link_results = [
    result for result in results
    if result.condition.kind != "none" and result.condition.side == settings.edited_side and result.condition.severity == strongest
]
delta_codes = {
    result.condition.kind: sae_run.encode(sae_inputs(result.edited)) - sae_run.encode(sae_inputs(result.truth)) for result in link_results
}
selected = study_link.selectivity(delta_codes)
patterns, zero_code = gait.feature_patterns(sae_run, sae_study, selected["feature"].to_numpy())
truth_masks = {result.condition.kind: result.mask.any(axis=0) for result in link_results}
link = study_link.atom_table(selected, patterns - zero_code, truth_masks, run.cohort.channels)
display(Markdown(report.markdown_table(link.assign(
    abnormality=link["kind"].map(lambda kind: ABNORMALITIES[kind].label),
    **{
        "share of |Δcode|": link["share_of_change"].map(tables.number),
        "selectivity AUROC": link["selectivity_auroc"].map(tables.number),
        "atom energy inside": link["energy_inside"].map(tables.number),
        "mask's share of grid": link["area_inside"].map(tables.number),
    },
)[["abnormality", "feature", "share of |Δcode|", "features_moved", "selectivity AUROC", "atom energy inside",
   "mask's share of grid", "atom_channel"]].rename(columns={"features_moved": "features moved", "atom_channel": "atom's main channel"}))))

# %% tags=["remove-input"]
report.glue_number("c_mae_link_severity", strongest)
report.glue_number("c_mae_n_selective", int((link["selectivity_auroc"] >= 0.9).sum()))
report.glue_number("c_mae_n_inside", int((link["energy_inside"] > link["area_inside"]).sum()))
report.glue_number("c_mae_n_kinds", len(link))
report.glue_number("c_mae_distinct_features", int(link["feature"].nunique()))

# %% [markdown]
# **Table 7.** Per kind at {glue:text}`c_mae_link_severity` SD: the SAE
# feature whose code changed most, its share of the total code change, how
# many features moved by more than 5 % of the largest change, the AUROC of
# its change for this kind against the other kinds, the share of its atom's
# energy inside the edited samples against the share of the grid they
# cover, and the channel where the atom is strongest.
#
# Of {glue:text}`c_mae_n_kinds` kinds, {glue:text}`c_mae_n_selective` have a
# most-changed feature with a selectivity AUROC of at least 0.9, and
# {glue:text}`c_mae_distinct_features` different features are the most
# changed ones. For {glue:text}`c_mae_n_inside` kinds the atom puts more of
# its energy inside the edited samples than an evenly spread atom would.

# %% [markdown]
# ## Real patients (GaitRec)
#
# With the GaitRec curves {cite:p}`horsak2020gaitrec`, the normal model is
# trained on GaitRec's healthy controls alone, and each patient with one
# affected leg gets a side score: the largest calibrated channel score on
# the right minus that on the left. The AUROC of that score for
# right-affected against left-affected patients says whether pass 1 points
# at the affected side.

# %%
try:
    gaitrec_source = source.resolve(data_dir=gaitrec_data_dir, dataset="gaitrec")
except source.DataUnavailableError:
    gaitrec_source = None
if gaitrec_source is None:
    display(Markdown(
        "The GaitRec curves are not available to this build (set `GAITREC_DATA_DIR` to a directory with the "
        "published files, or pass `gaitrec_data_dir`), so this section is skipped. No result about real "
        "patients is claimed on this page."
    ))
else:
    gaitrec_cohort = datasets.get("gaitrec").load(gaitrec_source.directory)
    sides = real_sides.side_localisation(settings, gaitrec_cohort, settings.n_bootstrap, settings.train_seed)
    display(Markdown(report.real_data_banner("GaitRec", gaitrec_source.description)))
    display(Markdown(
        f"Trained on {sides.controls_train} healthy controls, calibrated on {sides.controls_calibration} others; "
        f"{sides.patients} patients with one affected side. Side AUROC "
        f"{tables.with_interval(sides.auroc, sides.low, sides.high)}; the larger side score names the affected side "
        f"for a share of {sides.accuracy:.2f} of patients."
    ))
    display(Markdown(report.markdown_table(sides.per_class.assign(
        side_correct=sides.per_class["side_correct"].map(tables.number), any_flag=sides.per_class["any_flag"].map(tables.number),
    ))))

# %% tags=["remove-input"]
top = localisation[(localisation["method"] == evaluation.MAE) & (localisation["kind"] != "none")
                   & (localisation["side"] == settings.edited_side) & (localisation["severity"] == strongest)]
found = top[top["auroc"] >= 0.8]
missed = top[~(top["auroc"] >= 0.8)]
report.glue_text("c_mae_found_kinds", ", ".join(ABNORMALITIES[kind].label for kind in found["kind"]) or "none")
report.glue_text("c_mae_missed_kinds", ", ".join(ABNORMALITIES[kind].label for kind in missed["kind"]) or "none")
report.glue_number("c_mae_strongest", strongest)

# %% [markdown]
# ## What this chapter shows
#
# On the synthetic cohort, a masked transformer autoencoder trained on
# healthy trials only reaches a channel AUROC of at least 0.8 at
# {glue:text}`c_mae_strongest` SD on one side for:
# {glue:text}`c_mae_found_kinds`; it stays below 0.8 for:
# {glue:text}`c_mae_missed_kinds` (Figure 1, Table 2). A twin can only
# correct a deviation larger than the model's own reconstruction error of a
# hidden healthy channel ({glue:text}`c_mae_noise_floor:.2f` channel SDs):
# where the planted deviation is smaller than that, replacing the channel
# costs more than it corrects, which the column for the true mask in
# Table 5 shows. Its false-flag rate on
# untouched trials was calibrated on other people and is checked on the test
# subjects (Table 1). Against simple baselines, the rule of Table 3 decides
# at each severity, and where it finds no advantage the transformer is not
# worth its cost. The twins are judged against the exact untouched curves,
# against a twin built with the true mask, and against the population mean
# curve (Tables 5 and 6). The identity test is lenient, because a twin
# replaces only the flagged channels, and a mean curve in the same place
# loses little identity either. All of this describes the simulation. The
# edits follow clinical descriptions but are not measurements of patients,
# and the cohort's channels share less information than real gait may.
