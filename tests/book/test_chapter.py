"""The first call of every chapter: parameters, data and header."""

from __future__ import annotations

from analysis import config
from analysis.book import chapter

from gutenberg_files import write_cohort


def test_start_study_applies_parameters_and_names_the_data(tmp_path):
    write_cohort(tmp_path / "cohort", n_subjects=6, sessions_per_subject=1, trials_per_session=3)
    settings, prepared = chapter.start_study(
        "smoke", seeds="[7]", data_dir=str(tmp_path / "cohort"), show_header=False, models=None
    )
    assert settings.seeds == (7,)
    assert settings.models == config.PROFILES["smoke"].models
    assert prepared.source.kind == "directory"
    assert prepared.cohort.n_subjects == 6
