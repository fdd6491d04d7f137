"""The chapter "Beyond the study" end to end: fit or load every method, then every table it shows.

:func:`run` is the single entry point of the page; it returns a
:class:`Results` of plain tables, so the page only formats and plots.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis import config
from analysis.beyond import codes as methods_
from analysis.beyond import fidelity, ground_truth, probing, quality
from analysis.beyond.codes import DICTIONARY, ICA, PCA, SAE, SAE_DISENTANGLED, SAE_STUDY, SVAE, TOPK, Code
from analysis.evaluation import baselines
from analysis.sae import study as gait


@dataclass
class Results:
    """Every table of the page."""

    frontier: pd.DataFrame
    comparisons: pd.DataFrame
    parts: pd.DataFrame
    physical: pd.DataFrame
    quality: pd.DataFrame
    probes: pd.DataFrame
    probe_null: pd.DataFrame
    reidentification: pd.DataFrame
    disentanglement: pd.DataFrame | None
    factor_scores: pd.DataFrame | None
    confounding: pd.DataFrame | None
    reference_active: float
    matched_k: int
    weights: dict[str, float]
    seconds: dict[str, float] = field(default_factory=dict)


# A swept TopK k stands in for "the same sparsity" when it is within this share of the SAE's active count.
MATCH_TOLERANCE = 0.25


def _nearest(values: tuple[int, ...], target: float) -> int:
    return int(min(values, key=lambda value: (abs(value - target), value)))


def run(study: gait.Study, beyond: config.BeyondSettings, progress: bool = False) -> Results:
    """Fit (or read from the cache) every method and measure it; see the page for what each table means."""
    settings = study.settings
    features = study.features
    if SAE not in settings.models:
        raise ValueError("the chapter compares against the study's SAE; settings.models must include 'sae'")
    seconds: dict[str, float] = {}
    clock = time.perf_counter()
    x_test = features.test
    test_subjects = study.trials("test")["SUBJECT_ID"].to_numpy()
    draws = fidelity.subject_draws(np.unique(test_subjects).size, beyond.n_bootstrap, seed=settings.split_seed)

    # The study's models and its SAE's operating points.
    study_methods, weights = methods_.study_codes(study, progress=progress)
    reference = fidelity.measure(study_methods[SAE], x_test, test_subjects)
    matched = max(1, int(round(reference.active_per_row)))
    seconds["study models"] = time.perf_counter() - clock

    # TopK SAEs: the frontier on seed 0, every seed at the k nearest the SAE's active count.
    clock = time.perf_counter()
    ks = tuple(k for k in beyond.topk_ks if k <= settings.latent_dim)
    matched_k = _nearest(ks, reference.active_per_row)
    sweep_runs = methods_.topk_runs(study, beyond, ks, (beyond.topk_seeds[0],), progress)
    matched_runs = methods_.topk_runs(study, beyond, (matched_k,), beyond.topk_seeds, progress)[matched_k]
    seconds["TopK SAE"] = time.perf_counter() - clock

    # Textbook methods with as many features as the autoencoders.
    clock = time.perf_counter()
    width = settings.latent_dim
    seeds = beyond.baseline_seeds
    headline: dict[str, list[Code]] = {name: study_methods[name] for name in (SAE, SAE_STUDY, SAE_DISENTANGLED, SVAE) if name in study_methods}
    headline[TOPK] = [methods_.from_run(TOPK, run, f"k = {matched_k}") for run in matched_runs]
    headline[PCA] = methods_.baseline_codes(study, PCA, width, seeds[:1])
    headline[ICA] = methods_.baseline_codes(study, ICA, width, seeds)
    dictionaries = [methods_.fit_dictionary(features.train, width, min(matched, width), seed, beyond.dictionary_passes) for seed in seeds]
    headline[DICTIONARY] = [methods_.from_baseline(fitted, seed) for fitted, seed in zip(dictionaries, seeds)]
    seconds["textbook methods"] = time.perf_counter() - clock

    # The frontier.
    clock = time.perf_counter()
    points = [fidelity.measure(codes, x_test, test_subjects) for codes in headline.values()]
    pca_fits = {n: baselines.fit_baseline(PCA, features.train, n) for n in sorted({*beyond.pca_components, matched}) if n <= min(features.train.shape)}
    points += [fidelity.measure([methods_.from_baseline(fitted, 0)], x_test, test_subjects) for n, fitted in pca_fits.items() if n != width]
    points += [
        fidelity.measure(methods_.baseline_codes(study, ICA, n, seeds[:1]), x_test, test_subjects)
        for n in beyond.ica_components
        if n != width and n <= min(features.train.shape)
    ]
    points += [
        fidelity.measure([methods_.from_baseline(dictionaries[0].with_sparsity(s), seeds[0])], x_test, test_subjects)
        for s in beyond.dictionary_sparsities
        if s != matched and s <= width
    ]
    points += [
        fidelity.measure([methods_.from_run(TOPK, runs[0], f"k = {k}")], x_test, test_subjects)
        for k, runs in sweep_runs.items()
        if k != matched_k
    ]
    points += [
        fidelity.measure([methods_.from_run(methods_.SAE_SWEEP, run, f"λ₂ = {weight:g}") for run in runs], x_test, test_subjects)
        for weight, runs in methods_.sae_sweep(study, progress)
    ]
    marks = {f"{SAE}|λ₂ = {weights[SAE]:g}": "calibrated"}
    if SAE_STUDY in weights:
        marks[f"{SAE_STUDY}|λ₂ = {weights[SAE_STUDY]:g}"] = "study"
    frontier_table = fidelity.frontier_table(points, draws, marks)

    by_setting = {(point.method, point.setting): point for point in points}
    matched_points = [
        by_setting[(PCA, f"{matched} components")],
        by_setting[(DICTIONARY, f"{matched} of {width} atoms")],
        by_setting[(TOPK, f"k = {matched_k}")],
    ]
    rows = [
        {"operating_point": "calibrated", **fidelity.compare(reference, other, draws, beyond.n_bootstrap, seed=settings.split_seed)}
        for other in matched_points
    ]
    if SAE_STUDY in headline:
        # The study's own operating point, against textbook methods at its (larger) active count.
        study_point = by_setting[(SAE_STUDY, f"λ₂ = {weights[SAE_STUDY]:g}")]
        count = min(width, max(1, int(round(study_point.active_per_row))))
        others = [
            fidelity.measure([methods_.from_baseline(baselines.fit_baseline(PCA, features.train, count), 0)], x_test, test_subjects)
            if (PCA, f"{count} components") not in by_setting
            else by_setting[(PCA, f"{count} components")],
            fidelity.measure([methods_.from_baseline(fitted.with_sparsity(count), seed) for fitted, seed in zip(dictionaries, seeds)], x_test, test_subjects),
        ]
        near = _nearest(ks, study_point.active_per_row)
        if abs(near - study_point.active_per_row) <= MATCH_TOLERANCE * study_point.active_per_row:
            others.append(by_setting[(TOPK, f"k = {near}")])
        rows += [
            {"operating_point": "study", **fidelity.compare(study_point, other, draws, beyond.n_bootstrap, seed=settings.split_seed)}
            for other in others
        ]
    comparisons = pd.DataFrame(rows)
    shown = [reference, *matched_points]
    if SAE_STUDY in headline:
        shown.insert(1, by_setting[(SAE_STUDY, f"λ₂ = {weights[SAE_STUDY]:g}")])
    parts = fidelity.parts_table(shown, x_test, features)
    physical = fidelity.physical_table(shown, x_test, features)
    seconds["frontier"] = time.perf_counter() - clock

    # Feature quality, probes, re-identification.
    clock = time.perf_counter()
    inputs, trials = study.all_inputs()
    subjects = trials["SUBJECT_ID"].to_numpy()
    quality_table = quality.quality_table(headline, inputs, subjects, settings.n_clusters, beyond.null_atom_draws, settings.split_seed)
    seconds["quality"] = time.perf_counter() - clock
    clock = time.perf_counter()
    first = {name: codes[0] for name, codes in headline.items()}
    ks_probe = tuple(k for k in beyond.probe_ks if k <= width)
    probe_table = probing.probe_table(first, inputs, trials, ks_probe, beyond.probe_folds, beyond.n_bootstrap, settings.split_seed)
    null = pd.concat(
        [probing.probe_null(first[name], inputs, trials, max(ks_probe), beyond.probe_folds, beyond.n_permutations, settings.split_seed) for name in (SAE, PCA)],
        ignore_index=True,
    )
    reid = probing.reidentification_table(first, inputs, trials, beyond.n_bootstrap, settings.split_seed)
    seconds["probes"] = time.perf_counter() - clock

    # Ground truth (synthetic cohorts only).
    clock = time.perf_counter()
    truth = ground_truth.read(study.source.directory) if study.source.is_synthetic else None
    disentangled = factor_scores = confounding = None
    if truth is not None:
        disentangled, factor_scores = ground_truth.disentanglement_table(first, features, truth, beyond.dci_alpha, settings.split_seed)
        confounding = pd.concat(
            [ground_truth.confounding_table(first[name], inputs, trials, beyond.n_bootstrap, settings.split_seed) for name in (SAE, PCA)],
            ignore_index=True,
        )
    seconds["ground truth"] = time.perf_counter() - clock
    return Results(
        frontier=frontier_table,
        comparisons=comparisons,
        parts=parts,
        physical=physical,
        quality=quality_table,
        probes=probe_table,
        probe_null=null,
        reidentification=reid,
        disentanglement=disentangled,
        factor_scores=factor_scores,
        confounding=confounding,
        reference_active=reference.active_per_row,
        matched_k=matched_k,
        weights=weights,
        seconds=seconds,
    )


def answer_for(rows: pd.DataFrame) -> str:
    """The verdict rule's answer for one operating point, against the two textbook methods (PCA, dictionary)."""
    textbook = [rows.set_index("other").loc[methods_.LABELS[name], "outcome"] for name in ("pca", "dictionary")]
    if all(outcome == fidelity.BEATS for outcome in textbook):
        return "beat both textbook methods"
    if all(outcome == fidelity.LOSES for outcome in textbook):
        return "lose to both textbook methods"
    described = ", ".join(f"{outcome} {name}" for outcome, name in zip(textbook, ("PCA", "the dictionary")))
    return f"do not beat both textbook methods ({described})"
