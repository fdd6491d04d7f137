"""The first call of every chapter: settings from its parameters, the data, the page header.

A reader of any results page must learn which data, settings and software
produced it before the first number; chapters therefore start here rather
than assembling the pieces themselves.
"""

from __future__ import annotations

from analysis import config
from analysis.book import report
from analysis.sae.study import Study, prepare


def start_study(
    profile: str = "full",
    *,
    data_dir: str | None = None,
    download: bool | None = None,
    show_header: bool = True,
    **overrides: object,
) -> tuple[config.Settings, Study]:
    """Settings, data and header of a chapter of the reproduction (the study's autoencoders).

    ``overrides`` are the chapter's papermill parameters (``models``,
    ``seeds``, ``epochs``, ...); ``None`` keeps the profile's value.
    """
    settings = config.resolve(profile, **overrides)
    study = prepare(settings, data_dir=data_dir, download=download)
    if show_header:
        report.show_header(study.source, settings, study.device)
    return settings, study
