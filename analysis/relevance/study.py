"""The chapter's entry points: which data, which contrasts, and the page header.

The natural contrasts (speed, sex, age) run on the chapter's data source;
the planted contrast always runs on the synthetic cohort, because only the
generator can say where the difference truly lies. GaitRec's healthy vs
impaired contrasts need its curve files, which the book does not ship: when
they are absent the chapter says so and skips them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.config import RelevanceSettings
from analysis.data import datasets
from analysis.data import source as data_source
from analysis.data.cohort import Cohort
from analysis.relevance import oracle, planted
from analysis.relevance.data import GAITREC_HEALTHY, PLANTED_CONTRAST, ContrastData, checked_contrast, class_contrast, cohort_contrast, limit
from analysis.relevance.models import MODEL_LABELS, checked_models


@dataclass(frozen=True)
class Inputs:
    settings: RelevanceSettings
    source: data_source.DataSource
    cohort: Cohort


def prepare(settings: RelevanceSettings, data_dir: str | None = None, download: bool | None = None) -> Inputs:
    """Check the settings, resolve the data and load the cohort."""
    for name in settings.contrasts:
        checked_contrast(name)
    checked_models(settings.models)
    checked_contrast(settings.leaky_contrast)
    if settings.device != "cpu":
        raise ValueError(f"device {settings.device!r}: the relevance chapter runs on the CPU only")
    chosen = data_source.resolve(data_dir=data_dir, download=download, seed=settings.data_seed)
    cohort = data_source.load_cohort(chosen)
    return Inputs(settings=settings, source=chosen, cohort=cohort)


def build_contrast(name: str, inputs: Inputs) -> ContrastData:
    """The trials, labels and (where the generator knows it) truth of contrast ``name``."""
    settings = inputs.settings
    checked_contrast(name)
    if name == PLANTED_CONTRAST:
        full, _ = planted.planted_contrast(
            settings.data_seed, settings.planted_share, settings.planted_target_accuracy, settings.split_seed
        )
        return planted.subset(full, settings.max_subjects, settings.max_trials_per_subject, settings.data_seed)
    cohort = inputs.cohort
    data = cohort_contrast(cohort, name, None, settings.data_seed)
    truth = oracle.read_truth(inputs.source.directory)
    if truth is not None:
        trials = cohort.trials.reset_index(drop=True).iloc[data.extra["rows"]]
        data = ContrastData(**{**data.__dict__, "oracle_features": oracle.generator_factors(truth, trials), "extra": {}})
    return limit(data, settings.max_subjects, settings.max_trials_per_subject, settings.data_seed)


def gaitrec_contrasts(settings: RelevanceSettings) -> tuple[list[ContrastData], str]:
    """GaitRec's healthy-versus-impairment contrasts when its curves are named, and a line for the page."""
    from analysis import paths
    from analysis.data.gaitrec import CLASS_LABELS

    gaitrec = datasets.get("gaitrec", "dataset")
    if paths.user_data_dir(gaitrec.data_dir_variable) is None:
        return [], (
            f"GaitRec's curve files were not supplied (set `{gaitrec.data_dir_variable}` to run them), so its "
            "healthy-versus-impairment contrasts are not run on this page."
        )
    chosen = data_source.resolve(dataset="gaitrec")
    cohort = data_source.load_cohort(chosen)
    contrasts = [
        limit(class_contrast(cohort, code, CLASS_LABELS), settings.max_subjects, settings.max_trials_per_subject, settings.data_seed)
        for code in CLASS_LABELS
        if code != GAITREC_HEALTHY and (cohort.trials["CLASS_LABEL"] == code).any()
    ]
    return contrasts, (
        f"GaitRec: {chosen.description} Healthy controls against each impairment class, with the same models and "
        "folds; there is no generator behind these curves, so no oracle and no truth map."
    )


def settings_table(settings: RelevanceSettings) -> pd.DataFrame:
    subjects = "all" if settings.max_subjects is None else str(settings.max_subjects)
    trials = "all" if settings.max_trials_per_subject is None else str(settings.max_trials_per_subject)
    rows = [
        ("profile", settings.profile),
        ("contrasts", ", ".join(settings.contrasts)),
        ("models", ", ".join(MODEL_LABELS[name] for name in settings.models)),
        ("folds (subject-grouped) × seeds", f"{settings.n_folds} × {len(settings.seeds)}"),
        ("MLP hidden layers, dropout", f"{', '.join(str(h) for h in settings.hidden)}; {settings.dropout:g}"),
        ("epochs at most (patience), batch, learning rate", f"{settings.max_epochs} ({settings.patience}), {settings.batch_size}, {settings.learning_rate:g}"),
        ("subjects per contrast, trials per subject", f"{subjects}, {trials}"),
        ("input scaling", "per channel" if settings.scaling == "channel" else "per channel and sample"),
        ("LRP rule", f"ε-rule on every layer, ε = {settings.lrp_epsilon:g}"),
        ("device", "CPU"),
    ]
    return pd.DataFrame(rows, columns=["setting", "value"])
