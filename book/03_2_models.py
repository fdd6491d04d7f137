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
# # 3.2 Models and training
#
# The study compares three autoencoders that map a trial's wavelet
# coefficients to a sparse code and back {cite:p}`latentmotion`: a sparse
# autoencoder with tied weights {cite:p}`ng2011sparse`, the same model with a
# penalty on correlated code units, and a sparse variational autoencoder
# {cite:p}`kingma2014vae`. This chapter writes their losses out in full, with
# the weights this build uses read from the code, describes how they are
# trained, trains them (or loads them from the cache), and checks the
# reconstruction errors against the study's claim C1.

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
from IPython.display import Markdown, display

from analysis import config
from analysis.book import chapter, report
from analysis.sae import calibration, figures_latent, figures_training, training_tables
from analysis.sae import models as autoencoders
from analysis.sae import study as gait

settings, study = chapter.start_study(
    profile, models=models, seeds=seeds, epochs=epochs, latent_dim=latent_dim,
    model_options=model_options, data_dir=data_dir, download=download, device=device,
)
calibrations = gait.calibrate_all(study, progress=True)
runs = gait.train_all(study, progress=True, calibrations=calibrations)

# %%
input_width = study.features.train.shape[1]
chapter_numbers = {
    "input_width": input_width,
    "latent_dim": settings.latent_dim,
    "sparsity_epsilon": autoencoders.SPARSITY_EPSILON,
    "batch_size": settings.batch_size,
    "learning_rate": settings.learning_rate,
    "max_epochs": settings.epochs,
    "patience": settings.patience,
    "warmup_epochs": settings.warmup_epochs,
    "n_seeds": len(settings.seeds),
}
for name, value in chapter_numbers.items():
    report.glue_number(f"c32_{name}", value)

# %% [markdown]
# ## Three autoencoders
#
# A sample is one trial: a vector $x \in \mathbb{R}^d$ of
# $d =$ {glue:text}`c32_input_width` standardised wavelet coefficients
# ({doc}`03_1_data`). Every model has one linear layer on each side of a code
# with $k =$ {glue:text}`c32_latent_dim` units. Losses are computed per batch
# of $B$ samples; "MSE" is the mean over all $B \cdot d$ squared errors, so on
# standardised inputs it reads as the share of the coefficients' variance left
# unexplained (about 1 for a model that always outputs the training mean).
#
# ### Sparse autoencoder (SAE)
#
# The encoder is a ReLU layer, and the decoder reuses its weight matrix
# transposed (tied weights):
#
# $$
# h = \mathrm{ReLU}(W x + b_e), \qquad \hat{x} = W^{\top} h + b_d,
# \qquad W \in \mathbb{R}^{k \times d}.
# $$
#
# Tying matters for sparsity: the code cannot shrink for free while a separate
# decoder grows to compensate. The loss adds two sparsity penalties to the
# reconstruction error,
#
# $$
# \mathcal{L}_{\mathrm{SAE}} = \mathrm{MSE}(x, \hat{x})
# + \lambda_1 \sum_{j=1}^{k} \mathrm{KL}(\rho \,\Vert\, \hat{\rho}_j)
# + \lambda_2 \, \frac{1}{Bk} \sum_{b=1}^{B} \sum_{j=1}^{k} \lvert h_{bj} \rvert,
# \qquad
# \mathrm{KL}(\rho \,\Vert\, \hat{\rho}) = \rho \log\frac{\rho}{\hat{\rho}}
# + (1-\rho) \log\frac{1-\rho}{1-\hat{\rho}},
# $$
#
# where $\rho$ is the target mean activation and $\hat{\rho}_j$ the mean
# activation of unit $j$ over the batch (made a proper proportion as described
# below). The L1 term is the mean absolute activation, so its size does not
# depend on the batch or code size.
#
# ### SAE with disentanglement
#
# The same model, with a penalty on the covariance between code units:
#
# $$
# \mathcal{L}_{\mathrm{SAE+D}} = \mathcal{L}_{\mathrm{SAE}}
# + \lambda_3 \sum_{i \neq j} \mathrm{Cov}(h_i, h_j)^2,
# \qquad
# \mathrm{Cov}(h_i, h_j) = \frac{1}{B} \sum_{b=1}^{B} (h_{bi} - \bar{h}_i)(h_{bj} - \bar{h}_j).
# $$
#
# The covariance is the biased batch estimate, which is defined for every batch,
# including a last batch of one sample.
#
# ### Sparse variational autoencoder (Sparse VAE)
#
# Two linear heads give the mean and log-variance of a Gaussian code, and an
# untied linear decoder maps a code back:
#
# $$
# \mu = W_{\mu} x + b_{\mu}, \quad \log \sigma^2 = W_{\sigma} x + b_{\sigma}, \quad
# z = \mu + \sigma \odot \varepsilon,\; \varepsilon \sim \mathcal{N}(0, I), \quad
# \hat{x} = W_{d} z + b_{d},
# $$
#
# $$
# \mathcal{L}_{\mathrm{SVAE}} = \mathrm{MSE}(x, \hat{x})
# + \beta \, \frac{1}{B} \sum_{b=1}^{B} \sum_{j=1}^{k}
#   \tfrac{1}{2}\left(\mu_{bj}^2 + \sigma_{bj}^2 - 1 - \log \sigma_{bj}^2\right)
# + \lambda \, \frac{1}{Bk} \sum_{b=1}^{B} \sum_{j=1}^{k} \lvert z_{bj} \rvert .
# $$
#
# The noise is drawn only in training; validation losses, reconstructions and
# the codes analysed in later chapters use $z = \mu$, so they are
# deterministic. The reconstruction term is a mean over the $d$ coefficients
# of a trial while the KL term is a sum over the $k$ latent units, so the
# weight that makes this loss the per-coefficient negative ELBO (a Gaussian
# likelihood with noise variance ½) is $\beta = 1/d$. The book's Sparse VAE
# uses that weight; the study's literal $\beta = 1$ is trained as a labelled
# variant below. The log-variance head is bounded smoothly,
# $\log \sigma^2 = L \tanh(a / L)$ with $L = $ {glue:text}`c32_logvar_bound:.0f`
# for the head's output $a$, so that one large output cannot make the KL term
# explode in early epochs.
#
# ### Loss weights
#
# The study names the weights $\lambda_1, \lambda_2, \lambda_3$ but does not
# report their values (only $\beta = 1$ and $\rho = 0.05$; $\beta$ here follows
# from the loss, as above). The values below are read from the models this
# build trained; "–" marks a term a model does not have. $\lambda_1$ and
# $\lambda_3$ put each weighted penalty at a few per cent of the
# reconstruction error at initialisation, so that reconstruction drives the
# early epochs. The deterministic models' $\lambda_2$ is not chosen by hand:
# it is calibrated on the validation subjects so that the codes reach the
# study's sparsity target (next section).

# %%
display(Markdown(report.markdown_table(training_tables.loss_weight_table({name: seed_runs[0].config for name, seed_runs in runs.items()}))))

# %% [markdown]
# ### Calibrating sparsity to the study's target
#
# The study aims at a mean activation of $\rho = 0.05$. Whether a code gets
# there depends on the penalty weights, which the study does not report, so
# comparing the models' sparsity (claims C2 and C11) at an arbitrary weight
# would say more about that weight than about the models. Each deterministic
# model's $\lambda_2$ is therefore chosen by a rule written before looking at
# the results (`analysis.sae.calibration`):
#
# 1. train every weight of a grid with {glue:text}`c32_n_calibration_seeds`
#    seed(s), all in one stacked pass, on the training subjects; rows of one
#    seed share their initial weights and batch order, so the grid differs only
#    in the weight;
# 2. a weight *works* if every seed explains at least
#    {glue:text}`c32_working_fve:.2f` of the validation subjects' variance, and
#    is *on target* if the mean activation rate on the validation subjects
#    lies within {glue:text}`c32_target_rate:.2f` ± {glue:text}`c32_target_tolerance:.2f`;
# 3. the smallest working weight on target is chosen (the least penalty that
#    reaches the target, so the best reconstruction); if there is none, the
#    working weight closest to the target is used and the page says so.
#
# A few values of $\lambda_1$ are trained in the same pass to show why
# $\lambda_2$ is the weight to calibrate. The test subjects take no part.
# The activation rate is the book's thresholded definition of "active"
# ({doc}`04_1_feature_learning`); L0 is the share of codes that are exactly
# non-zero.

# %%
calibration_numbers = {
    "n_calibration_seeds": len(settings.calibration_seeds),
    "working_fve": calibration.WORKING_FVE,
    "target_rate": calibration.TARGET_RATE,
    "target_tolerance": calibration.TARGET_TOLERANCE,
}
for name, value in calibration_numbers.items():
    report.glue_number(f"c32_{name}", value)
if calibrations:
    display(Markdown(report.markdown_table(calibration.sweep_table(calibrations))))
    display(figures_training.calibration_sweep(calibrations))
    outcome_text = "; ".join(
        f"{config.MODEL_LABELS[name]}: λ₂ = {result.chosen:g} ({result.outcome})" for name, result in calibrations.items()
    )
else:
    display(Markdown("No deterministic model of this run calibrates its weight (the settings fix it), so there is no sweep."))
    outcome_text = "none"
report.glue_text("c32_calibration_outcome", outcome_text)

# %% [markdown]
# **Table 3.2a and Figure 1a.** The calibration sweep on the validation
# subjects: mean over seeds of the activation rate, L0 and FVE for every
# weight tried, the lowest FVE of any seed, and the rule's tests. In the
# figure, dots are single seeds, lines means over seeds; the grey bands mark
# the target and the region where a run does not count as working; rings mark
# the chosen weights. Chosen in this build: {glue:text}`c32_calibration_outcome`.
#
# Raising $\lambda_2$ trades explained variance for sparsity smoothly, and the
# rule takes the first weight whose codes are as sparse as the study intended.
# Raising $\lambda_1$ does not: the KL term acts on the mean size of each
# unit's activations, and once it is strong enough to matter the training
# settles on a nearly silent code that explains little of the variance.

# %% [markdown]
# ### Keeping $\hat{\rho}$ inside (0, 1)
#
# The KL penalty treats $\hat{\rho}_j$ as the probability that unit $j$ fires,
# but a ReLU activation is unbounded, so its batch mean $a_j$ can reach or
# exceed 1, where $\log(1 - \hat{\rho}_j)$ is undefined. Here the mean is
# squashed,
#
# $$
# \hat{\rho}_j = \epsilon + (1 - 2\epsilon) \tanh(a_j),
# $$
#
# with $\epsilon =$ {glue:text}`c32_sparsity_epsilon:.0e`. This keeps
# $\hat{\rho}_j$ strictly inside $(\epsilon, 1-\epsilon)$, is smooth, and is
# practically the identity near the target ($\tanh 0.05 \approx 0.04996$).
# Unlike clipping, it keeps pushing down units whose mean activation exceeds 1,
# because the gradient never vanishes there.
#
# ## Training procedure
#
# - **Data.** The training part of the subject-grouped split; coefficients are
#   standardised with training statistics only ({doc}`03_1_data`). The
#   validation subjects serve early stopping; the test subjects are used only
#   for the results.
# - **Initialisation.** Xavier (Glorot) uniform weights {cite:p}`glorot2010`,
#   zero biases.
# - **Optimisation.** Adam {cite:p}`kingma2015adam` with learning rate
#   {glue:text}`c32_learning_rate:g` and the library's other defaults, batches of
#   {glue:text}`c32_batch_size` trials in a new random order every epoch.
# - **Penalty warm-up.** Over the first {glue:text}`c32_warmup_epochs` epochs
#   every penalty weight rises linearly to its full value. Reconstruction
#   shapes the code first; a strong sparsity penalty applied from the first
#   step can otherwise lock the code in the trivial all-off state, and the
#   Sparse VAE's KL term cannot swamp its first steps. The study does not
#   mention a warm-up; it is this build's choice.
# - **Early stopping.** After every epoch the total loss on the validation
#   subjects is computed with the full weights; after the warm-up, training
#   stops after {glue:text}`c32_patience` epochs without improvement or at
#   {glue:text}`c32_max_epochs` epochs, and the weights of the best validation
#   epoch are restored.
# - **Seeds.** Each model is trained with {glue:text}`c32_n_seeds` seeds. A
#   seed fixes the initial weights, the order of batches and the VAE noise,
#   each from its own random stream, so a result is reproducible seed by seed.
#   All seeds of a model are trained at once as a stack of independent copies
#   (batched matrix products), and a seed that stops early leaves the stack;
#   the result for each seed equals that of training it alone, up to rounding.
# - **Cache.** Trained weights and learning curves are stored under a key
#   made of the model and training settings, the seed, a hash of the feature
#   matrices and of the training code, so later chapters load exactly these
#   models and any change retrains.
#
# ## Learning curves

# %%
history = gait.history_table(runs)
figures_latent.learning_curves(history)

# %% [markdown]
# **Figure 1.** Every loss term over epochs, on the training part (mean over
# the batches of an epoch, with noise and in training mode) and on the
# validation subjects (evaluation mode). Rows: models; columns: loss terms
# (unweighted; "total" is the weighted sum that is optimised). Thin lines are
# single seeds, thick lines the mean over seeds; the y axis is logarithmic
# where all values are positive.
#
# ## Reconstruction error and early stopping
#
# Test MSE and the fraction of variance explained (FVE, $1 - \mathrm{SSE}/\mathrm{SST}$
# around the training mean) are measured on the held-out test subjects, once
# per seed, and summarised as mean ± SD over seeds.

# %%
record = training_tables.training_record(runs, study)
summary = training_tables.training_summary(record, max_epochs=settings.epochs)
mean_mse = training_tables.model_mse(record)
mean_fve = record.groupby("model")["fve"].mean()
for name in config.MODEL_NAMES:
    report.glue_number(f"c32_{name}_test_mse", mean_mse[name])
    report.glue_number(f"c32_{name}_test_fve", float(mean_fve.get(name, float("nan"))))
report.glue_number("c32_seeds_stopped_early", int((record["stopped_epoch"] < settings.epochs).sum()))
report.glue_number("c32_runs", len(record))
report.glue_number("c32_wall_seconds", float(record.groupby("model")["seconds"].max().sum()))
display(Markdown(report.markdown_table(summary)))

# %% [markdown]
# Mean test MSE is {glue:text}`c32_sae_test_mse:.3f` for the SAE,
# {glue:text}`c32_sae_disentangled_test_mse:.3f` with disentanglement and
# {glue:text}`c32_svae_test_mse:.3f` for the Sparse VAE (FVE
# {glue:text}`c32_sae_test_fve:.3f`, {glue:text}`c32_sae_disentangled_test_fve:.3f`
# and {glue:text}`c32_svae_test_fve:.3f`). Early stopping ended
# {glue:text}`c32_seeds_stopped_early` of the {glue:text}`c32_runs` runs before
# the epoch limit. Training took {glue:text}`c32_wall_seconds:.0f` s of wall
# time in all, on the device in the table.

# %%
if record["from_cache"].all():
    note = (
        "Every model on this page was loaded from the cache; wall times and devices are those of "
        "the run that trained it."
    )
elif record["from_cache"].any():
    note = "Some models were loaded from the cache; their wall time and device are those of the run that trained them."
else:
    note = "Every model on this page was trained in this run."
display(Markdown(note))

# %% [markdown]
# ## The study's β = 1: a labelled variant
#
# The study sets β = 1 but does not say how its loss terms are normalised.
# Against a reconstruction term averaged over the {glue:text}`c32_input_width`
# coefficients of a trial, β = 1 weighs the prior as much as a likelihood
# summed over coefficients would with β = {glue:text}`c32_input_width`. A VAE
# under such a prior can give up on the input: every code μ shrinks to the
# prior mean and the decoder outputs the average trial ("posterior collapse").
# To show what the literal setting does, the Sparse VAE is trained a second
# time with β = 1, with the same seeds, data and other weights. The rule for
# calling a run collapsed is a test FVE below {glue:text}`c32_collapse_fve:.2f`.
# Only this section uses the variant; every later chapter uses β = 1/d.

# %%
collapse_fve = 0.05
report.glue_number("c32_collapse_fve", collapse_fve)
report.glue_number("c32_logvar_bound", autoencoders.LOGVAR_BOUND)
if "svae" in runs:
    variant_label = "Sparse VAE, β = 1 (the study's)"
    literal_runs = gait.train_variant(study, "svae", kl_weight=autoencoders.STUDY_KL_WEIGHT)
    beta_runs = {"svae": runs["svae"], "svae_literal": literal_runs}
    beta_record = training_tables.training_record(beta_runs, study)
    beta_table = training_tables.beta_comparison(beta_runs, beta_record, {"svae": "Sparse VAE, β = 1/d", "svae_literal": variant_label}, collapse_fve)
    display(Markdown(report.markdown_table(beta_table)))
    literal_fve = float(beta_record.loc[beta_record["model"] == "svae_literal", "fve"].mean())
    main_fve = float(mean_fve["svae"])
    report.glue_number("c32_literal_fve", literal_fve)
    report.glue_number("c32_main_fve", main_fve)
    literal_collapsed = literal_fve < collapse_fve
    main_collapsed = main_fve < collapse_fve
    report.glue_text("c32_literal_state", "collapsed" if literal_collapsed else "not collapsed")
    report.glue_text("c32_main_state", "collapsed" if main_collapsed else "not collapsed")
    display(figures_latent.learning_curves(gait.history_table({"Sparse VAE, β = 1/d": runs["svae"], variant_label: literal_runs})))
else:
    display(Markdown("The Sparse VAE is not among this run's models, so there is no β to compare."))

# %% [markdown]
# **Figure 2.** Learning curves of the Sparse VAE with the book's β = 1/d and
# with the study's β = 1, drawn like Figure 1. The table above it compares the
# two (mean ± SD over seeds); "largest validation KL" is the largest epoch mean
# of the unweighted KL term on the validation subjects, which the bounded
# log-variance keeps finite. In this build the variant with
# β = 1 explains {glue:text}`c32_literal_fve:.3f` of the test variance and is
# {glue:text}`c32_literal_state` by the rule above; with β = 1/d the model
# explains {glue:text}`c32_main_fve:.3f` and is {glue:text}`c32_main_state`.
# In the learning curves a collapsing run shows its KL term driven towards
# zero within the first epochs while its reconstruction error stays near 1,
# the error of predicting the average trial; a working run trades a larger
# KL term for a much lower reconstruction error.

# %% [markdown]
# ## Claim C1: reconstruction error
#
# The study reports test MSE between 0.08 and 0.12 for all three models, with
# the SAE lowest and the Sparse VAE highest (its Section 4.5.1). The checks
# below apply that statement to the mean test MSE over seeds of this build.
# Two caveats limit the comparison. The study does not say on which scale its
# MSE was computed; here it is the mean over standardised coefficients, so
# it is comparable across models but only loosely with the study's number.
# And its code had no test set (see below), so the study's "test" MSE cannot
# have come from held-out people.

# %%
display(Markdown(report.markdown_table(training_tables.claim_c1(record))))
if study.source.is_synthetic:
    display(
        Markdown(
            "These errors are measured on simulated curves. How well a linear code reconstructs them "
            "depends on how much independent variation the generator puts into each trial, so the "
            "verdicts test the pipeline, not the study's claim about real gait."
        )
    )

# %% [markdown]
# ## Where the study's original code differed
#
# The study's public code {cite:p}`latentmotion` trained its models in ways
# its text does not describe. This book follows the text; the differences
# matter for reading the study's numbers:
#
# 1. **The Sparse VAE had no learned variance.** Its encoder was a single
#    linear map used as $\mu$, with $\log \sigma^2$ fixed at 0 and weights tied
#    like the SAE. The KL term then reduces to $\tfrac{1}{2}\lVert \mu \rVert^2$
#    plus a constant, an L2 penalty on the code with unit-variance noise added;
#    KL and L1 terms were summed over the batch rather than averaged, so their
#    weight grew with the batch size. Here $\mu$ and $\log \sigma^2$ have their
#    own heads, the decoder is untied, and every term is a per-sample mean.
# 2. **The disentanglement penalty was in every deterministic model.** The
#    covariance penalty (weight 0.1) was part of the loss of the tied SAE used
#    for every deterministic run, so the code's "baseline" SAE was not free of
#    it. KL sparsity and L1 terms had weight 0.1 each, with L1 on the mean
#    absolute activation, and $\hat{\rho}$ was not bounded, so the KL term
#    became undefined once a unit's mean activation reached 1.
# 3. **There was no held-out data.** Training used all samples for a fixed 100
#    epochs (Adam, learning rate 0.001, batch 32, seed 42, initial weights
#    drawn as $\mathcal{N}(0, 1)/\sqrt{d}$ rather than Xavier); no validation
#    split, no early stopping and no test set were implemented. This build
#    splits by subject, stops early on validation subjects and reports every
#    error on test subjects.
