"""Comparing two builds: glued values and figures, with differences named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.__main__ import main
from analysis.book import compare


def write_chapter(directory: Path, name: str, glued: dict[str, str], png: str = "iVBOR") -> None:
    outputs = [
        {
            "output_type": "display_data",
            "data": {"application/papermill.record/text/plain": value},
            "metadata": {"scrapbook": {"name": key, "mime_prefix": "application/papermill.record/"}},
        }
        for key, value in glued.items()
    ]
    outputs.append({"output_type": "display_data", "data": {"image/png": png, "text/plain": "<Figure>"}, "metadata": {}})
    notebook = {"cells": [{"cell_type": "code", "source": "", "outputs": outputs, "metadata": {}}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{name}.ipynb").write_text(json.dumps(notebook))


def test_identical_builds_compare_equal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for build in ("a", "b"):
        write_chapter(tmp_path / build, "03_1_data", {"n_trials": "8819", "label": "synthetic"})
    result = compare.compare(tmp_path / "a", tmp_path / "b")
    assert result.before == {"03_1_data/n_trials": "8819", "03_1_data/label": "synthetic"}
    assert not (result.changed or result.missing or result.added or result.changed_figures)
    assert main(["book", "compare", str(tmp_path / "a"), str(tmp_path / "b")]) == 0
    assert "2 before, 2 after; 0 changed, 0 gone, 0 new" in capsys.readouterr().out


def test_every_kind_of_difference_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_chapter(tmp_path / "a", "03_1_data", {"n_trials": "8819", "old": "1"})
    write_chapter(tmp_path / "b", "03_1_data", {"n_trials": "8820", "new": "2"}, png="other")
    result = compare.compare(tmp_path / "a", tmp_path / "b")
    assert (result.changed, result.missing, result.added) == (["03_1_data/n_trials"], ["03_1_data/old"], ["03_1_data/new"])
    assert result.changed_figures == ["03_1_data#0"]
    assert main(["book", "compare", str(tmp_path / "a"), str(tmp_path / "b")]) == 3
    printed = capsys.readouterr().out
    assert "changed 03_1_data/n_trials: 8819 -> 8820" in printed and "figure differs 03_1_data#0" in printed


def test_a_folder_without_chapters_is_an_error_naming_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match=f"{tmp_path / 'empty'} holds no executed chapter"):
        compare.glued_values(tmp_path / "empty")
    assert main(["book", "compare", str(tmp_path / "missing"), str(tmp_path / "empty")]) == 1
    assert f"no folder of executed chapters at {tmp_path / 'missing'}" in capsys.readouterr().err
