"""Fixtures shared by the data tests: the book's default synthetic cohort is written once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis import data
from analysis.data.synthetic import SynthesisReport, synthesize


@pytest.fixture(scope="session")
def default_synthetic_report(real_structure_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> SynthesisReport:
    """synthesize(like=<the shipped real structure>, seed=0): the cohort every chapter runs on by default."""
    return synthesize(tmp_path_factory.mktemp("default") / "cohort", like=real_structure_dir, seed=0)


@pytest.fixture(scope="session")
def default_synthetic(default_synthetic_report: SynthesisReport) -> data.Cohort:
    return data.load(default_synthetic_report.out)
