"""The GaitRec path runs on files in the published format (tiny fake cohort: the numbers mean nothing)."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import config
from analysis.data import gaitrec, source
from analysis.gengait import real_sides

import gaitrec_files


@pytest.mark.slow
def test_side_localisation_runs_on_gaitrec_files(tmp_path, monkeypatch, one_torch_thread):
    monkeypatch.setenv("LATENT_MOTION_CACHE", str(tmp_path / "cache"))
    directory = tmp_path / "gaitrec"
    gaitrec_files.write_cohort(directory, n_subjects=30, sessions_per_subject=1, trials_per_session=3)
    cohort = gaitrec.load(source.resolve(data_dir=directory, dataset="gaitrec").directory)
    result = real_sides.side_localisation(config.resolve_gengait("smoke", epochs=1), cohort, n_bootstrap=20)
    assert result.controls_train + result.controls_calibration == 6
    assert result.patients > 0 and 0.0 <= result.accuracy <= 1.0
    assert np.isnan(result.auroc) or 0.0 <= result.auroc <= 1.0


def test_side_localisation_refuses_a_gutenberg_cohort(gutenberg_dir):
    from analysis import data

    with pytest.raises(ValueError, match="is it GaitRec"):
        real_sides.side_localisation(config.resolve_gengait("smoke"), data.load(gutenberg_dir), n_bootstrap=5)
