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
# # 3.1 Data
#
# The study trains its models on the Gutenberg Gait Database
# {cite:p}`horst2021gutenberg,horst2021gutenbergdata`: ground reaction forces
# and centre-of-pressure (COP) curves of healthy adults walking over two force
# plates at self-selected speed, organised in ten sub-datasets. This chapter
# describes the cohort that every later chapter uses, checks its curves against
# published landmarks of healthy walking, and shows how a trial becomes the
# vector of wavelet coefficients the models see. It trains nothing.

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

# %%
import numpy as np
import pandas as pd
from IPython.display import Markdown, display

from analysis.book import chapter, report
from analysis.data import cohort_tables
from analysis.data import figures as data_figures
from analysis.evaluation import landmarks
from analysis.features import figures as feature_figures
from analysis.features import wavelets

settings, study = chapter.start_study(
    profile, models=models, seeds=seeds, epochs=epochs, latent_dim=latent_dim,
    model_options=model_options, data_dir=data_dir, download=download, device=device,
)
cohort = study.cohort
trials = cohort.trials

# %% [markdown]
# ## Where the curves come from
#
# Each trial of the database is one walk across the plates: two consecutive
# steps, one on each plate, so every trial holds a left and a right stance
# phase. The published "PRO" files give five components per side: vertical
# (V), anterior–posterior (AP) and medio-lateral (ML) force in multiples of
# body weight (BW), and the AP and ML position of the COP in metres, each
# time-normalised to 101 samples of stance (0–100 %). The session metadata
# (sex, age, height, body mass) and a table of walking speeds per trial come
# with them {cite:p}`horst2021gutenberg`. The banner above names the files this
# build read; the paragraph below says what that means for the numbers on
# this page.

# %%
if not study.source.is_synthetic:
    story = (
        "**Real recordings.** Curves, metadata and walking speeds on this page are the published "
        "Gutenberg files; the landmark table below checks the curves against independent "
        "reference values of healthy walking."
    )
elif study.source.real_structure:
    story = (
        "**Simulated curves on the real cohort structure.** The metadata and walking-speed files are "
        "the published ones, so the counts, demographics and speeds below describe the real "
        "participants. The force and COP curves are simulated for those trials by the generator "
        "described in {doc}`synthetic_model`; everything computed from curves (mean curves, "
        "landmarks, wavelet coefficients, and all later chapters) describes the simulation."
    )
else:
    story = (
        "**Simulated cohort.** Subjects, sessions, demographics, speeds and curves were all drawn by "
        "the generator described in {doc}`synthetic_model`; no number on this page describes real "
        "people."
    )
display(Markdown(story))

# %% [markdown]
# ## Cohort
#
# Subjects are identified by `SUBJECT_ID`, which is unique across the ten
# sub-datasets (`DATASET_ID`). A subject may have several sessions, and each
# session several trials. The table counts what this build loaded.

# %%
report.glue_number("c31_n_subjects", cohort.n_subjects)
report.glue_number("c31_n_sessions", cohort.n_sessions)
report.glue_number("c31_n_trials", cohort.n_trials)
report.glue_number("c31_n_datasets", int(trials["DATASET_ID"].nunique()))
report.glue_number("c31_trials_without_speed", int(trials["WALKING_SPEED"].isna().sum()))
report.glue_number("c31_dropped_trials", cohort.dropped_trials)
report.glue_number("c31_trials_per_session", cohort.n_trials / cohort.n_sessions)
if settings.max_subjects is not None:
    display(
        Markdown(
            f"The *{settings.profile}* profile keeps at most {settings.max_subjects} subjects, drawn at random "
            "with all their trials; every count on this page is that of the subjects kept."
        )
    )
display(Markdown(report.markdown_table(cohort_tables.cohort_counts(trials))))

# %% [markdown]
# This build reads {glue:text}`c31_n_trials` trials in
# {glue:text}`c31_n_sessions` sessions of {glue:text}`c31_n_subjects` subjects
# from {glue:text}`c31_n_datasets` sub-datasets, on average
# {glue:text}`c31_trials_per_session:.1f` trials per session;
# {glue:text}`c31_dropped_trials` trials were dropped for missing samples.
# For comparison, the database as published holds 8,819 trials of 350 people
# {cite:p}`horst2021gutenberg`. {glue:text}`c31_trials_without_speed` trials
# have no walking speed; in the published table, speed is missing for every
# trial of sub-datasets 6, 8 and 10. Analyses of speed leave those trials out
# rather than imputing a value.
#
# ### Participants
#
# The demographics are summarised per subject, not per trial, so that people
# with many trials do not count more. A subject's age, height and body mass are
# the means over their sessions; sex is the value most of their sessions
# record, since some subjects' sessions disagree on it in the published
# metadata.

# %% tags=["remove-input"]
report.glue_number("c31_share_male", cohort_tables.share_male(trials))
display(Markdown(report.markdown_table(cohort_tables.demographics(trials))))

# %% [markdown]
# Men make up {glue:text}`c31_share_male:.0%` of the subjects of known sex.
# Forces are divided by body weight in the published files, so differences in
# body mass enter the curves only through how people of different size walk,
# not through the force scale.
#
# ### Walking speed
#
# Walking speed is the attribute the study found most clearly expressed in its
# latent features (claim C6), so its distribution matters for every later
# correlation: a narrow range limits how strongly any feature can correlate
# with it.

# %% tags=["remove-input"]
speed = trials["WALKING_SPEED"]
subject_speed = speed.groupby(trials["SUBJECT_ID"]).mean()
report.glue_number("c31_speed_mean", speed.mean())
report.glue_number("c31_speed_sd", speed.std())
report.glue_number("c31_speed_min", speed.min())
report.glue_number("c31_speed_max", speed.max())
report.glue_number("c31_subject_speed_sd", subject_speed.std())
figure = data_figures.speed_distribution(trials)
figure

# %% [markdown]
# **Figure 1.** Walking speed of every trial with a recorded speed. Left:
# distribution over trials (filled) and over subject means (outline). Right:
# speed by sub-dataset; sub-datasets without speeds are marked.
#
# Trials walk at {glue:text}`c31_speed_mean:.2f` ± {glue:text}`c31_speed_sd:.2f` m/s
# (range {glue:text}`c31_speed_min:.2f`–{glue:text}`c31_speed_max:.2f` m/s); the
# SD of subject means is {glue:text}`c31_subject_speed_sd:.2f` m/s. The
# published speed table gives 1.48 ± 0.17 m/s over all its trials.

# %% [markdown]
# ## Curves
#
# Healthy walking has textbook curve shapes: a double hump in the vertical
# force, braking then propulsion in the AP force, a short lateral dip followed
# by a medial force in ML, a COP that travels from heel to toe, and a small
# medio-lateral COP excursion. Figure 2 shows this cohort's mean curves against
# that picture, and Figure 3 splits them by walking speed.

# %%
data_figures.channel_means(cohort.curves, cohort.channels)

# %% [markdown]
# **Figure 2.** Mean (line) ± SD (band) over all trials of this build, for each
# of the ten channels; left side in the left column, right side in the right
# column. Forces in BW, COP in m, time in % of stance.

# %%
speed_codes, speed_labels = cohort_tables.speed_groups(trials)
data_figures.channel_means(cohort.curves, cohort.channels, groups=speed_codes, group_labels=speed_labels)

# %% [markdown]
# **Figure 3.** Mean ± SD curves by walking-speed tertile (trial level; trials
# without a speed are left out). In healthy walking the first vertical peak
# rises with speed {cite:p}`keller1996`, and fast compared with self-selected
# walking also deepens the vertical valley and enlarges the AP braking and
# propulsive peaks.
# On simulated curves, any difference between the tertiles is the one the
# generator was built to produce.

# %% [markdown]
# ## Landmarks against the literature
#
# Peaks, valleys and zero crossings are the quantities gait laboratories have
# reported for decades, which makes them an independent check of the curves.
# Each landmark is read in a fixed window of stance (first vertical peak
# 10–40 %, valley 35–65 %, second peak 60–90 %, AP braking minimum 0–50 %,
# propulsive maximum 50–100 %, ML lateral minimum 0–10 %, medial maximum
# 10–100 %; the AP zero crossing is the first change from braking to
# propulsion after the braking minimum) by `analysis.evaluation.landmarks`. The reference
# values are trial-level data of healthy adults at self-selected speed,
# checked against the healthy controls of GaitRec {cite:p}`horsak2020gaitrec`.
# Cohort values average each subject's trials (both sides) first, so the SD
# is between subjects, as in the reference; "difference" is the distance of
# the cohort mean from the reference mean in reference between-subject SDs.

# %%
landmark_table = landmarks.landmarks(cohort.curves, cohort.channels, trials=trials)
comparison = landmarks.compare_with_literature(landmark_table)
amplitude_rows = comparison[comparison["difference_in_sd"].notna()]
report.glue_number("c31_landmarks_compared", len(amplitude_rows))
report.glue_number("c31_landmarks_within_one_sd", int((amplitude_rows["difference_in_sd"].abs() <= 1).sum()))
report.glue_number("c31_largest_landmark_difference", float(amplitude_rows["difference_in_sd"].abs().max()))
signs = landmarks.ml_signs(cohort.curves, cohort.channels)
report.glue_number("c31_ml_sign_left", signs["left"])
report.glue_number("c31_ml_sign_right", signs["right"])
if study.source.is_synthetic:
    purpose = (
        "**A check of the generator.** The curves are simulated, and the generator was built from "
        "these same reference values, so agreement shows that it reproduces them; it says nothing "
        "new about human gait."
    )
else:
    purpose = (
        "**A check of the data.** The curves are the published recordings; agreement with independent "
        "reference values shows that units, signs and time normalisation were read correctly."
    )
display(Markdown(purpose))
display(Markdown(report.markdown_table(landmarks.format_comparison(comparison))))

# %% [markdown]
# Of the {glue:text}`c31_landmarks_compared` amplitude comparisons,
# {glue:text}`c31_landmarks_within_one_sd` lie within one reference SD of the
# reference mean; the largest distance is
# {glue:text}`c31_largest_landmark_difference:.2f` SD. The COP AP range is
# listed against both the barefoot and the shod reference, because shoes
# lengthen the path of the COP. The medio-lateral sign convention of the
# Gutenberg files is not documented per side, so the ML landmarks read each
# side with the sign that makes its mean force medial (left
# {glue:text}`c31_ml_sign_left`, right {glue:text}`c31_ml_sign_right`; 1 means
# as published).

# %% [markdown]
# ## From curves to wavelet coefficients
#
# Following the study (its Section 3.1.1), every 101-sample curve is
# decomposed with the Daubechies-5 wavelet at level 4
# {cite:p}`daubechies1992,lee2019pywavelets`. The approximation band A4 holds
# the slow shape of the curve and the detail bands D4 to D1 ever finer changes.
# The bands of one curve are concatenated, and the ten curves of a trial are
# concatenated into one input vector. Because the transform is inverted exactly
# (`analysis.features.wavelets.decode`), anything the models produce in coefficient
# space can be shown as curves with units.

# %%
example_row = int(study.features.split.test[0])
example_channel = "F_V_left"
curve = cohort.curves[example_row, cohort.channels.index(example_channel)]
coefficients = wavelets.encode(curve[None], unit="channel")[0]
band_edges = np.cumsum(wavelets.coefficient_lengths())[:-1]
bands = dict(zip(wavelets.BANDS, np.split(coefficients, band_edges)))
rebuilt = wavelets.decode(coefficients[None], unit="channel")[0]
cohort_round_trip = wavelets.decode(wavelets.encode(cohort.curves), unit="trial", n_channels=len(cohort.channels))
report.glue_number("c31_example_round_trip_error", float(np.abs(curve - rebuilt).max()))
report.glue_number("c31_cohort_round_trip_error", float(np.abs(cohort_round_trip - cohort.curves).max()))
report.glue_number("c31_coefficients_per_curve", int(coefficients.size))
example = trials.iloc[example_row]
display(
    Markdown(
        f"Example: {example_channel} of trial {int(example['TRIAL_ID'])}, session {int(example['SESSION_ID'])} "
        f"of subject {int(example['SUBJECT_ID'])} (the first trial of the test subjects)."
    )
)
feature_figures.wavelet_example(curve, bands, rebuilt, channel=example_channel, unit="BW")

# %% [markdown]
# **Figure 4.** Top: the left vertical force of one test trial (solid) and the
# curve rebuilt from its coefficients (dashed). Bottom: its
# {glue:text}`c31_coefficients_per_curve` db5 coefficients, band by band from
# the coarse approximation A4 to the finest detail D1.
#
# The round trip curve → coefficients → curve differs from the original by at
# most {glue:text}`c31_example_round_trip_error:.1e` BW for this curve and
# {glue:text}`c31_cohort_round_trip_error:.1e` (BW or m) over every curve of the
# cohort. Differences of order 1e-15 to 1e-12 are floating-point rounding; at
# that level the coefficients hold the curves completely, and nothing is lost
# by working in coefficient space.
#
# ## The feature matrix and the split
#
# Trials of one person resemble each other closely enough that people can be
# identified from a single trial of their ground reaction forces
# {cite:p}`horst2023identification`. A split by trial would therefore put the
# same people in training and test data. Subjects, not trials, are assigned
# to the training, validation and test parts (70/15/15 % of subjects), and the
# coefficients are standardised (zero mean, unit SD per coefficient) with the
# statistics of the training part only, so no information about held-out
# people enters the models' inputs.

# %%
features = study.features
sizes = features.split.sizes()
split_table = pd.DataFrame(
    [
        {
            "part": part,
            "subjects": sizes[part]["subjects"],
            "trials": sizes[part]["trials"],
            "matrix (rows × coefficients)": " × ".join(str(n) for n in study.inputs(part).shape),
        }
        for part in ("train", "validation", "test")
    ]
)
for part in ("train", "validation", "test"):
    report.glue_number(f"c31_{part}_subjects", sizes[part]["subjects"])
    report.glue_number(f"c31_{part}_trials", sizes[part]["trials"])
report.glue_number("c31_feature_width", features.train.shape[1])
report.glue_number("c31_n_channels", len(features.channels))
display(Markdown(report.markdown_table(split_table)))

# %% [markdown]
# Each trial becomes one row of {glue:text}`c31_feature_width` standardised
# coefficients ({glue:text}`c31_n_channels` curves of
# {glue:text}`c31_coefficients_per_curve` coefficients). The models are fitted
# on {glue:text}`c31_train_trials` trials of {glue:text}`c31_train_subjects`
# subjects, stopped early on {glue:text}`c31_validation_trials` trials of
# {glue:text}`c31_validation_subjects` other subjects, and every result chapter
# reports on the {glue:text}`c31_test_trials` trials of the
# {glue:text}`c31_test_subjects` test subjects, whom no model has seen.
#
# ## Preprocessing choices and the study's original code
#
# The study's text describes the representation above, but its public code
# {cite:p}`latentmotion` prepared the data differently in two ways that change
# what a model can learn:
#
# 1. **One sample per trial, not per channel.** The code transformed each of
#    the ten curve files on its own and stacked the rows of all files, so one
#    sample was one curve of one trial (135 coefficients) and curves of all
#    components and sides were mixed in a single training set. A feature could
#    then only describe the shape of a single curve, and a trial's ten curves
#    were ten unrelated samples. This book follows the text: one sample is the
#    whole trial, so a feature can link, for example, the vertical and the AP
#    force of the same step. The per-curve layout remains available
#    (`analysis.features.model_inputs.build_features(..., unit="channel")`).
# 2. **Identifiers are not part of the signal.** The code decomposed whole CSV
#    rows, including the four leading ID columns (dataset, subject, session and
#    trial number), as a 105-value sequence. The ID values then shaped the
#    first wavelet coefficients of every curve, and the 101 stance samples were
#    shifted in time. Here the IDs are only keys that align files and
#    metadata; the signal is the 101 stance samples.
#
# The code also trained on all samples without a held-out part; the split by
# subject above is this book's addition, discussed with the other training
# differences in {doc}`03_2_models`.
