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
# # 4.2 Latent space
#
# How are trials arranged in the space of codes? The study embedded the codes
# with t-SNE, coloured the map by age, height, body weight and walking speed,
# and described a continuous manifold along which walking speed changed most
# clearly (claim C4). KMeans with five clusters then split the codes mainly
# along the first principal component into groups that did not correspond to
# demographic categories and that the study suggested might be gait styles
# (claim C5) {cite:p}`latentmotion`. This chapter repeats both analyses on
# the held-out test subjects and replaces "clearest gradient" and "do not map
# onto demographics" with numbers, one of which the study did not consider:
# how strongly the codes of one person stay together.

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
import pandas as pd
from IPython.display import Markdown, display

from analysis import config
from analysis.book import chapter, report
from analysis.evaluation import latent_structure
from analysis.sae import claims, figures_latent, latent
from analysis.sae import study as gait

settings, study = chapter.start_study(
    profile, models=models, seeds=seeds, epochs=epochs, latent_dim=latent_dim,
    model_options=model_options, data_dir=data_dir, download=download, device=device,
)
runs = gait.train_all(study, progress=True)

# %% tags=["remove-input"]
test_inputs = study.inputs("test")
test_trials = study.trials("test")
subjects = test_trials["SUBJECT_ID"].to_numpy()
report.glue_number("c42_first_seed", settings.seeds[0])
report.glue_number("c42_n_seeds", len(settings.seeds))
report.glue_number("c42_n_test_trials", len(test_trials))
report.glue_number("c42_n_test_subjects", test_trials["SUBJECT_ID"].nunique())
report.glue_number("c42_trials_per_subject", len(test_trials) / test_trials["SUBJECT_ID"].nunique())
report.glue_number("c42_perplexity", latent_structure.effective_perplexity(len(test_trials), settings.tsne_perplexity))
report.glue_number("c42_neighbours", latent.GRADIENT_NEIGHBOURS)
report.glue_number("c42_n_clusters", settings.n_clusters)
report.glue_number("c42_ami_rule", claims.CLUSTER_AMI_UNRELATED)

first_runs = {name: seed_runs[0] for name, seed_runs in runs.items()}
test_codes = {name: run.encode(test_inputs) for name, run in first_runs.items()}

# %%
if study.source.is_synthetic:
    display(
        Markdown(
            "```{note}\n"
            "The curves on this page are simulated. How strongly walking speed, age, height and "
            "body weight shape them is decided by the generator ({doc}`synthetic_model`), so a "
            "gradient or a cluster that follows one of them shows how the generator was built and "
            "whether the analysis can find it, not how people walk.\n"
            "```"
        )
    )

# %% [markdown]
# The test set holds {glue:text}`c42_n_test_trials` trials of
# {glue:text}`c42_n_test_subjects` subjects, about
# {glue:text}`c42_trials_per_subject:.0f` trials per person. That nesting
# matters for everything below: trials of one person are much more alike
# than trials of different people, enough for machine-learning models to
# recognise a person from their ground reaction forces
# {cite:p}`horst2023identification`, and age, height and body weight are
# practically constant across a person's trials. A map on which each
# person's trials form a tight group therefore shows every person-level
# attribute as locally "smooth", whether or not the codes order people by it.

# %% [markdown]
# ## 4.2.1 t-SNE maps
#
# The codes of each model (first seed) are embedded in two dimensions with
# t-SNE {cite:p}`vandermaaten2008tsne` at perplexity
# {glue:text}`c42_perplexity:.0f`, initialised from PCA with a fixed seed so
# that the map is the same on every run.

# %%
embeddings = {
    name: latent_structure.tsne_embedding(codes, perplexity=settings.tsne_perplexity, seed=first_runs[name].seed)
    for name, codes in test_codes.items()
}
for name, embedding in embeddings.items():
    display(
        figures_latent.tsne_panels(embedding, test_trials, title=f"{config.MODEL_LABELS[name]}, seed {first_runs[name].seed}")
    )

# %% [markdown]
# **Figure 3.** t-SNE maps of the test-set codes of each model (first seed),
# once per attribute: age, height, body weight and walking speed. Trials
# without a value are grey and drawn underneath (the Gutenberg database has
# no walking speeds for three of its ten sub-datasets). Axes of a t-SNE map
# have no units, and distances between far-apart groups are not meaningful.

# %% [markdown]
# ### Which attribute forms the clearest gradient?
#
# The study judged gradients by eye. Here a gradient's strength is the
# correlation between each trial's value and the mean value of its
# {glue:text}`c42_neighbours` nearest neighbours (fewer on very small test
# sets): close to 1 when the colour changes smoothly across the map, about 0
# when it is scattered. It is computed three ways. *Map, all neighbours* is
# the question the study asked of its figure. *Map, other subjects* takes the
# neighbours from other people only, so that a person's own trials cannot
# fake a gradient of their age or height. *Latent space, other subjects* asks
# the same of the codes themselves, without t-SNE's distortions, for every
# seed.

# %% tags=["remove-input"]
map_gradients = {name: latent.gradient_strengths(embedding, test_trials) for name, embedding in embeddings.items()}
per_seed = gait.seed_metrics(runs, study)
display(Markdown(report.markdown_table(latent.gradient_overview(map_gradients, per_seed))))

latent_winners = latent.clearest_over_seeds(per_seed)
report.glue_number("c42_speed_clearest_models", sum(winner == "WALKING_SPEED" for winner in latent_winners.values()))
report.glue_number("c42_n_models", len(latent_winners))
for name, table in map_gradients.items():
    report.glue_text(f"c42_{name}_map_clearest", latent.attribute_name(latent.clearest_gradient(table)))
    report.glue_text(f"c42_{name}_latent_clearest", latent.attribute_name(latent_winners.get(name)))
    speed = table.set_index("attribute").loc["WALKING_SPEED"]
    report.glue_number(f"c42_{name}_speed_all", speed["all_neighbours"])
    report.glue_number(f"c42_{name}_speed_others", speed["other_subjects"])

# %% [markdown]
# **Table 4.2a.** Gradient strength of each attribute (Pearson r between a
# trial's value and its neighbours' mean) on each model's t-SNE map (first
# seed) and in its latent space (mean ± SD over seeds); "n/a" where an
# attribute has too few values or only one subject has any.
#
# The study found walking speed the clearest gradient, height and weight
# weaker and age only local. Taking as the clearest gradient the attribute
# with the largest positive agreement ("none" when no agreement is above 0),
# on the maps of the first seed, with neighbours from other subjects, it is
# {glue:text}`c42_sae_map_clearest` for the SAE,
# {glue:text}`c42_sae_disentangled_map_clearest` for the SAE with
# disentanglement and {glue:text}`c42_svae_map_clearest` for the sparse
# VAE; in the latent space, averaged over seeds, it is
# {glue:text}`c42_sae_latent_clearest`,
# {glue:text}`c42_sae_disentangled_latent_clearest` and
# {glue:text}`c42_svae_latent_clearest`. Walking speed comes first in the
# latent space for {glue:text}`c42_speed_clearest_models` of
# {glue:text}`c42_n_models` models. For walking speed itself, the map
# agreement of the SAE is {glue:text}`c42_sae_speed_all:.2f` with any
# neighbours and {glue:text}`c42_sae_speed_others:.2f` with neighbours from
# other subjects. Where the second value is clearly lower, part of the
# apparent gradient comes from each person's own trials lying together,
# walked at similar speeds, rather than from codes that order the trials of
# different people by speed.

# %% [markdown]
# ## 4.2.2 Clusters
#
# KMeans with k = {glue:text}`c42_n_clusters` runs on the codes themselves,
# as in the study's code; PCA only provides the axes of the picture. Clusters
# are numbered from left to right along the first principal component.

# %%
clusters = {
    name: latent_structure.cluster_codes(codes, k=settings.n_clusters, seed=settings.split_seed)
    for name, codes in test_codes.items()
}
for name, result in clusters.items():
    display(Markdown(f"**{config.MODEL_LABELS[name]}**, seed {first_runs[name].seed}"))
    display(figures_latent.cluster_plot(result, test_trials))

# %% [markdown]
# **Figure 4.** KMeans clusters of the test-set codes of each model (first
# seed). Left: trials on the first two principal components of the codes,
# coloured by cluster, centres marked with crosses; the axis labels give each
# component's share of the code variance and the share of that component's
# variance explained by cluster membership (η²). Right: per cluster, the
# mean ± SD of walking speed, age, height and body weight over its trials, and
# the share of men.

# %%
association_rows = []
for name, result in clusters.items():
    association = latent_structure.cluster_attribute_association(result, test_trials)
    concentration = latent.subject_concentration(result.labels, subjects, seed=settings.split_seed)
    association.loc[len(association)] = {
        "attribute": "SUBJECT_ID",
        "n": len(subjects),
        "ami": concentration["subject_ami"],
        "pc1_r": float("nan"),
    }
    association_rows.append(association.assign(model=config.MODEL_LABELS[name]))
association_table = pd.concat(association_rows, ignore_index=True)[["model", "attribute", "n", "ami", "pc1_r"]]
association_table[["ami", "pc1_r"]] = association_table[["ami", "pc1_r"]].round(3) + 0.0  # no "-0.0"
display(Markdown(report.markdown_table(association_table.rename(columns={"ami": "AMI", "pc1_r": "r with PC1"}))))

# %% [markdown]
# **Table 4.2b.** How the clusters of each model (first seed) relate to the
# subjects' attributes: adjusted mutual information (AMI) between cluster
# labels and tertiles of each attribute (sex as recorded; subject identity
# as the last row), and Pearson's r between the PC1 coordinate and the
# attribute. AMI is 0 for agreement at chance level and 1 when the clusters
# are exactly the groups; trials with a missing value are left out.

# %%
cluster_per_seed = latent.cluster_table(runs, test_inputs, test_trials, k=settings.n_clusters, seed=settings.split_seed)
display(
    Markdown(
        report.markdown_table(
            latent.mean_sd_table(
                cluster_per_seed,
                {
                    "pc1_variance": "PC1 share of variance",
                    "pc1_cluster_share": "η² PC1",
                    "pc2_cluster_share": "η² PC2",
                    "max_demographic_ami": "largest AMI, attributes",
                    "subject_ami": "AMI, subject",
                    "majority_share": "subject's share in one cluster",
                    "chance_majority_share": "same, at chance",
                },
            )
        )
    )
)
cluster_means = cluster_per_seed.groupby("model").mean(numeric_only=True)
for name in cluster_means.index:
    for column in latent.CLUSTER_COLUMNS:
        report.glue_number(f"c42_{name}_{column}", cluster_means.loc[name, column])

# %% [markdown]
# **Table 4.2c.** Cluster structure over all seeds (mean ± SD): the share of
# code variance on PC1, the share of PC1's and PC2's variance explained by
# cluster membership, the largest AMI between clusters and any attribute's
# tertiles or sex, the AMI between clusters and subject identity, and the
# share of a subject's test trials that fall into that subject's most common
# cluster (averaged over subjects), beside the share expected if cluster
# labels were dealt out at random with the same cluster sizes.
#
# The study saw clusters organised along PC1 that did not map onto
# demographic groups. In this build, cluster membership explains on average
# {glue:text}`c42_sae_pc1_cluster_share:.2f` of PC1's variance and
# {glue:text}`c42_sae_pc2_cluster_share:.2f` of PC2's for the SAE
# ({glue:text}`c42_sae_disentangled_pc1_cluster_share:.2f` and
# {glue:text}`c42_sae_disentangled_pc2_cluster_share:.2f` with
# disentanglement, {glue:text}`c42_svae_pc1_cluster_share:.2f` and
# {glue:text}`c42_svae_pc2_cluster_share:.2f` for the sparse VAE), and the
# largest AMI with an attribute is
# {glue:text}`c42_sae_max_demographic_ami:.2f`,
# {glue:text}`c42_sae_disentangled_max_demographic_ami:.2f` and
# {glue:text}`c42_svae_max_demographic_ami:.2f`; the ledger's rule for "do
# not map onto demographic groups" is an AMI below
# {glue:text}`c42_ami_rule:.2f`.
#
# The subject rows carry the confound. On average,
# {glue:text}`c42_sae_majority_share:.2f` of a subject's test trials fall
# into that subject's most common cluster for the SAE
# ({glue:text}`c42_sae_disentangled_majority_share:.2f` and
# {glue:text}`c42_svae_majority_share:.2f` for the other two models),
# against {glue:text}`c42_sae_chance_majority_share:.2f`,
# {glue:text}`c42_sae_disentangled_chance_majority_share:.2f` and
# {glue:text}`c42_svae_chance_majority_share:.2f` at chance, and the AMI with
# subject identity is {glue:text}`c42_sae_subject_ami:.2f`,
# {glue:text}`c42_sae_disentangled_subject_ami:.2f` and
# {glue:text}`c42_svae_subject_ami:.2f`, to be compared with the largest AMI
# with an attribute above. Where the subject values clearly exceed the
# attribute values, a cluster is first of all a set of people: its attribute
# profile (Figure 4, right) is the profile of the people in it, its trials
# are not independent observations, and a "gait style" cannot be told apart
# from the individual signatures of the people who happen to share a
# cluster. Telling them apart would take clusters that recur across seeds
# and across different sets of held-out subjects.

# %% [markdown]
# ## Claims C4 and C5
#
# The ledger's verdicts, judged on the latent-space gradients and the
# cluster structure averaged over seeds. Both claims are about people; on a
# synthetic cohort the ledger marks them as not testable and reports the
# measured values only.

# %%
ledger = claims.ledger(per_seed, settings, synthetic=study.source.is_synthetic)
display(Markdown(report.markdown_table(ledger[ledger["claim"].isin(["C4", "C5"])])))

# %% [markdown]
# **Table 4.2d.** Claims C4 and C5 against this build (mean and, in
# brackets, the range over seeds).

# %% [markdown]
# ## Where the study's code differed
#
# The study's public implementation used t-SNE (random state 42) and KMeans
# with k = 5 on the codes, with PCA only for the plot, as here. Two of its
# other choices change what its Figures 3 and 4 could show:
#
# - **No held-out subjects.** The model was trained on all samples and the
#   maps were drawn from the same samples, so the latent space was shown
#   where the model had fitted each person's trials directly; this book maps
#   subjects the models never saw.
# - **One point per curve.** Each trial entered as ten separate samples, one
#   per force or centre-of-pressure channel, mixed in one training set. A map
#   or a clustering of such codes can separate the kinds of curve (a vertical
#   force from a centre-of-pressure trace) before anything about the walker,
#   and "clusters along PC1" may reflect channel type. With one point per
#   trial, as in the study's text and this book, that reading is excluded.
