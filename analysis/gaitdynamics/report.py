"""The chapter's run settings as a table, for the page header (:func:`analysis.book.report.show_system_header`)."""

from __future__ import annotations

import pandas as pd

from analysis.config import GaitDynamicsSettings


def settings_table(settings: GaitDynamicsSettings) -> pd.DataFrame:
    rows = [
        ("profile", settings.profile),
        ("denoiser", f"transformer, {settings.layers} blocks × {settings.heads} heads, width {settings.width}, FF {settings.feedforward}"),
        ("time tokens", f"patches of {settings.patch} samples"),
        ("training", f"{settings.train_steps} steps × batch {settings.batch_size}, AdamW lr {settings.learning_rate:g}, EMA {settings.ema_decay}"),
        ("schedule, sampler", f"cosine, {settings.train_timesteps} steps; DDIM {settings.sampling_steps} steps, η = {settings.eta:g}"),
        ("conditioning dropout, guidance", f"{settings.condition_dropout:g}, {settings.guidance:g}"),
        ("samples per trial", str(settings.n_samples)),
        ("evaluation subset", f"{settings.n_eval_subjects} test subjects × ≤ {settings.trials_per_subject} trials"),
        ("held-out sub-dataset", f"DATASET_ID {settings.held_out_dataset}"),
        ("subjects", "all" if settings.max_subjects is None else str(settings.max_subjects)),
    ]
    return pd.DataFrame(rows, columns=["setting", "value"])
