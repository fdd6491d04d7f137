"""The chapter header: data banner, the diffusion settings, software (with diffusers) and hardware."""

from __future__ import annotations

from importlib import metadata

import pandas as pd

from analysis.book import report
from analysis.config import GaitDynamicsSettings
from analysis.data.source import DataSource


def settings_table(settings: GaitDynamicsSettings, device: str) -> pd.DataFrame:
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
        ("device", report.device_name(device)),
    ]
    return pd.DataFrame(rows, columns=["setting", "value"])


def header_markdown(source: DataSource, settings: GaitDynamicsSettings, device: str) -> str:
    environment = report.environment(device)
    try:
        diffusers_version = metadata.version("diffusers")
    except metadata.PackageNotFoundError:
        diffusers_version = report.UNAVAILABLE
    environment = pd.concat([environment, pd.DataFrame([("diffusers", diffusers_version)], columns=environment.columns)], ignore_index=True)
    return "\n\n".join(
        [
            report.data_banner(source),
            "**Run settings**",
            report.markdown_table(settings_table(settings, device)),
            "````{dropdown} Software and hardware\n" + report.markdown_table(environment) + "\n````",
        ]
    )


def show_header(source: DataSource, settings: GaitDynamicsSettings, device: str) -> None:
    from IPython.display import Markdown, display

    display(Markdown(header_markdown(source, settings, device)))
