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
# # 4.4 Feature importance and reconstructions
#
# What does a single latent feature stand for, and how do the features share
# the work? The study answered with three observations
# {cite:p}`latentmotion`: the variance of the code is spread roughly
# uniformly over the features (claim C8); curves reconstructed from single
# features look alike, which it read as possible redundancy (C9); and the
# strongest correlation between two features' activations is about 0.4 for
# the SAE, 0.25 with the disentanglement term and in between for the sparse
# VAE (C10). This chapter decodes single features into force and
# centre-of-pressure curves through the exact inverse wavelet transform,
# shows what the study's own code displayed instead, and measures each of
# the three observations for every model and seed.

# %% tags=["parameters"]
profile = "full"
models = None
seeds = None
epochs = None
latent_dim = None
model_options = None
data_dir = None
download = None
device = None

# %% tags=["remove-stderr"]
from analysis import config
from analysis.book import chapter, report
from analysis.evaluation import code_measures
from analysis.sae import figures_features
from analysis.sae import study as gait

settings, study = chapter.start_study(
    profile, models=models, seeds=seeds, epochs=epochs, latent_dim=latent_dim,
    model_options=model_options, data_dir=data_dir, download=download, device=device,
)
runs = gait.train_all(study, progress=True)

# %%
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown, display

from analysis.sae import claims, coefficient_view, redundancy

first_seed = settings.seeds[0]
first_runs = {name: seed_runs[0] for name, seed_runs in runs.items()}  # runs list seeds in settings order
test_inputs = study.inputs("test")
test_curves = study.cohort.curves[study.features.rows("test")]
test_codes = {name: run.encode(test_inputs) for name, run in first_runs.items()}
importance = {name: code_measures.variance_importance(codes) for name, codes in test_codes.items()}
n_top = min(4, settings.latent_dim)
top = {name: redundancy.top_features(shares, n_top) for name, shares in importance.items()}
report.glue_number("c44_first_seed", first_seed)
report.glue_number("c44_n_top", n_top)
report.glue_number("c44_n_test_trials", test_inputs.shape[0])
n_test_subjects = study.trials("test")["SUBJECT_ID"].nunique()
report.glue_number("c44_n_test_subjects", n_test_subjects)

# %% [markdown]
# ## Curves decoded from single features
#
# A feature is switched on alone, at its typical size (the 95th percentile of
# its absolute activation on the training set), with every other feature at
# zero. The decoder turns that code into standardised wavelet coefficients;
# undoing the standardisation and applying the inverse Daubechies-5 transform
# {cite:p}`daubechies1992,lee2019pywavelets` turns them into ten curves over
# the stance phase, in body weights and metres. Every decoded code also
# contains the decoder's bias, the reconstruction of the all-zero code, which
# is close to the average trial; the figures therefore show what a feature
# adds to that baseline. Where the study showed the first five features of
# the SAE, this chapter shows, for each model, the
# {glue:text}`c44_n_top` features that carry the largest share of the latent
# variance on the {glue:text}`c44_n_test_trials` test trials of
# {glue:text}`c44_n_test_subjects` held-out subjects.

# %%
for name, run in first_runs.items():
    patterns, baseline = gait.feature_patterns(run, study, top[name])
    figure = figures_features.feature_curves(patterns, baseline, feature_ids=top[name])
    figure.suptitle(f"{config.MODEL_LABELS[name]}, seed {first_seed}: decoded from single features (minus the all-zero code)")
    display(figure)
    plt.close(figure)

# %% [markdown]
# **Figure 6.** Curves decoded from each of the most important features alone
# minus the curves decoded from the all-zero code, for all ten channels
# (vertical, anterior–posterior and medio-lateral force, anterior–posterior
# and medio-lateral centre of pressure; left and right foot side by side);
# one figure per model, seed {glue:text}`c44_first_seed`, features ranked by
# variance importance on the test set.
#
# A decoded pattern says what the decoder does with a feature; the trials
# that switch the feature on most strongly say what in the data drives it.
# The next figures show, for the most important feature of each model, the
# ten test trials with the highest activation over the mean of all test
# trials.

# %%
for name, codes in test_codes.items():
    figure = figures_features.top_activating_trials(test_curves, codes, int(top[name][0]), k=10)
    figure.suptitle(f"{config.MODEL_LABELS[name]}, seed {first_seed}: test trials that activate feature {int(top[name][0])} most")
    display(figure)
    plt.close(figure)

# %% [markdown]
# **Figure 6a.** The ten test trials with the highest code of each model's
# most important feature (coloured) over the mean curves of all test trials
# (black); seed {glue:text}`c44_first_seed`. For the sparse VAE the code is
# the posterior mean μ, which can be negative; "highest" is the largest
# signed value.

# %%
reference_model = settings.models[0]
reference_feature = int(top[reference_model][0])
channel = study.features.channels[0]
view = coefficient_view.coefficient_view(first_runs[reference_model], study, reference_feature, channel)
report.glue_text("c44_reference_model", config.MODEL_LABELS[reference_model])
report.glue_number("c44_reference_feature", reference_feature)
report.glue_text("c44_channel", channel)
report.glue_number("c44_round_trip_error", view.round_trip_error)
report.glue_number("c44_n_coefficients", view.coefficients.size)
figure = coefficient_view.comparison_figure(view)
display(figure)
plt.close(figure)

# %% [markdown]
# **Figure 6b.** One feature, two pictures: feature
# {glue:text}`c44_reference_feature` of the {glue:text}`c44_reference_model`
# (seed {glue:text}`c44_first_seed`), channel {glue:text}`c44_channel`.
# Left, what the study's original code displayed: the decoded coefficient
# vector after a wavelet decomposition and reconstruction, drawn against
# its position (shaded: the wavelet bands, coarse to fine). Right, the same
# decoded vector through the exact inverse transform, with the all-zero code
# dashed.
#
# ## What the study's code showed as "time-domain" signals
#
# The study's Figure 6 is described as time-domain signals of single
# features. Its published code decoded a one-hot code into a coefficient
# vector and then passed that vector through a wavelet decomposition followed
# by a reconstruction. The two steps undo each other, so the result is the
# coefficient vector itself: here the largest difference between the two is
# {glue:text}`c44_round_trip_error:.1e`. The inverse transform from
# coefficients to curves was never applied. What was plotted is therefore
# the left panel: {glue:text}`c44_n_coefficients` coefficients of one
# channel in their storage order, starting with the coarse approximation
# band (a smoothed, rescaled copy of the curve in a handful of values),
# followed by the detail bands, which are close to zero for smooth curves. Every feature of a model
# decodes to a vector of this kind on top of the same decoder bias, so plots
# of this sort are dominated by what all features share, which matters for
# claim C9 below. In the study's code each sample was one channel of one
# trial rather than a whole trial, so its vectors had one channel's
# coefficients, like the left panel.

# %%
per_seed = redundancy.seed_table(runs, study)
importance_by_model = {
    name: np.stack([code_measures.variance_importance(run.encode(test_inputs)) for run in seed_runs])
    for name, seed_runs in runs.items()
}
means = per_seed.groupby("model", sort=False)[["importance_evenness", "pattern_similarity", "whole_pattern_cosine", "near_duplicate_pairs"]].mean()
report.glue_number("c44_evenness_low", means["importance_evenness"].min())
report.glue_number("c44_evenness_high", means["importance_evenness"].max())
report.glue_number("c44_half_even", 1 - np.log(2) / np.log(settings.latent_dim))
report.glue_number("c44_latent_dim", settings.latent_dim)
report.glue_number("c44_n_pairs", settings.latent_dim * (settings.latent_dim - 1) // 2)
report.glue_number("c44_evenness_rule", claims.EVENNESS_UNIFORM)
figure = figures_features.importance_plot(importance_by_model)
display(figure)
plt.close(figure)

# %% [markdown]
# **Figure 7.** Share of the latent variance carried by each feature, features
# sorted from largest to smallest share within each seed; bars are the mean
# share at each rank over seeds, whiskers its SD. The dashed line is a
# perfectly even split. Test set; one panel per model, its mean evenness in
# the title.
#
# ## Claim C8: is importance uniform?
#
# The study judged the spread of importance by eye from a bar chart. Here it
# is a number: the evenness, the Shannon entropy of the variance shares
# divided by its largest possible value. A perfectly uniform split scores 1
# and a single dominant feature 0; as a reading aid, if half of the
# {glue:text}`c44_latent_dim` features shared the variance equally and the
# other half carried none, the evenness would be
# {glue:text}`c44_half_even:.2f`. The "effective features" column turns the
# evenness back into a count: the number of equally important features that
# would give the same entropy. Across models the mean evenness ranges from
# {glue:text}`c44_evenness_low:.3f` to {glue:text}`c44_evenness_high:.3f`;
# the claims ledger reads "roughly uniform" as an evenness above
# {glue:text}`c44_evenness_rule:.2f`. Dead features, never active on the
# test set, carry no variance and lower the evenness.

# %%
display(Markdown(report.markdown_table(redundancy.model_table(per_seed, "importance"))))

# %% [markdown]
# **Table 4.4.1.** Importance per model (mean ± SD over seeds, test set):
# evenness, the effective number of features, and the fewest features that
# together carry half of the latent variance.

# %%
for name, codes in test_codes.items():
    figure = figures_features.feature_correlation_heatmap(code_measures.feature_correlation_matrix(codes), title=f"{config.MODEL_LABELS[name]}, seed {first_seed}")
    display(figure)
    plt.close(figure)

# %% [markdown]
# **Figure 7a.** Pearson r between the activations of every pair of features
# on the test trials, one matrix per model (seed
# {glue:text}`c44_first_seed`); the strongest off-diagonal pair is boxed and
# named in the title. Grey rows and columns are features that never vary on
# the test set.
#
# ## Claim C10: the strongest pairwise correlation
#
# The study reported the largest |r| between two features as ≈0.4 for the
# SAE and ≈0.25 with the disentanglement term, and placed the sparse VAE in
# between. The table gives the same maximum for every model as mean ± SD
# over seeds. It is the most extreme of {glue:text}`c44_n_pairs` pairwise
# correlations per model, so it moves from seed to seed and grows with the
# number of features; the whole matrix in Figure 7a is the better picture of how
# redundant a code is. Like the trial-level correlations of Section 4.3,
# these are computed over trials, several per person.

# %%
display(Markdown(report.markdown_table(redundancy.model_table(per_seed, "correlation"))))

# %% [markdown]
# **Table 4.4.2.** Largest |r| between two features of the same model (mean ±
# SD over seeds, test set) and the study's value.

# %% tags=["remove-input"]
report.glue_number("c44_duplicate_cosine", redundancy.NEAR_DUPLICATE_COSINE)
report.glue_number("c44_alike_rule", claims.PATTERN_SIMILARITY_ALIKE)
report.glue_number("c44_similarity_high", means["pattern_similarity"].max())
report.glue_number("c44_whole_cosine_low", means["whole_pattern_cosine"].min())
display(Markdown(report.markdown_table(redundancy.model_table(per_seed, "patterns"))))

# %% [markdown]
# **Table 4.4.3.** Similarity of the curves decoded from single features, per
# model (mean ± SD over seeds). "Live patterns": features whose decoded curves
# differ from the all-zero code; the cosines compare the flattened ten-channel
# curves of every pair of live features, either as deviations from the
# all-zero code or as whole reconstructions. Channels enter in their own
# units (body weights and metres), so the force channels weigh most.
#
# ## Claim C9: do single-feature reconstructions look alike?
#
# Whether two features are redundant is a question about what they add, so
# the comparison uses the deviations from the all-zero code (Figure 6), all
# features against all. A mean cosine near zero says the contributions
# point in unrelated directions; near-duplicate pairs (cosine above
# {glue:text}`c44_duplicate_cosine:.1f`) would be features that encode the
# same change of the curves. Across models the mean |cosine| between
# contributions is at most {glue:text}`c44_similarity_high:.2f`; the claims
# ledger reads "look alike" as a mean |cosine| above
# {glue:text}`c44_alike_rule:.1f`. The whole reconstructions, in which every
# feature's contribution sits on the same baseline curve, have a mean cosine
# of at least {glue:text}`c44_whole_cosine_low:.2f`. Where the whole
# reconstructions are far more alike than the contributions, the look-alike
# impression comes from the shared baseline, the average trial that every
# decoded code contains, and the same holds for the coefficient vectors the
# study plotted (Figure 6b). Similar-looking reconstructions are therefore
# not, by themselves, evidence of redundant features; the deviations and the
# pairwise correlations of Table 4.4.2 are.

# %%
display(Markdown(report.markdown_table(redundancy.claim_checks(per_seed))))

# %% [markdown]
# **Table 4.4.4.** The comparisons behind claims C8–C10 on means over seeds,
# with the rule each applies (the rules of the claims ledger in
# `analysis.sae.claims`). "n/a" where a model the comparison needs was not
# trained.
#
# These comparisons concern the codes, not people, so the claims ledger
# judges them on any data. On the synthetic cohort (see the banner at the top) they describe codes of
# simulated curves ({doc}`synthetic_model`), whose variation comes from a
# small set of landmark amplitudes and timings, so how many features a model
# needs, and how they share the variance, follows from how the generator was
# built.
