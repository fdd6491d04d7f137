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
# (synthetic-model)=
# # The synthetic cohort
#
# This page documents the generator of the synthetic cohort and, at its end,
# checks it: how well one channel predicts another before and after the
# channels were coupled, whether braking and propulsion balance, the catalogue
# of abnormalities that later chapters plant with known ground truth, and the
# counterfactual twins that change one thing about a trial.

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
import tempfile

import numpy as np
import pandas as pd
from IPython.display import Markdown, display

from analysis import data, paths
from analysis.book import chapter, report
from analysis.data import abnormalities, figures_abnormalities, synthetic
from analysis.evaluation import coupling, landmarks
from analysis.evaluation import figures as evaluation_figures

settings, study = chapter.start_study(
    profile, models=models, seeds=seeds, epochs=epochs, latent_dim=latent_dim,
    model_options=model_options, data_dir=data_dir, download=download, device=device,
)

# %% [markdown]
#
# The Gutenberg Gait Database {cite:p}`horst2021gutenberg` publishes its force
# and centre-of-pressure (COP) curves on figshare. Where those ten curve files
# cannot be obtained, every chapter runs on a **synthetic cohort** written by
# `analysis.data.synthetic` in exactly the published format. This page documents how
# those curves are made, which numbers the generator uses and where each number
# comes from. In the code, `analysis/data/synthetic/parameters.py` holds the
# model and every number below, `mechanics.py` the numbers that couple the
# channels, `cohort.py` the cohort structure, `curves.py` and `coupled.py` the
# curves, `writer.py` the files and `twins.py` the counterfactual twins. A result computed on the synthetic cohort says what the methods do
# on curves with known structure; it says nothing about the real people in the
# database, and every chapter labels its data source.
#
# Each parameter below carries one of three labels:
#
# - **V**: verified in a primary source (a data descriptor or paper);
# - **D**: derived from real published data (the Gutenberg metadata and speed
#   files, or trial-level data of healthy adults published by third parties and
#   checked against the 211 healthy controls of GaitRec {cite:p}`horsak2020gaitrec`);
# - **U**: unverified, an assumption. Every U value is a field of
#   `SyntheticParameters` and can be changed without touching the code.
#
# ## What is real and what is generated
#
# The generator has two modes.
#
# **Real structure** (the default). The real `GRF_metadata.csv` and
# `GRF_walking_speed.csv` of the Gutenberg Gait Database ship with the code
# (CC BY 4.0; checked against their published SHA-256 each time they are used),
# and another pair can be named instead (`like=`, or the environment variable
# `GAIT_STRUCTURE_DIR`). Both files are copied byte for byte. Curves are
# generated for exactly the trials listed there: 350 subjects in 10
# sub-datasets, 661 sessions, 8,819 trials. The generator uses each session's
# real SEX, AGE, HEIGHT, BODY_MASS and SHOD_CONDITION and each trial's real
# WALKING_SPEED. Where these are missing (speed in DATASET_ID 6, 8 and 10; age,
# height or sex in a few sessions), the generator imputes values for its own use
# only. The published-format files keep their NaN. The imputed values are
# written to the ground-truth file (below).
#
# **Sampled structure** (on request: `--structure sampled`, or
# `GAIT_STRUCTURE_DIR=sampled`). A cohort of `n_subjects` (default 350) is drawn
# from the published summaries, and its metadata and speed files
# are written like the real ones (21 and 5 columns, CRLF, literal `NaN`).
#
# | quantity | value | label |
# |---|---|---|
# | subjects per DATASET_ID 1–10 (shares) | 8, 9, 128, 57, 33, 38, 26, 25, 23, 3 | D |
# | sessions per subject | 1–4 with probabilities 0.6, 0.2, 0.1, 0.1 (the real cohort: 73 % have one session, the rest 2–8) | U |
# | trials per session, by DATASET_ID | 14–16, 14–15, 9–10, 18–21, 13–15, 9–10, 8–9, 14–15, 9–12, 7–8 | D |
# | sex | male with probability 0.48 | D |
# | height | female 169.0 ± 7.0 cm, male 180.6 ± 7.1 cm | D |
# | body mass | BMI female 21.7 ± 2.2, male 23.7 ± 2.3 kg/m²; ± 0.6 kg between sessions | D |
# | BODY_WEIGHT | BODY_MASS × 9.81, one decimal | V |
# | age | log-normal, median 23.5 years, log-SD 0.22, limited to 16–70 | D median, U shape |
# | shoe size (DATASET_ID 3 and 6 only) | −1.42 + 0.242 × height + 1.25 × male ± 1.34, half sizes | D |
# | walking speed | subject mean 1.48 ± 0.150 m/s, session ± 0.071, trial ± 0.038, two decimals | D |
# | missing in the published files | speed of DATASET_ID 6, 8, 10; SEX, AGE, HEIGHT of DATASET_ID 10 | D |
# | constant columns | CLASS_LABEL HC, SHOD_CONDITION 0, SPEED 2, TRAIN 1, TRAIN_BALANCED 0, TEST 0, AFFECTED_SIDE NaN | D |
#
# The between-subject speed SD follows from the published total (0.17 m/s)
# minus its nested parts:
# $\sqrt{0.17^2 - 0.071^2 - 0.038^2} = 0.150$ m/s (D).
#
# ### Imputation (real structure only)
#
# A missing covariate is first taken from the same subject's other sessions.
# Otherwise sex is drawn with the probability that a person of that body mass is
# male (normal mass distributions per sex: female 61.9 ± 8.8 kg, male
# 77.2 ± 8.1 kg, D). Height is then drawn from the regression
# HEIGHT = 139.1 + 0.482 × BODY_MASS + 4.37 × male ± 5.8 cm (D), and age from the
# log-normal above. A missing walking speed is the session's mean observed speed
# plus trial noise (SD 0.038). If the session has no observed speed, the
# subject's mean plus session and trial noise is used. If the subject has none
# either, the cohort mean 1.48 m/s plus subject, session and trial noise is
# used. All 774 trials of DATASET_ID 6, 8 and 10 fall in this last case.
#
# ## Curve model
#
# Each trial consists of two consecutive steps, one on each of two force plates
# (V). Each step gives five curves of 101 samples at 0, 1, …, 100 % of stance:
# vertical, anterior–posterior (AP) and medio-lateral (ML) force in multiples of
# body weight, and COP AP and ML in metres (V, {cite:t}`horst2021gutenberg`,
# Table 3).
#
# ### Templates: landmarks and shape knots
#
# Every component is described by **landmarks**: amplitudes at given times,
# such as the first peak of the vertical force. Between landmarks, **shape
# knots** set the course of the curve. A shape knot at fraction $p$ of the time
# between two landmarks takes fraction $q$ of the way from the first value to
# the second. A monotone piecewise cubic (PCHIP, {cite:p}`fritsch1980`) through
# all knots gives the curve. PCHIP has zero slope at every local extremum of
# the knots and never overshoots between them. Each peak therefore lies exactly
# at its landmark's time and value, and the curve is smooth and free of
# ripples.
#
# ### Amplitudes and timings: subject, session, trial
#
# For trial $i$ of subject $s$ in session $e$, side $k$ ($+1$ left, $-1$
# right), the value of landmark $j$ is
#
# $$
# y_{ikj} = \Bigl(\mu_j + \sum_x \beta_{jx}\,(x_i - x_\text{ref})
#         + u_{sj} + v_{ej} + g(\text{speed}_i)\,\varepsilon_{ikj}\Bigr)
#         \Bigl(1 + k\,\frac{a_{sj}}{2}\Bigr)
# $$
#
# and its time is $t_{ikj} = \tau_j + u'_{sj} + v'_{ej} + \varepsilon'_{ikj}$.
# Here $u$ is a subject effect, $v$ a session effect nested in the subject,
# $\varepsilon$ trial noise (all normal, independent), and $a_{sj}$ is the
# subject's left–right symmetry index of that landmark. Consecutive landmarks
# are kept at least 1 % of stance apart. The first and last samples are fixed
# at 0 and 100 %.
#
# The subject effect is the **signature** that makes people identifiable:
# healthy people can be told apart from their force curves at 99.3 %
# {cite:p}`horst2023identification`, and single-trial ICCs are 0.56–0.86 for
# amplitudes and 0.3–0.8 for timings (D). The session effect reflects that even
# sessions on the same day can be told apart {cite:p}`horst2017session`. How
# the within-subject variance divides between sessions and trials is not
# published: 30 % goes to the session (U, `session_variance_share`).
#
# The published SDs are totals, so the covariates' share is taken out of them
# rather than added on top. With $\sigma_x$ the between-subject SD of covariate
# $x$,
#
# $$
# \operatorname{sd}(u_j) = \sqrt{\sigma_{\text{between},j}^2 - \sum_x (\beta_{jx}\sigma_x)^2},\qquad
# \operatorname{sd}(v_j)^2 + \operatorname{sd}(\varepsilon_j)^2 = \sigma_{\text{within},j}^2 - (\beta_{j,\text{speed}}\,\sigma_{\text{speed,within}})^2 .
# $$
#
# The within-subject speed SD is $\sqrt{0.071^2 + 0.038^2} = 0.081$ m/s (D).
# Each residual SD is kept at no less than a quarter of its total (U,
# `minimum_residual_share`). Shape-knot fractions vary with SD 0.03 between
# subjects and 0.015 between trials (U). This adds individuality to the course
# between landmarks without moving the landmarks.
#
# ### Landmarks (self-selected speed)
#
# Values and SDs come from trial-level data of 62 healthy adults, checked
# against 211 GaitRec controls (D). SD columns are between-subject / within-subject.
# Timing SDs are chosen inside the published ranges (between subjects 1–2.5 %,
# within 1–4 % of stance) and are U.
#
# | component | landmark | value | SD of value | time (% stance) | SD of time | label |
# |---|---|---|---|---|---|---|
# | vertical | first sample | 0.076 BW | 0.010 / 0.010 | 0 | – | D value, U SDs |
# | vertical | first peak | 1.08 BW | 0.061 / 0.035 | 23 | 1.5 / 2.0 | D |
# | vertical | valley | 0.77 BW | 0.056 / 0.027 | 48 | 2.5 / 3.5 | D |
# | vertical | second peak | 1.13 BW | 0.067 / 0.027 | 76.5 | 1.0 / 1.5 | D |
# | vertical | last sample | 0.054 BW | 0.008 / 0.008 | 100 | – | D value, U SDs |
# | AP | first and last sample | 0 | – | 0, 100 | – | D |
# | AP | braking minimum | −0.175 BW | 0.031 / 0.028 | 16 | 1.5 / 2.5 | D |
# | AP | zero crossing | 0 | – | 55 | 1.5 / 2.0 | D time, U SDs |
# | AP | propulsive maximum | 0.219 BW | 0.031 / 0.018 | 87 | 1.0 / 1.0 | D |
# | ML | first and last sample | 0 | – | 0, 100 | – | D |
# | ML | early lateral minimum | knot −0.046 (measured −0.044) BW | 0.015 / 0.009 | 4 | 0.5 / 0.7 | D |
# | ML | early medial hump | knot 0.042 BW | 0.011 / 0.009 | 27 | 2.5 / 4.0 | D |
# | ML | mid-stance trough | 0.030 BW | 0.008 / 0.006 | 48 | 2.5 / 4.0 | U |
# | ML | late medial hump | knot 0.040 BW | 0.011 / 0.009 | 70 | 2.5 / 4.0 | D |
#
# The published ML values describe the curves as measured: the mean
# per-trial maximum (0.050 BW) and minimum (−0.044 BW). The per-trial maximum
# is the larger of two noisy humps, so it lies above either hump's mean. The
# ML minimum at 4 % falls between samples. The ML knot values are therefore set
# so that these two quantities, measured on the generated 101-sample curves,
# match the published ones (D target, calibrated).
#
# Shape knots, as (after landmark, $p$, $q$): vertical (first sample, 0.2,
# 0.35), (first sample, 0.5, 0.82), (second peak, 0.5, 0.45), (second peak,
# 0.8, 0.85); AP (first sample, 0.35, 0.5), (braking minimum, 0.45, 0.63),
# (zero crossing, 0.5, 0.5), (propulsive maximum, 0.5, 0.42); ML (lateral
# minimum, 0.3, 0.5), (late hump, 0.6, 0.6). All are U. They were chosen so
# that the mean curves follow the typical loading, mid-stance and push-off
# course of healthy walking.
#
# ### Walking speed
#
# GaitRec compares fast and self-selected walking within subjects {cite:p}`horsak2020gaitrec`.
# The fast-minus-self-selected differences are: first peak +0.07 to +0.11 BW,
# valley −0.07 to −0.10, second peak +0.01 to +0.02, braking −0.02 to −0.04,
# propulsion +0.02 to +0.04, ML lateral minimum −0.01 (D). Slow walking roughly
# mirrors these. Peak forces rise linearly with speed {cite:p}`keller1996`, so
# the generator uses the midpoints as linear slopes. The speed difference
# between the two conditions is not published, and 0.40 m/s is assumed (U,
# `fast_speed_gain`):
#
# | landmark | fast − self-selected | slope per m/s |
# |---|---|---|
# | vertical first peak | +0.09 BW | +0.225 |
# | vertical valley | −0.085 BW | −0.2125 |
# | vertical second peak | +0.015 BW | +0.0375 |
# | AP braking minimum | −0.03 BW | −0.075 |
# | AP propulsive maximum | +0.03 BW | +0.075 |
# | ML lateral minimum | −0.01 BW | −0.025 |
#
# The reference speed is the Gutenberg trial mean, 1.48 m/s (D). Trial-to-trial
# variability of force peaks grows with speed {cite:p}`masani2002`. The trial
# noise is therefore scaled by $g(\text{speed}) = 1 + 0.5\,(\text{speed} - 1.48)$,
# limited to 0.5–2 (U, `noise_speed_gain`).
#
# ### Age, body mass, sex, height
#
# After normalisation to body weight, and confounded with speed, published
# correlations are: age and second peak $r = -0.28$; body mass and second peak
# $r = -0.38$; body mass and valley $r = +0.24$ (D). Each $r$ becomes a slope
# $\beta = r\,\sigma_\text{landmark}/\sigma_x$, using the landmark's
# between-subject SD and the Gutenberg covariate SDs: age 6.6 years, mass
# 11.4 kg, height 9.1 cm (D). The results are −0.0028 BW per year (second
# peak), −0.0022 BW per kg (second peak) and +0.0012 BW per kg (valley).
# Reference values are the Gutenberg means: 24.7 years, 69.3 kg, 174.4 cm (D).
# Sex differences are at most 0.03 BW (D). Men in Gutenberg are about 15 kg
# heavier, so the mass effect alone already gives about 0.03 BW between the
# sexes in the second peak. The direct sex effect is therefore 0 (U,
# `Landmark.sex_effect`).
#
# ### Left–right asymmetry
#
# Healthy absolute symmetry indices $|SI| = 200\,|L - R|/(L + R)$ (median / 95th
# percentile) are: vertical ≈ 2 % / 5–7 %, AP braking 6–7.5 % / 21–26 %,
# propulsion 4.5 % / 13 %, ML 13–20 % / 45–60 %, COP AP length 1.5 % / 5.5 %
# (D). For a normal $SI$ with SD $s$, the median of $|SI|$ is $0.674\,s$ and its
# 95th percentile is $1.96\,s$. Both give nearly the same $s$. The subject-level
# SD of $a_{sj}$ is therefore:
#
# | component | SD of the symmetry index | label |
# |---|---|---|
# | vertical landmarks | 0.03 | D |
# | AP braking minimum | 0.10 | D |
# | AP propulsive maximum | 0.067 | D |
# | ML landmarks | 0.25 | D |
# | COP AP length | 0.025 | D |
# | COP ML range | 0.10 | U |
#
# The published indices are taken to describe subject means; trial noise adds
# to them in single trials. Timings have no asymmetry (U).
#
# ### Centre of pressure
#
# COP was cropped where the vertical force exceeded 80 N, so COP curves cover a
# slightly shorter window than the forces, also normalised to 101 points (V).
# The generator defines COP curves directly on their own 101 points.
#
# - **COP AP**: a monotone progression, as fractions of a per-trial length,
#   through the knots (0 %, 0), (8 %, 0.12), (30 %, 0.35), (60 %, 0.62),
#   (85 %, 0.87), (100 %, 1). The knots are U. The length is 0.21 m barefoot
#   and 0.25 m shod (D) and rises 1.7 mm per cm of height (D, $r = 0.73$). Its
#   between-subject SD is 0.02 m (D), of which height explains about 60 %; the
#   within-subject SD is 0.004 m (U). Shoe size correlates more strongly
#   ($r = 0.82$, +5.6 mm per EU size, D), but it is recorded in only two
#   sub-datasets, so the generator uses height.
# - **COP ML**: a range of 0.03 m (between-subject SD 0.008 m, D; within
#   0.002 m, U), following knots at fractions 0 → −0.25 (lateral, 35 %) →
#   0.75 (100 %). The course is U.
#
# ### Smooth noise
#
# The last step adds Gaussian-smoothed white noise (kernel SD 3 % of stance,
# U) with SD 0.005 BW (vertical), 0.003 (AP), 0.002 (ML), 0.2 mm (COP AP) and
# 0.3 mm (COP ML) (U). It makes trials differ slightly between knots without the
# sample-to-sample jitter that filtered force-plate data do not show.
#
# ## Coupled channels (generator 2.0.0)
#
# The templates above give each component its own landmarks. Left alone, the
# landmarks of different components would be independent given the covariates:
# one channel would say nothing about another except through speed, mass, age
# and height. Real curves are tied together by mechanics. Since generator
# 2.0.0, four ties do this by default (`SyntheticParameters(coupling=True)`;
# every number is a field of `MechanicalCoupling` in
# `analysis/data/synthetic/mechanics.py`). `coupling=False` (command line:
# `--uncoupled`) gives the independent channels of generator 1.0.0, byte for
# byte for the same seed; a test holds it to the SHA-256 of every file that
# version wrote.
#
# ### The pivot: shear forces follow the vertical force and the COP
#
# In walking, the ground reaction force points from the COP towards a point
# above the centre of mass, the virtual pivot point (V, qualitative:
# {cite:t}`maus2010vpp`; {cite:t}`vielemeyer2023vpp`; Gruben and Boehm 2012 is
# named in the issue but was not checked here). For a pivot at height $h$ and
# a horizontal lever $L_X(t)$ from the COP to the pivot, a shear component is
#
# $$
# F_X(t) = F_V(t)\,\frac{L_X(t)}{h}, \qquad X \in \{\text{AP}, \text{ML}\}.
# $$
#
# A pivot fixed to the centre of mass does not give the published mean curves:
# during double support one leg's force is not the body's, and a fixed pivot
# with a steadily moving centre of mass makes the propulsive peak smaller than
# the braking peak, whereas healthy walking shows the reverse. The generator
# therefore does not derive the mean lever. It takes the **reference lever** of
# every trial from its own covariate-mean templates (all random effects at
# zero): $L_{X,\text{ref}}(t) = h_\text{ref}\,\bar X(t) / \bar V(t)$. A trial at
# its mean gets exactly the calibrated mean shear and its covariate slopes
# (speed, mass). What the coupling changes is how a trial **departs** from its
# mean:
#
# $$
# F_X(t) = F_V(t)\,\frac{L_{X,\text{ref}}(t) + \Delta L_X(t)}{h_\text{ref}\,r_s} + R_X(t) - F_V(t)\,\frac{d}{h_\text{ref}\,r_s}\;[\text{AP only}]
# $$
#
# - $F_V(t)$ is the trial's own vertical force, with all its subject, session
#   and trial effects: a higher first peak means more braking.
# - $r_s$ is the subject's pivot height relative to the reference height
#   $h_\text{ref}$; it is shared by the AP and ML forces, so both scale
#   together.
# - $\Delta L_\text{AP}(t) = \Delta D\,t/100 - \Delta\text{COP}_\text{AP}(t)$:
#   the centre of mass travels $D$ during stance (its departure $\Delta D$ from
#   the reference, drawn per subject, session and step), and the COP's own
#   departure from its mean course moves the lever the other way. A COP that
#   rolls further forward tilts the force less at push-off.
# - $\Delta L_\text{ML}(t) = \Delta w - \Delta\text{COP}_\text{ML}(t)$: the
#   centre of mass lies medial to the foot (about half the step width; its mean
#   is in the ML template), with a per-subject offset $\Delta w$ and a
#   per-subject left–right shift of the centre-of-mass path.
# - $R_X(t)$ is the **remainder**: what mechanics does not explain. It is the
#   previous model's own deviation of the component (its landmarks' subject,
#   session, trial and asymmetry effects, timing and shape jitter, smooth
#   noise), with the value effects scaled per landmark. The scales are
#   calibrated so that each landmark's total between-subject and within-subject
#   SD and its symmetry index stay at the published values (D target). Some
#   exceed 1 because the impulse balance (below) takes part of an independent
#   deviation away again.
#
# The centre of mass is not in the files. Variation that runs through it (the
# step-to-step travel $\Delta D$, the offset $\Delta w$) shows in the shear
# forces but in no other channel. So the AP and ML forces are only partly
# predictable from the other channels, as in real data.
#
# ### Steady walking: braking and propulsion balance
#
# At constant speed the momentum of the body does not change over a stride, so
# the braking and propulsive impulses cancel (V: the impulse–momentum theorem).
# The generator moves the pivot horizontally by $d$ for each step so that the
# net AP impulse is a small share $\rho$ of the step's braking impulse:
# $\rho = 0.04\,z_\text{trial} + 0.03\,z_\text{step}$, with standard-normal
# draws per trial (both steps of a trial speed up or slow down together) and
# per step (U). The stated tolerance, checked by a test on the default cohort:
# the mean of net / |braking| over all steps within ±0.02, at least 90 % of
# steps within ±0.10, and 95 % within ±0.15. Without coupling the templates
# do not balance: their propulsive lobe is the larger. Because $d$ shifts the
# whole lever, the balance lowers the mean propulsive maximum slightly and
# deepens the braking minimum about as much; both stay within a fraction of a
# literature SD of the published means (checked by the tests).
#
# ### Style: subject traits that move several landmarks together
#
# A subject's signature $u_{sj}$ of landmark $j$ is built from its own
# standard-normal draw $e_{sj}$ and a few shared style factors $z_{sf}$:
# $u_{sj} = \operatorname{sd}(u_j)\,\bigl(\sqrt{1 - \sum_f \lambda_{jf}^2}\,e_{sj} + \sum_f \lambda_{jf} z_{sf}\bigr)$.
# Each landmark keeps its SD; the loadings $\lambda$ are its correlations with
# the factors. All are U:
#
# | factor | loadings | reasoning |
# |---|---|---|
# | vertical excursion | first peak +0.5, valley −0.5, second peak +0.4 | the peaks and valley of $F_V$ reflect the vertical acceleration of the centre of mass: a larger excursion gives higher peaks and a deeper valley, the pattern faster walking shows |
# | roll-over | COP AP length +0.4, second peak +0.3, second-peak timing +0.4, COP ML range +0.3 | a longer roll-over of the foot moves the COP further forward and medially and delays and raises the push-off peak |
# | loading rate | first-peak timing −0.4, ML lateral minimum −0.4, $F_V$ first sample +0.3 | a faster weight acceptance brings the first peak earlier and deepens the lateral heel-strike dip |
#
# Through the pivot, every $F_V$ landmark also reaches the shear forces.
#
# ### Left and right beyond the symmetry index
#
# The two steps of a trial are consecutive steps of one walk. Their trial noise
# (landmark values and timings, and the step-to-step centre-of-mass travel)
# is correlated with $\rho_\text{LR} = 0.5$ (U): the two independent draws
# $\varepsilon_L, \varepsilon_R$ are rotated into
# $\cos\theta\,\varepsilon_L + \sin\theta\,\varepsilon_R$ and
# $\sin\theta\,\varepsilon_L + \cos\theta\,\varepsilon_R$ with
# $\sin 2\theta = \rho_\text{LR}$, which keeps each variance. Subject and
# session effects were already shared by both sides; the symmetry index
# $a_{sj}$ stays as it was.
#
# ### The coupling's numbers
#
# | parameter (`MechanicalCoupling`) | value | label |
# |---|---|---|
# | `pivot_height` | 1.10 m: centre of mass at about 0.55 × 174.4 cm plus a pivot some 15 cm above it | U (pivot above the centre of mass: V, qualitative) |
# | `pivot_height_subject_sd` | 0.08 (relative; limited to ±40 %) | U |
# | `com_travel` | 0.93 m: 1.48 m/s × about 0.63 s of stance | U |
# | `com_travel_subject_sd`, `_session_sd`, `_trial_sd` | 0.05, 0.015, 0.03 (relative) | U |
# | `lateral_offset_subject_sd`, `lateral_offset_asymmetry_sd` | 0.008 m, 0.004 m | U, chosen with the remainders for the ML SDs and symmetry indices |
# | `net_impulse_trial_sd`, `net_impulse_step_sd` | 0.04, 0.03 (shares of the braking impulse) | U |
# | `side_trial_correlation` | 0.5 | U |
# | `anterior_posterior_remainder` (subject, within, asymmetry scales) | braking minimum 0.6, 1.4, 1.3; propulsive maximum 0.45, 0.4, 1.0 | calibrated, D target |
# | `medio_lateral_remainder` | lateral minimum 0.9, 0.9, 0.7; both medial humps and the trough 0.9, 1.2, 0.7 | calibrated, D target |
# | `style_factors` | the table above | U |
#
# The remainder scales were calibrated on the default cohort (real structure,
# seed 0) so that the landmark table of the data chapter keeps its published
# between- and within-subject SDs and symmetry indices; a test holds each
# landmark's mean within 0.5 literature SD, both SDs within 25 % and its
# subject share of variance within 0.15 of the published ones.
#
# ### Changes to generator values
#
# No value of generator 1.0.0 changed; the coupling adds values and switches
# on by default.
#
# | parameter | old value | new value | source |
# |---|---|---|---|
# | `GENERATOR_VERSION` | 1.0.0 | 2.0.0 | the default output changed |
# | `SyntheticParameters.coupling` | – (channels independent) | `True` | issue 10 §2 |
# | `SyntheticParameters.mechanics` | – | `MechanicalCoupling()`, every value in the table above | as labelled there |
# | shear remainder scales (subject, within, asymmetry) | 1, 1, 1 (the whole independent deviation) | as in the table above | calibrated, D target |
# | style loadings | 0 (independent signatures) | as in the style table | U |
# | left–right correlation of trial noise | 0 | 0.5 | U |
# | net AP impulse of a step, as a share of its braking impulse | not controlled (the templates' propulsive lobe is the larger) | balanced to 0.04 per trial + 0.03 per step (SD) | V principle, U spread |
#
# ### How strongly the channels now hang together
#
# `analysis.evaluation.coupling.cross_channel_predictability` measures it: the
# out-of-fold R² of each channel from the other channels (ridge regression on
# their leading principal components, folds and the penalty's choice both
# grouped by subject), once from all nine other channels and once from the
# other components only (leaving out the channel's own other side).
# `predictability_before_after` compares two versions of the same trials and
# `analysis.evaluation.figures.cross_channel_predictability` draws them;
# `ap_impulse_balance` and `figures.impulse_balance` do the same for the net AP
# impulse. The numbers are measured when a chapter runs them, not typed in
# here.
#
# ## Counterfactual twins
#
# Every random number of the generator comes from a stream keyed by the seed
# and its purpose, and the number of draws depends only on the cohort
# structure, never on a covariate's value. Generating the same cohort again
# with a changed covariate therefore gives **the same person, with the same
# signature, style, session and trial noise, and only that change**: a ground
# truth no recorded data set has. `counterfactual(out=None, like=None, seed=0,
# parameters=None, n_subjects=None, *, speed_factor=None, mass_factor=None,
# landmark_edits=None, subjects=None)` returns both versions (`original` and
# `twin`, as the files hold them) and `truth_change`, the twin minus the
# original of every ground-truth column, per trial.
#
# - `speed_factor` multiplies walking speed: one factor, `{SUBJECT_ID: factor}`
#   or one factor per trial. `mass_factor` multiplies body mass: one factor or
#   per subject. Both must lie in 0.75–1.25 (`FACTOR_RANGE`); the twin's speed
#   and mass are rounded as the files write them (0.01 m/s, 0.1 kg). A speed
#   moves the speed-driven landmark means, the speed-scaled trial noise and,
#   through the pivot, the shear forces; a mass moves the valley and second
#   peak (and through them the shear); nothing else.
# - `landmark_edits` shifts landmarks by name: `"F_V.first_peak": 0.05` moves
#   the value (BW; a fraction of the length or range for COP knots; metres for
#   `COP_AP.length` and `COP_ML.range`) by at most five between-subject SDs,
#   `"F_V.second_peak.time": 2.0` moves the timing by at most 10 % stance.
#   `editable_landmarks(parameters)` lists every name with its limit. An edit is
#   carried like a person's own deviation, so an edited vertical force reaches
#   the shear forces through the pivot, and an edited AP landmark is partly
#   balanced again by the impulse balance.
# - `subjects` limits a single factor and the edits to these SUBJECT_IDs.
# - With `out`, the twin is written like a synthesized cohort, with its speeds
#   and masses in the speed and metadata files where the originals have a value.
#   With no change, every file is byte-identical to what `synthesize` writes.
# - Every argument is checked before anything is generated or written. An
#   unknown landmark name, a factor outside the range or a subject not in the
#   cohort raises `ValueError` naming the argument and what is allowed, and
#   `out` stays untouched.
#
# ## Conventions the published files may use
#
# The Gutenberg descriptor leaves some conventions open. Each one is a
# parameter:
#
# | convention | default | label |
# |---|---|---|
# | ML force sign per side (`ml_sign_left`, `ml_sign_right`) | +1, +1: positive = medial on both sides after side harmonisation, as GaitRec's curves show | U |
# | COP ML sign per side (`cop_ml_sign_left`, `cop_ml_sign_right`) | +1, +1 | U |
# | COP ML origin (`cop_ml_centred`) | mean-centred per trial; otherwise 0 at the first sample | D/U |
# | COP AP origin (`cop_ap_origin`) | `"start"`: 0 at the first sample, rising to the length; `"mean"`: mean-centred | D/U |
# | AP sign | braking negative, propulsion positive | D |
#
# ## Files written
#
# `synthesize(out, like=None, seed=0, parameters=None, n_subjects=None)` writes
# the ten curve files `GRF_{F_V,F_AP,F_ML,COP_AP,COP_ML}_PRO_{left,right}.csv`.
# Each has a header `DATASET_ID,SUBJECT_ID,SESSION_ID,TRIAL_ID,<C>_PRO_1 …
# <C>_PRO_101` and values with six decimals (10⁻⁶ BW or 10⁻⁶ m). It also writes
# `GRF_metadata.csv` and `GRF_walking_speed.csv`. All files use CRLF line
# endings and the literal `NaN`, as the published ones do. A twelfth file,
# `synthetic_ground_truth.csv`, is not part of the published format. It holds,
# for every trial, the covariates the generator used (marking imputed ones) and,
# for every landmark, the subject, session and asymmetry effects and the
# realised knot values and times per side. Analyses can therefore be scored
# against the truth. Everything is written into a staging directory and moved
# into place only when complete. The same seed gives byte-identical files; the
# version string `GENERATOR_VERSION` changes whenever the output changes. With
# coupled channels the ground truth also holds, per subject, the style factors
# (`style_<factor>`) and the pivot height (`pivot_height`), and per step the
# centre-of-mass travel, the change of its lateral offset, the net-impulse
# share aimed at and the pivot shift the balance chose. For the AP and ML
# forces, the landmark columns then describe the remainder's knots, not the
# curve's extremes.
#
# ```bash
# python -m analysis data synthesize --out DIR --seed 0      # the real structure, shipped
# python -m analysis data synthesize --out DIR --structure sampled --seed 0
# python -m analysis data synthesize --out DIR --uncoupled     # generator 1.0.0's independent channels
# python -m analysis data check DIR                          # 350 subjects, 661 sessions, 8,819 trials
# ```
#
# ## What the synthetic cohort cannot show
#
# - The curves contain only what the model puts in: landmark amplitudes and
#   timings, their dependence on speed, age, body mass and height, a subject
#   signature, session and trial noise, asymmetry, and the coupling above. A method that "finds"
#   speed in these curves recovers $\beta_{\text{speed}}$. It does not discover
#   a property of human gait.
# - The ties between channels are the four described above (pivot, impulse
#   balance, three style factors, left–right trial noise) and nothing else. Real
#   gait has more, and their strengths here are assumptions (U), so
#   correlations between learned features, and how well one channel predicts
#   another, will differ on real data.
# - The speed slopes, the session share of variance, the shape knots and all
#   COP courses are assumptions (U). Claims that depend on them cannot be
#   tested here and are reported as such.
# - There are no pathological or atypical trials, no measurement artefacts
#   and no missing samples inside curves.

# %% [markdown]
# ## Checks of the generator
#
# The checks run on the cohort the other chapters use
# ({glue:text}`sm_data_label`). "Generator 1" is the same cohort drawn with
# independent channels and the vertical within-subject SDs as first set
# (`synthetic.generator_1_parameters()`), from the same random draws.

# %% tags=["remove-input"]
report.glue_text("sm_data_label", study.source.label)
coupled = study.cohort
structure = paths.REFERENCE_DIR if study.source.real_structure else None
with tempfile.TemporaryDirectory() as scratch:
    first = synthetic.synthesize(
        f"{scratch}/cohort", like=structure, seed=settings.data_seed, parameters=synthetic.generator_1_parameters(),
        n_subjects=None if structure is not None else coupled.n_subjects,
    )
    independent = data.load(first.out)
if settings.max_subjects is not None:
    independent = independent.subset_subjects(settings.max_subjects, seed=settings.split_seed)
same_trials = independent.trials[list(coupled.trial_key)].equals(coupled.trials[list(coupled.trial_key)])
report.glue_text("sm_same_trials", "the same trials" if same_trials else "different trials")
before_label, after_label = "generator 1 (independent)", "generator 2 (coupled)"

# %%
usable = np.isfinite(coupled.curves).all(axis=(1, 2)) & np.isfinite(independent.curves).all(axis=(1, 2))
predictability = coupling.predictability_before_after(
    independent.curves[usable], coupled.curves[usable], coupled.trials["SUBJECT_ID"].to_numpy()[usable], coupled.channels
)
evaluation_figures.cross_channel_predictability(predictability, before_label, after_label)

# %% [markdown]
# **Figure S1.** Out-of-fold R² of each channel predicted from the other nine
# (or from the other components only), by ridge regression with
# subject-grouped folds, for the two generators on {glue:text}`sm_same_trials`.

# %%
display(Markdown(report.markdown_table(coupling.format_predictability(predictability))))

# %% [markdown]
# **Table S1.** The values of Figure S1.

# %%
balance_before = coupling.ap_impulse_balance(independent.curves[usable], independent.channels)
balance_after = coupling.ap_impulse_balance(coupled.curves[usable], coupled.channels)
balance_rows = []
for label, balance in ((before_label, balance_before), (after_label, balance_after)):
    numbers = coupling.summarize_impulse_balance(balance)
    balance_rows.append(
        {
            "generator": label,
            "steps": int(numbers["n_steps"]),
            "mean ratio": f"{numbers['mean_net_to_braking']:+.3f}",
            "SD of the ratio": f"{numbers['sd_net_to_braking']:.3f}",
            "95th percentile of |ratio|": f"{numbers['abs_p95_net_to_braking']:.3f}",
            "steps within ±10 %": f"{numbers['share_within_10_percent']:.0%}",
        }
    )
display(Markdown(report.markdown_table(pd.DataFrame(balance_rows))))
evaluation_figures.impulse_balance(balance_before, balance_after, before_label, after_label)

# %% [markdown]
# **Table S2 and Figure S2.** Net anterior–posterior impulse over a step
# divided by its braking impulse, per step. Walking at a constant speed, a
# step brakes about as much as it propels, so the ratio should sit near zero.
#
# ## Abnormalities with ground truth
#
# Later chapters plant abnormal gait in held-out subjects' trials with
# `analysis.data.abnormalities.inject`, which returns the edited curves, a
# mask of every changed sample and the severity actually applied, in units of
# the healthy between-subject SD of the landmark each kind targets.

# %%
gallery_subject = sorted(coupled.trials["SUBJECT_ID"].unique())[0]
figures_abnormalities.abnormality_gallery(coupled, gallery_subject, severities=(1.0, 3.0), seed=settings.split_seed)

# %% [markdown]
# **Figure S3.** Each kind of abnormality at 1 and 3 healthy SDs on one trial
# of one subject: the channel it targets and the coupled channel it moves
# most, untouched (grey) and edited; shading marks the ground-truth mask.
#
# ## Counterfactual twins
#
# `synthetic.counterfactual` draws a cohort and its twin from the same random
# numbers with one thing changed. The table shows the twin of every trial
# walked at {glue:text}`sm_speed_factor:.0%` of its speed: the mean change of
# each landmark, twin minus original, and the channels that did not move.

# %%
speed_factor = 1.2
report.glue_number("sm_speed_factor", speed_factor)
twins = synthetic.counterfactual(
    like=structure, seed=settings.data_seed, n_subjects=None if structure is not None else coupled.n_subjects,
    speed_factor=speed_factor,
)
original_landmarks = landmarks.landmarks(twins.original, twins.channels, trials=twins.trials)
twin_landmarks = landmarks.landmarks(twins.twin, twins.channels, trials=twins.trials)
columns = ["v_first_peak", "v_valley", "v_second_peak", "ap_braking_min", "ap_propulsive_max", "cop_ap_range"]
changes = (twin_landmarks[columns] - original_landmarks[columns]).mean()
unmoved = [channel for index, channel in enumerate(twins.channels) if np.allclose(twins.curve_change[:, index], 0, equal_nan=True)]
landmark_labels = {
    "v_first_peak": "vertical first peak (BW)", "v_valley": "vertical valley (BW)", "v_second_peak": "vertical second peak (BW)",
    "ap_braking_min": "AP braking minimum (BW)", "ap_propulsive_max": "AP propulsive maximum (BW)", "cop_ap_range": "COP AP range (m)",
}
twin_table = pd.DataFrame(
    {"landmark": [landmark_labels[column] for column in columns], "mean change, twin − original": [f"{round(value, 4) + 0.0:+.4f}" for value in changes]}
)
display(Markdown(report.markdown_table(twin_table)))
report.glue_text("sm_unmoved", ", ".join(unmoved) if unmoved else "none")

# %% [markdown]
# **Table S3.** Mean landmark change when every trial is walked
# {glue:text}`sm_speed_factor:.0%` as fast (forces in BW, COP range in m).
# Channels that did not move at all: {glue:text}`sm_unmoved`.
