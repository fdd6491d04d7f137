"""The chapter header (data banner, settings, environment) and glue casting."""

from __future__ import annotations

import platform
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from analysis import __version__
from analysis.book import report
from analysis.config import resolve
from analysis.data.source import DataSource


def synthetic_source() -> DataSource:
    return DataSource(
        kind="synthetic",
        directory=Path("/cache/synthetic/seed0-real-abc"),
        is_synthetic=True,
        real_structure=True,
        seed=0,
        description="**Data: synthetic cohort.** Simulated curves (seed 0).",
        label="synthetic (real structure)",
    )


def real_source() -> DataSource:
    return DataSource(
        kind="directory",
        directory=Path("/data/gutenberg"),
        is_synthetic=False,
        real_structure=True,
        seed=None,
        description="**Data: Gutenberg Gait Database**, files in `/data/gutenberg`.",
        label="Gutenberg (real)",
    )


# ---------------------------------------------------------------- environment


def test_environment_lists_versions_in_order() -> None:
    table = report.environment("cpu")
    assert list(table.columns) == ["component", "version"]
    assert list(table["component"]) == [
        "python",
        "system",
        "torch",
        "numpy",
        "pandas",
        "pywavelets",
        "scikit-learn",
        "analysis",
        "torch threads",
        "device",
        "git commit",
    ]
    values = dict(zip(table["component"], table["version"]))
    assert values["python"] == platform.python_version()
    assert values["system"] == f"{platform.system()} {platform.machine()}"
    assert values["torch"] == torch.__version__
    assert values["numpy"] == np.__version__
    assert values["pandas"] == pd.__version__
    assert values["analysis"] == __version__
    assert values["torch threads"] == str(torch.get_num_threads())
    assert values["device"].startswith("cpu (")
    assert all(isinstance(value, str) and value for value in values.values())


def test_device_name_resolves_auto_like_training() -> None:
    expected = "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"
    assert report.device_name("auto") == report.device_name(expected)
    assert report.device_name(None) == report.device_name("auto")
    assert report.device_name(torch.device("cpu")) == report.device_name("cpu")
    assert re.fullmatch(r"cpu \(.+\)", report.device_name("cpu"))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_device_name_names_the_gpu() -> None:
    assert report.device_name("cuda:0") == f"cuda:0 ({torch.cuda.get_device_name(0)})"


def test_git_commit_outside_a_checkout_is_unavailable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report.paths, "REPO_DIR", tmp_path)
    assert report.git_commit() == "unavailable"


def test_git_commit_without_git_is_unavailable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".git").mkdir()
    monkeypatch.setattr(report.paths, "REPO_DIR", tmp_path)

    def no_git(*args: object, **kwargs: object) -> None:
        raise FileNotFoundError("git")

    monkeypatch.setattr(subprocess, "run", no_git)
    assert report.git_commit() == "unavailable"


def test_git_commit_of_a_broken_checkout_is_unavailable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    (tmp_path / ".git").mkdir()  # not a repository: git fails
    monkeypatch.setattr(report.paths, "REPO_DIR", tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    assert report.git_commit() == "unavailable"


def test_git_commit_of_this_checkout() -> None:
    if shutil.which("git") is None or not (report.paths.REPO_DIR / ".git").exists():
        pytest.skip("not running from a git checkout")
    assert re.fullmatch(r"[0-9a-f]{12}", report.git_commit())


# --------------------------------------------------------------------- header


def test_synthetic_banner_is_a_warning_with_the_notice() -> None:
    banner = report.data_banner(synthetic_source())
    lines = banner.splitlines()
    assert lines[0] == "````{admonition} Data: synthetic (real structure)"
    assert lines[1] == ":class: warning"
    assert lines[-1] == "````"
    assert "**Data: synthetic cohort.** Simulated curves (seed 0)." in banner
    assert banner.count(report.SIMULATION_NOTICE) == 1
    assert report.EVIDENCE_NOTICE in banner
    assert report.SIMULATION_NOTICE == "Numbers on this page describe the simulation, not real people."


def test_synthetic_banner_does_not_repeat_the_source_notice() -> None:
    source = synthetic_source()
    worded = DataSource(**{**source.__dict__, "description": f"Simulated curves. {report.SIMULATION_NOTICE}"})
    banner = report.data_banner(worded)
    assert banner.count(report.SIMULATION_NOTICE) == 1 and report.EVIDENCE_NOTICE in banner


def test_the_real_synthetic_source_gets_the_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    from analysis.data import source

    monkeypatch.delenv("GAIT_DATA_DIR", raising=False)
    monkeypatch.delenv("GAIT_DOWNLOAD", raising=False)
    banner = report.data_banner(source.resolve(seed=0))
    assert ":class: warning" in banner and banner.count(report.SIMULATION_NOTICE) == 1


def test_real_banner_is_a_note_without_the_notice() -> None:
    banner = report.data_banner(real_source())
    assert banner.splitlines()[:2] == ["````{admonition} Data: Gutenberg (real)", ":class: note"]
    assert "files in `/data/gutenberg`" in banner
    assert report.SIMULATION_NOTICE not in banner and report.EVIDENCE_NOTICE not in banner


def settings_values(settings: object) -> dict[str, str]:
    table = report.settings_table(settings, device="cpu")
    assert list(table.columns) == ["setting", "value"]
    return dict(zip(table["setting"], table["value"]))


def test_settings_table_shows_the_run() -> None:
    values = settings_values(resolve("smoke", seeds=[3, 4]))
    assert values["profile"] == "smoke"
    assert values["models"] == "SAE, SAE + disentanglement, Sparse VAE"
    assert values["seeds"] == "3, 4"
    assert values["epochs (patience, warm-up)"] == "3 (2, 1)"
    assert values["sparsity weight λ₂"] == "calibrated to the target rate"
    assert values["latent size"] == "16"
    assert values["subjects"] == "24"
    assert values["device"].startswith("cpu (")
    full = settings_values(resolve("full"))
    assert (full["subjects"], full["latent size"], full["batch size, learning rate"]) == ("all", "100", "32, 0.001")


def test_markdown_table_shows_readers_words_not_python_values() -> None:
    table = pd.DataFrame({"in order": [True, False], "r": [float("nan"), -0.0], "n": [None, 3]})
    assert report.markdown_table(table) == "| in order | r | n |\n| --- | --- | --- |\n| yes | – | – |\n| no | 0.0 | 3.0 |"


def test_markdown_table_escapes_pipes() -> None:
    table = pd.DataFrame({"a": ["x|y"], "b": [1]})
    assert report.markdown_table(table) == "| a | b |\n| --- | --- |\n| x\\|y | 1 |"


def test_header_has_banner_settings_and_environment() -> None:
    text = report.header_markdown(synthetic_source(), resolve("smoke"), device="cpu")
    assert text.startswith("````{admonition} Data: synthetic (real structure)\n:class: warning")
    assert "| profile | smoke |" in text
    assert "````{dropdown} Software and hardware" in text
    assert f"| analysis | {__version__} |" in text
    assert text.count("````") == 4  # two directives, each opened and closed


def test_header_device_defaults_to_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[object] = []
    monkeypatch.setattr(report, "device_name", lambda device="auto": asked.append(device) or "cpu (test)")
    report.header_markdown(real_source(), resolve("smoke", device="cpu"))
    assert asked == ["cpu", "cpu"]


def test_show_header_displays_markdown(monkeypatch: pytest.MonkeyPatch) -> None:
    import IPython.display

    shown: list[object] = []
    monkeypatch.setattr(IPython.display, "display", lambda *objects, **kwargs: shown.extend(objects))
    report.show_header(synthetic_source(), resolve("smoke"), device="cpu")
    assert len(shown) == 1 and isinstance(shown[0], IPython.display.Markdown)
    assert shown[0].data == report.header_markdown(synthetic_source(), resolve("smoke"), device="cpu")


# ----------------------------------------------------------------------- glue


@pytest.mark.parametrize(
    ("value", "expected", "kind"),
    [
        (np.float64(0.42), 0.42, float),
        (np.float32(0.5), 0.5, float),
        (np.int64(19), 19, int),
        (np.bool_(True), True, bool),
        (np.array(0.25), 0.25, float),
        (7, 7, int),
        (0.1, 0.1, float),
    ],
)
def test_plain_value_casts_numpy_scalars(value: object, expected: object, kind: type) -> None:
    plain = report.plain_value(value)
    assert plain == expected and type(plain) is kind


def test_plain_value_rejects_non_numbers() -> None:
    with pytest.raises(TypeError, match=r"glue_number expects a number, got str: 'fast'"):
        report.plain_value("fast")
    with pytest.raises(TypeError, match=r"got ndarray"):
        report.plain_value(np.array([1.0, 2.0]))


def test_glue_number_stores_the_plain_text(monkeypatch: pytest.MonkeyPatch) -> None:
    import myst_nb.ext.glue

    displayed: list[tuple[dict, dict]] = []
    monkeypatch.setattr(myst_nb.ext.glue, "ipy_display", lambda bundle, raw, metadata: displayed.append((bundle, metadata)))
    assert report.glue_number("best_r", np.float64(0.42)) is None  # nothing left to show as a cell output
    bundle, metadata = displayed[0]
    assert bundle == {"application/papermill.record/text/plain": "0.42"}
    assert metadata["scrapbook"] == {"name": "best_r", "mime_prefix": "application/papermill.record/"}

    report.glue_number("n_subjects", np.int64(350), display=True)
    bundle, metadata = displayed[1]
    assert bundle == {"text/plain": "350"} and metadata["scrapbook"]["mime_prefix"] == ""


def test_glue_text_stores_the_text_without_quotes(monkeypatch: pytest.MonkeyPatch) -> None:
    import myst_nb.ext.glue

    displayed: list[dict] = []
    monkeypatch.setattr(myst_nb.ext.glue, "ipy_display", lambda bundle, raw, metadata: displayed.append(bundle))
    assert report.glue_text("data_label", "synthetic (real structure)") is None
    assert displayed == [{"application/papermill.record/text/plain": "synthetic (real structure)"}]
    with pytest.raises(TypeError, match=r"glue_text expects a string, got float: 0.5"):
        report.glue_text("data_label", 0.5)


def test_number_text_never_shows_negative_zero_and_dashes_missing() -> None:
    assert report.number_text(-0.0004, 3) == "0.000"
    assert report.number_text(0.1234, 2) == "0.12"
    assert report.number_text(float("nan")) == report.MISSING_CELL
    assert report.number_text(None) == report.MISSING_CELL
    assert report.interval_text(0.5, 0.25, float("nan"), 2) == f"0.50 [0.25, {report.MISSING_CELL}]"
