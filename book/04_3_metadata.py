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
# # 4.3 Metadata correlations
#
# Do single latent features follow walking speed, age, height or body weight?
# The study answered with Pearson correlations between every feature and each
# attribute over all trials: several features reached |r| > 0.3 with walking
# speed (the best 0.42), while age, height and weight stayed at about
# 0.25–0.28, and the sparse VAE correlated more weakly than the two
# deterministic models {cite:p}`latentmotion`. This chapter repeats that
# analysis for every model and seed, and repeats it a second time with the
# subject as the unit of analysis, because the trials of one person are not
# independent observations.

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
from analysis.evaluation import attribute_correlation
from analysis.sae import figures_features
from analysis.sae import study as gait

settings, study = chapter.start_study(
    profile, models=models, seeds=seeds, epochs=epochs, latent_dim=latent_dim,
    model_options=model_options, data_dir=data_dir, download=download, device=device,
)
runs = gait.train_all(study, progress=True)

# %% [markdown]
# ## Which trials, which people
#
# The attributes take no part in training, so the association between a
# feature and, say, age is a property of the learned code rather than a
# generalisation error. Like the study, this chapter therefore uses every
# trial: the codes of all {glue:text}`c43_n_trials:,` trials of
# {glue:text}`c43_n_subjects` subjects (training, validation and test
# subjects alike), encoded by each trained model. Restricting the analysis to
# the held-out test subjects would leave too few people for a subject-level
# analysis of every feature.
#
# Walking speed is missing for entire sub-datasets of the Gutenberg Gait
# Database {cite:p}`horst2021gutenberg` (sub-datasets without any speed
# here: {glue:text}`c43_speed_missing_datasets`), so every speed correlation rests
# on {glue:text}`c43_n_speed_trials:,` trials of
# {glue:text}`c43_n_speed_subjects` subjects. The table gives the numbers
# used for each attribute.

# %%
import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from analysis.sae import associations

first_seed = settings.seeds[0]
inputs, trials = study.all_inputs()
codes_by_run = associations.encode_runs(runs, inputs)
sizes = associations.sample_sizes(trials)
speed_row = sizes.set_index("attribute").loc["WALKING_SPEED"]
report.glue_number("c43_n_trials", len(trials))
report.glue_number("c43_n_subjects", trials["SUBJECT_ID"].nunique())
report.glue_number("c43_trials_per_subject", len(trials) / trials["SUBJECT_ID"].nunique())
report.glue_number("c43_n_speed_trials", speed_row["trials"])
report.glue_number("c43_n_speed_subjects", speed_row["subjects"])
report.glue_text("c43_speed_missing_datasets", speed_row["datasets without values"])
report.glue_number("c43_first_seed", first_seed)
display(Markdown(report.markdown_table(sizes)))

# %% [markdown]
# **Table 4.3.1.** Trials and subjects with a value of each attribute, and the
# sub-datasets (DATASET_ID) in which no trial has one.

# %%
correlations = associations.correlation_table(codes_by_run, trials)
per_seed = associations.seed_summary(correlations)
n_permutations = 1000
chance = associations.chance_table(codes_by_run, trials, n_permutations=n_permutations, seed=settings.split_seed)

tested = correlations[correlations["q"].notna()]
share_significant = tested.assign(significant=tested["q"] < associations.ALPHA).groupby("level")["significant"].mean()
report.glue_number("c43_share_significant_trial", share_significant.get("trial", float("nan")))
report.glue_number("c43_share_significant_subject", share_significant.get("subject", float("nan")))
report.glue_number("c43_n_permutations", n_permutations)
report.glue_number("c43_chance_speed", chance.loc[chance["attribute"] == "WALKING_SPEED", "chance_max_abs_r"].mean())
chance_other = chance.loc[chance["attribute"] != "WALKING_SPEED", "chance_max_abs_r"].mean()
report.glue_number("c43_chance_other", chance_other)

# %% [markdown]
# ## Two units of analysis
#
# In this cohort a subject contributed on average
# {glue:text}`c43_trials_per_subject:.1f` trials. Those trials share one age,
# one height and one body weight, and they share most of their curve shape
# as well: single trials identify a person almost perfectly
# {cite:p}`horst2023identification`, and even sessions of one person on one
# day differ systematically {cite:p}`horst2017session`. Correlating
# trial-level codes with a person-level attribute therefore counts each
# person many times. The coefficient then mixes differences between people
# with trial-to-trial scatter within them, and its p-value treats every
# trial as new evidence, so it comes out far too small.
#
# Each correlation is computed at two levels:
#
# - **trial level**, the study's analysis: one observation per trial;
# - **subject level**: the codes and the attribute are first averaged over
#   each subject's trials, giving one observation per person. For walking
#   speed, which varies from trial to trial, this keeps the between-person
#   part of the association.
#
# At each level, p-values are corrected for the number of features ×
# attributes with the Benjamini–Hochberg procedure {cite:p}`benjamini1995`
# (q-values; a dot in the heatmaps marks q < 0.05). Over all models, seeds
# and attributes, a share of {glue:text}`c43_share_significant_trial:.2f` of
# the feature–attribute pairs pass q < 0.05 at trial level and
# {glue:text}`c43_share_significant_subject:.2f` at subject level.

# %%
for name in settings.models:
    for level in associations.LEVELS:
        figure = figures_features.correlation_heatmap(associations.select(correlations, name, first_seed, level))
        figure.suptitle(f"{config.MODEL_LABELS[name]}, seed {first_seed}")
        display(figure)
        plt.close(figure)

# %% [markdown]
# **Figure 5.** Pearson r between every latent feature (columns) and each
# attribute (rows) for each model (seed {glue:text}`c43_first_seed`), at
# trial level (first of each pair) and at subject level (second). Red is a
# positive, blue a negative correlation; dots mark Benjamini–Hochberg
# q < 0.05 within that model and level; grey columns are features that never
# vary (never active), for which r is undefined.

# %%
reference_model = settings.models[0]
reference_codes = codes_by_run[(reference_model, first_seed)]
report.glue_text("c43_reference_model", config.MODEL_LABELS[reference_model])
scatter_levels = {"WALKING_SPEED": "trial", "AGE": "subject", "HEIGHT": "subject", "BODY_WEIGHT": "subject"}
for attribute, level in scatter_levels.items():
    table = associations.select(correlations, reference_model, first_seed, level)
    if table.loc[table["attribute"] == attribute, "r"].notna().any():
        figure = figures_features.strongest_scatter(reference_codes, trials, table, attribute, k=4)
        display(figure)
        plt.close(figure)
    else:
        display(Markdown(f"No feature of this run has a defined correlation with {attribute}."))

# %% [markdown]
# **Figure 5a.** The four features of the {glue:text}`c43_reference_model`
# (seed {glue:text}`c43_first_seed`) most correlated with each attribute,
# with a least-squares line. Walking speed is measured per trial, so its
# panels show trials; age, height and body weight belong to a person, so
# their panels show one point per subject (the subject's mean code). The
# title of each panel gives r and its q-value at that level.

# %% [markdown]
# ## How many features pass, and what chance alone produces
#
# The table puts the two levels side by side for every model and attribute,
# as mean ± SD over seeds: the number of observations, the largest |r| of
# any feature, and how many features pass |r| > 0.3 (the study's
# threshold), q < 0.05, and both.
#
# The largest |r| among many features is a maximum, and maxima of noise are
# not small when the observations are few. The last column gives the chance
# level at subject level: the attribute is shuffled among the subjects
# ({glue:text}`c43_n_permutations` times), which keeps every distribution
# but removes any association, and the 95th percentile of the largest |r|
# over all features is recorded. A subject-level maximum below that column
# is what unrelated features would produce; across the runs it averages
# {glue:text}`c43_chance_speed:.2f` for walking speed and
# {glue:text}`c43_chance_other:.2f` for the other attributes. The trial-level
# maxima have no such column: shuffling trials would ignore the nesting and
# understate chance, which is the very problem of the trial-level p-values.

# %%
comparison = associations.level_comparison(per_seed, chance)
for level, heading in (("trial", "Trials as the unit"), ("subject", "Subjects as the unit")):
    level_table = comparison[level].reset_index()
    level_table["attribute"] = level_table["attribute"].map(gait.ATTRIBUTE_LABELS)
    display(Markdown(f"**{heading}**\n\n" + report.markdown_table(level_table)))

# %% [markdown]
# **Table 4.3.2.** Trial-level (first table) and subject-level (second table)
# correlations per model and attribute (mean ± SD over seeds). "both": features with |r| > 0.3 and
# q < 0.05. "chance max |r|": 95th percentile of the largest subject-level
# |r| after shuffling the attribute among subjects.

# %% [markdown]
# ## Claim C6: speed and body size
#
# Averaged over seeds, the best model reaches a largest |r| with walking
# speed of {glue:text}`c43_speed_max_r_trial:.2f` at trial level and
# {glue:text}`c43_speed_max_r_subject:.2f` at subject level; the study
# reported 0.42 for one SAE run at trial level. Table 4.3.3 states, model by
# model, whether "several" features pass |r| > 0.3 and whether speed is the
# attribute with the strongest feature. Two cautions apply to any match or
# mismatch with the study's numbers. First, 0.42 is the maximum over 100
# features of a single training run; Table 4.3.2 shows how much that maximum
# moves between seeds and how large it gets by chance. Second, a trial-level
# r with a person-level attribute is only as informative as the number of
# people behind it, which is the subject-level n in Table 4.3.2.

# %% tags=["remove-input"]
speed_maxima = per_seed[per_seed["attribute"] == "WALKING_SPEED"].groupby(["model", "level"])["max_abs_r"].mean().unstack()
report.glue_number("c43_speed_max_r_trial", speed_maxima["trial"].max())
report.glue_number("c43_speed_max_r_subject", speed_maxima["subject"].max())
display(Markdown(report.markdown_table(associations.claim_c6(per_seed).round(3))))

# %% [markdown]
# **Table 4.3.3.** The comparisons behind claim C6, per model and level, on
# means over seeds: the largest |r| with walking speed and with any of age,
# height and body weight beside the study's values, the number of features
# above |r| = 0.3 with speed, whether that number reaches two ("several"),
# and whether speed has the strongest single feature of the four attributes.
#
# ## Claim C7: the sparse VAE
#
# The study found the sparse VAE's features "generally weaker" in their
# metadata correlations and attributed it to a more distributed code
# {cite:p}`latentmotion`. Table 4.3.4 makes the comparison attribute by
# attribute and level by level. Since a VAE's code is the posterior mean μ,
# real-valued and dense, while the deterministic codes are sparse ReLU
# activations, a difference in the largest single-feature |r| can also come
# from how the information is spread over features rather than from how
# much of it there is.

# %%
display(Markdown(report.markdown_table(associations.claim_c7(per_seed).round(3))))

# %% [markdown]
# **Table 4.3.4.** The comparison behind claim C7: the largest |r| of each
# model with each attribute (mean over seeds), and whether the sparse VAE's
# is below that of every deterministic model.
#
# The comparison table and the claims ledger of Section 4.5 measure the same
# maxima at trial level on the held-out test subjects only. For reference,
# Table 4.3.5 gives those values; they differ from Table 4.3.2 only in the
# trials used.

# %%
test_codes = associations.encode_runs(runs, study.inputs("test"))
test_per_seed = associations.seed_summary(associations.correlation_table(test_codes, study.trials("test"), levels=("trial",)))
n_test_subjects = study.trials("test")["SUBJECT_ID"].nunique()
report.glue_number("c43_n_test_subjects", n_test_subjects)
test_table = associations.max_r_table(test_per_seed, "trial").rename(columns=gait.ATTRIBUTE_LABELS)
display(Markdown(report.markdown_table(test_table.reset_index(names="model"))))

# %% [markdown]
# **Table 4.3.5.** Largest trial-level |r| per model and attribute on the
# {glue:text}`c43_n_test_subjects` held-out test subjects only (mean ± SD over
# seeds).

# %%
n_men, n_women = associations.sex_counts(trials)
report.glue_number("c43_n_men", n_men)
report.glue_number("c43_n_women", n_women)
report.glue_number("c43_sex_chance_count", 0.05 * settings.latent_dim)
can_compare_sexes = n_men >= 2 and n_women >= 2
if can_compare_sexes:
    sex_per_seed = associations.sex_difference_table(codes_by_run, trials, seed=settings.split_seed)
    for name in settings.models:
        figure = figures_features.sex_difference_plot(attribute_correlation.sex_differences(codes_by_run[(name, first_seed)], trials, seed=settings.split_seed))
        figure.suptitle(f"{config.MODEL_LABELS[name]}, seed {first_seed}")
        display(figure)
        plt.close(figure)
else:
    display(Markdown("Fewer than two men or two women among these subjects: no comparison of the sexes."))

# %% [markdown]
# **Figure 5b.** Hedges' g (men minus women) of every feature, computed on
# subject means ({glue:text}`c43_n_men` men, {glue:text}`c43_n_women` women;
# subjects whose sex is missing, or differs between sessions without a
# majority, are left out), with 95 % bootstrap intervals that resample subjects; one panel
# per model, seed {glue:text}`c43_first_seed`. Coloured features have
# intervals that exclude zero.
#
# ## Sex
#
# The study did not analyse sex, although it is recorded for almost every
# subject. Because forces are normalised to body weight, differences between
# men and women in the curves are expected to be small. The comparison is
# made at subject level from the start. The table counts, per model, the
# features whose interval excludes zero and the largest |g| (mean ± SD over
# seeds); with 95 % intervals, about {glue:text}`c43_sex_chance_count:.1f`
# features per run would exclude zero by chance alone.

# %%
if can_compare_sexes:
    display(Markdown(report.markdown_table(associations.sex_summary_table(sex_per_seed))))

# %% [markdown]
# **Table 4.3.6.** Sex differences per model (mean ± SD over seeds).
#
# ## Reading these results
#
# On the real data, these tables say how strongly single features of each
# model track the four attributes, and how much of the trial-level evidence
# survives when each person counts once. On the synthetic cohort (see the
# banner at the top), every association is there because the generator puts
# it there: walking speed, age, body mass, height and sex shift the simulated
# landmarks by set slopes ({doc}`synthetic_model`). The tables then show
# whether the models recover effects of known size, not anything about
# people, and the claims ledger marks C6 and C7 as not testable.
