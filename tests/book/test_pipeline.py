"""The chapter runner: keys, skipping, failures, the kernel, the build guard, the timing records."""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import sys
import types
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import nbformat
import pytest

import analysis
import analysis.data
from analysis.book import pipeline, timings


def write_notebook(path: Path, *cells: str) -> Path:
    """A tiny chapter: a tagged parameters cell, then ``cells``."""
    notebook = nbformat.v4.new_notebook()
    parameters = nbformat.v4.new_code_cell('profile = "full"\nseeds = [0]')
    parameters.metadata["tags"] = ["parameters"]
    notebook.cells = [parameters, *(nbformat.v4.new_code_cell(source) for source in cells)]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


@pytest.fixture
def fixed_data(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep these tests independent of the data source (tested separately)."""
    monkeypatch.setattr(pipeline, "data_fingerprint", lambda parameters: "data-v1")


class FakePapermill:
    """Stands in for papermill: copies the notebook and counts the calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[Path, dict]] = []

    def __call__(self, notebook: Path, output: Path, parameters: dict, kernel: str, cwd: Path) -> None:
        self.calls.append((notebook, parameters))
        output.write_bytes(notebook.read_bytes())


@pytest.fixture
def fake_papermill(monkeypatch: pytest.MonkeyPatch) -> FakePapermill:
    fake = FakePapermill()
    monkeypatch.setattr(pipeline, "_run_papermill", fake)
    return fake


class FakeClock:
    """Stands in for the ``time`` module of the pipeline: time passes only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def perf_counter(self) -> float:
        return self.now


class TimedPapermill(FakePapermill):
    """A fake papermill whose chapters take known wall times on a fake clock."""

    def __init__(self, clock: FakeClock, durations: dict[str, float]) -> None:
        super().__init__()
        self.clock = clock
        self.durations = durations

    def __call__(self, notebook: Path, output: Path, parameters: dict, kernel: str, cwd: Path) -> None:
        super().__call__(notebook, output, parameters, kernel, cwd)
        self.clock.now += self.durations[notebook.stem]


MACHINE = {
    "cpu": "Test CPU 9000",
    "cores": 4,
    "torch_threads": 4,
    "gpu": None,
    "python": "3.11.7",
    "torch": "2.13.0",
    "system": "Linux x86_64",
}


@pytest.fixture
def timed_papermill(monkeypatch: pytest.MonkeyPatch) -> TimedPapermill:
    """Chapter ``one`` takes 2.5 s, ``two`` 4 s; the machine and the wall clock are fixed too."""
    clock = FakeClock()
    fake = TimedPapermill(clock, {"one": 2.5, "two": 4.0})
    monkeypatch.setattr(pipeline, "_run_papermill", fake)
    monkeypatch.setattr(pipeline, "time", clock)
    monkeypatch.setattr(timings, "describe_machine", lambda: dict(MACHINE))
    moments = (datetime(2026, 11, 30, 9, 0).astimezone() + timedelta(minutes=step) for step in range(1000))
    monkeypatch.setattr(timings, "now", lambda: next(moments).isoformat(timespec="seconds"))
    return fake


@pytest.fixture
def two_chapters(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """A book folder with chapters ``one`` and ``two``, and the folder they execute into."""
    book = tmp_path / "book"
    write_notebook(book / "one.ipynb", "x = 1")
    write_notebook(book / "two.ipynb", "y = 2")
    yield book, tmp_path / "executed"


# ---------------------------------------------------------------------- keys


def test_chapters_are_in_book_order() -> None:
    assert pipeline.CHAPTERS == (
        "03_1_data",
        "synthetic_model",
        "03_1b_real_curves",
        "03_2_models",
        "04_1_feature_learning",
        "04_2_latent_space",
        "04_3_metadata",
        "04_4_importance",
        "04_5_comparison",
        "05_discussion",
        "07_conclusion",
        "audit_original_code",
        "audit_beyond",
        "sibling_diffusion",
        "sibling_masked_autoencoder",
        "sibling_relevance",
        "sibling_vae",
    )


def test_chapter_parameters_put_overrides_after_the_profile() -> None:
    assert pipeline.chapter_parameters("smoke") == {"profile": "smoke"}
    assert pipeline.chapter_parameters("smoke", {"seeds": [3]}) == {"profile": "smoke", "seeds": [3]}


def test_key_is_stable_and_changes_with_each_input(tmp_path: Path) -> None:
    notebook = write_notebook(tmp_path / "chapter.ipynb", "x = 1")
    parameters = {"profile": "smoke"}
    key = pipeline.chapter_key(notebook, parameters, "data-v1", "code-v1")
    assert key == pipeline.chapter_key(notebook, dict(parameters), "data-v1", "code-v1")
    assert len(key) == 64 and int(key, 16) >= 0

    assert pipeline.chapter_key(notebook, {"profile": "full"}, "data-v1", "code-v1") != key
    assert pipeline.chapter_key(notebook, {"profile": "smoke", "seeds": [3]}, "data-v1", "code-v1") != key
    assert pipeline.chapter_key(notebook, parameters, "data-v2", "code-v1") != key
    assert pipeline.chapter_key(notebook, parameters, "data-v1", "code-v2") != key
    write_notebook(notebook, "x = 2")
    assert pipeline.chapter_key(notebook, parameters, "data-v1", "code-v1") != key


def test_key_ignores_parameter_order(tmp_path: Path) -> None:
    notebook = write_notebook(tmp_path / "chapter.ipynb")
    first = pipeline.chapter_key(notebook, {"profile": "smoke", "seeds": [1]}, "d", "c")
    assert first == pipeline.chapter_key(notebook, {"seeds": [1], "profile": "smoke"}, "d", "c")


def test_key_follows_the_package_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    notebook = write_notebook(tmp_path / "chapter.ipynb")
    before = pipeline.chapter_key(notebook, {}, "d", "c")
    monkeypatch.setattr(pipeline, "__version__", "999.0")
    assert pipeline.chapter_key(notebook, {}, "d", "c") != before


def test_code_fingerprint_covers_every_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "analysis"
    (package / "sub").mkdir(parents=True)
    (package / "a.py").write_text("A = 1\n")
    (package / "sub" / "b.py").write_text("B = 1\n")
    monkeypatch.setattr(pipeline.paths, "PACKAGE_DIR", package)
    before = pipeline.code_fingerprint()
    assert before == pipeline.code_fingerprint()
    (package / "sub" / "b.py").write_text("B = 2\n")
    assert pipeline.code_fingerprint() != before
    (package / "notes.txt").write_text("not code")
    changed = pipeline.code_fingerprint()
    (package / "notes.txt").unlink()
    assert pipeline.code_fingerprint() == changed


def test_code_fingerprint_of_the_real_package_changes_with_a_module(monkeypatch: pytest.MonkeyPatch) -> None:
    real = pipeline.code_fingerprint()
    original = Path.read_bytes

    def patched(path: Path) -> bytes:
        content = original(path)
        return content + b"# changed\n" if path.name == "style.py" else content

    monkeypatch.setattr(Path, "read_bytes", patched)
    assert pipeline.code_fingerprint() != real


# ----------------------------------------------------------------- data source


def fake_source_module(directory: Path, synthetic: bool, calls: list[dict]) -> types.ModuleType:
    module = types.ModuleType("analysis.data.source")

    def resolve(data_dir: str | None = None, download: bool | None = None, seed: int = 0) -> types.SimpleNamespace:
        calls.append({"data_dir": data_dir, "download": download, "seed": seed})
        return types.SimpleNamespace(
            kind="synthetic" if synthetic else "directory",
            directory=directory,
            is_synthetic=synthetic,
            real_structure=True,
            seed=seed if synthetic else None,
            label="synthetic (real structure)" if synthetic else "Gutenberg (real)",
            description="test source",
        )

    module.resolve = resolve
    return module


def use_source(monkeypatch: pytest.MonkeyPatch, module: types.ModuleType) -> None:
    monkeypatch.setitem(sys.modules, "analysis.data.source", module)
    monkeypatch.setattr(analysis.data, "source", module, raising=False)


def test_data_source_is_resolved_like_the_chapters_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict] = []
    use_source(monkeypatch, fake_source_module(tmp_path, synthetic=True, calls=calls))
    pipeline.data_fingerprint({"profile": "smoke", "seeds": [3], "data_dir": "/data", "download": True})
    pipeline.data_fingerprint({"profile": "smoke", "data_seed": 7})
    assert calls == [
        {"data_dir": "/data", "download": True, "seed": 0},
        {"data_dir": None, "download": None, "seed": 7},
    ]


def test_real_data_fingerprint_follows_the_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    curves = tmp_path / "GRF_F_V_PRO_left.csv"
    curves.write_text("1,2,3\n")
    use_source(monkeypatch, fake_source_module(tmp_path, synthetic=False, calls=[]))
    before = pipeline.data_fingerprint({})
    assert before == pipeline.data_fingerprint({})
    curves.write_text("1,2,3,4\n")
    assert pipeline.data_fingerprint({}) != before


def test_synthetic_data_fingerprint_names_the_cohort_not_its_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cohort = tmp_path / "seed0-real-0123456789abcdef"
    cohort.mkdir()
    (cohort / "GRF_F_V_PRO_left.csv").write_text("1,2,3\n")
    use_source(monkeypatch, fake_source_module(cohort, synthetic=True, calls=[]))
    before = pipeline.data_fingerprint({})
    assert "cohort=seed0-real-0123456789abcdef" in before.splitlines()
    os.utime(cohort / "GRF_F_V_PRO_left.csv", ns=(0, 0))
    assert pipeline.data_fingerprint({}) == before
    assert pipeline.data_fingerprint({"data_seed": 1}) != before


def test_data_fingerprint_of_the_shared_synthetic_cohort_is_stable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Against the real resolver: the default source must not change between runs."""
    monkeypatch.delenv(pipeline.paths.DATA_DIR_VARIABLE, raising=False)
    monkeypatch.delenv(pipeline.paths.DOWNLOAD_VARIABLE, raising=False)
    first = pipeline.data_fingerprint({"profile": "smoke"})
    assert first == pipeline.data_fingerprint({"profile": "smoke"})
    assert "synthetic=True" in first.splitlines()


def test_directory_fingerprint_names_a_missing_directory(tmp_path: Path) -> None:
    assert pipeline.directory_fingerprint(tmp_path / "nowhere") == f"{tmp_path / 'nowhere'}: absent"


# ------------------------------------------------------------------ execution


def test_execute_skips_unchanged_chapters(tmp_path: Path, fixed_data: None, fake_papermill: FakePapermill) -> None:
    book = tmp_path / "book"
    write_notebook(book / "one.ipynb", "x = 1")
    write_notebook(book / "two.ipynb", "y = 2")
    out = tmp_path / "executed"

    first = pipeline.execute(["one", "two"], profile="smoke", output_dir=out, book_dir=book)
    assert [record.executed for record in first] == [True, True]
    assert [call[1] for call in fake_papermill.calls] == [{"profile": "smoke"}] * 2
    assert (out / "one.key").read_text().strip() == first[0].key

    second = pipeline.execute(["one", "two"], profile="smoke", output_dir=out, book_dir=book)
    assert [record.executed for record in second] == [False, False]
    assert len(fake_papermill.calls) == 2
    assert [record.key for record in second] == [record.key for record in first]

    forced = pipeline.execute(["one"], profile="smoke", output_dir=out, book_dir=book, force=True)
    assert forced[0].executed and len(fake_papermill.calls) == 3


def test_execute_reruns_what_changed(tmp_path: Path, fixed_data: None, fake_papermill: FakePapermill) -> None:
    book = tmp_path / "book"
    write_notebook(book / "one.ipynb", "x = 1")
    write_notebook(book / "two.ipynb", "y = 2")
    out = tmp_path / "executed"
    pipeline.execute(["one", "two"], profile="smoke", output_dir=out, book_dir=book)

    write_notebook(book / "two.ipynb", "y = 3")
    records = pipeline.execute(["one", "two"], profile="smoke", output_dir=out, book_dir=book)
    assert [record.executed for record in records] == [False, True]

    records = pipeline.execute(["one", "two"], profile="smoke", output_dir=out, book_dir=book, parameters={"seeds": [3]})
    assert [record.executed for record in records] == [True, True]
    assert fake_papermill.calls[-1][1] == {"profile": "smoke", "seeds": [3]}

    (out / "one.ipynb").unlink()
    records = pipeline.execute(["one", "two"], profile="smoke", output_dir=out, book_dir=book, parameters={"seeds": [3]})
    assert [record.executed for record in records] == [True, False]


def test_execute_rejects_unknown_profile_and_missing_notebook(tmp_path: Path, fixed_data: None, fake_papermill: FakePapermill) -> None:
    with pytest.raises(ValueError, match=r"unknown profile 'huge'; choose one of \['full', 'smoke'\]"):
        pipeline.execute(["one"], profile="huge", output_dir=tmp_path, book_dir=tmp_path)
    with pytest.raises(FileNotFoundError, match=f"chapter notebook\\(s\\) not found: {tmp_path / 'absent.ipynb'}"):
        pipeline.execute(["absent"], profile="smoke", output_dir=tmp_path, book_dir=tmp_path)
    assert fake_papermill.calls == []


@pytest.mark.slow
def test_execute_runs_papermill_with_parameters(tmp_path: Path, fixed_data: None) -> None:
    book = tmp_path / "book"
    write_notebook(
        book / "chapter.ipynb",
        "import os, sys\nfrom pathlib import Path\n"
        "Path('cwd.txt').write_text(os.getcwd())\n"
        "Path('interpreter.txt').write_text(sys.executable)\n"
        "answer = sum(seeds) * 10\nprint(profile, answer)",
    )
    out = tmp_path / "executed"
    records = pipeline.execute(["chapter"], profile="smoke", output_dir=out, parameters={"seeds": [3, 4]}, book_dir=book)

    assert records[0].executed and records[0].notebook == out / "chapter.ipynb"
    executed = nbformat.read(out / "chapter.ipynb", as_version=4)
    injected = [cell for cell in executed.cells if "injected-parameters" in cell.metadata.get("tags", [])]
    assert len(injected) == 1 and 'profile = "smoke"' in injected[0].source and "seeds = [3, 4]" in injected[0].source
    assert injected[0].metadata["tags"] == ["injected-parameters", "hide-input"]
    assert executed.cells[0].metadata["tags"] == ["parameters", "hide-input"]
    assert executed.cells[-1].outputs[0]["text"] == "smoke 70\n"
    assert (book / "cwd.txt").read_text() == str(book)
    assert Path((book / "interpreter.txt").read_text()).resolve() == Path(sys.executable).resolve()
    assert sorted(path.name for path in out.iterdir()) == ["build-times-other.json", "chapter.ipynb", "chapter.key", "chapter.timing.json"]
    assert records[0].seconds is not None and records[0].seconds > 0


@pytest.mark.slow
def test_failed_chapter_leaves_nothing_and_names_itself(tmp_path: Path, fixed_data: None) -> None:
    book = tmp_path / "book"
    write_notebook(book / "good.ipynb", "x = 1")
    write_notebook(book / "broken.ipynb", "raise ValueError('curve file is empty')")
    write_notebook(book / "after.ipynb", "y = 1")
    out = tmp_path / "executed"
    out.mkdir()
    (out / "broken.ipynb").write_text("{}")  # stale result of an earlier configuration
    (out / "broken.key").write_text("old\n")

    with pytest.raises(pipeline.ChapterExecutionError, match="chapter broken failed") as caught:
        pipeline.execute(["good", "broken", "after"], profile="smoke", output_dir=out, book_dir=book, force=True)
    assert "ValueError: curve file is empty" in str(caught.value)
    assert sorted(path.name for path in out.iterdir()) == ["good.ipynb", "good.key", "good.timing.json"]


def test_interrupted_chapter_leaves_no_partial_file(tmp_path: Path, fixed_data: None, monkeypatch: pytest.MonkeyPatch) -> None:
    book = tmp_path / "book"
    write_notebook(book / "one.ipynb")
    out = tmp_path / "executed"

    def interrupted(notebook: Path, output: Path, *args: object) -> None:
        output.write_text("half")
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "_run_papermill", interrupted)
    with pytest.raises(KeyboardInterrupt):
        pipeline.execute(["one"], profile="smoke", output_dir=out, book_dir=book)
    assert list(out.iterdir()) == []


# --------------------------------------------------------------------- kernel


def test_project_kernel_runs_this_interpreter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from jupyter_client.kernelspec import KernelSpecManager

    monkeypatch.setenv(pipeline.paths.CACHE_VARIABLE, str(tmp_path))
    monkeypatch.delenv("JUPYTER_PATH", raising=False)
    with pipeline.project_kernel() as name:
        spec = KernelSpecManager().get_kernel_spec(name)
        assert spec.argv[0] == sys.executable
        assert spec.argv[-4:] == ["-m", "ipykernel_launcher", "-f", "{connection_file}"]
    assert "JUPYTER_PATH" not in os.environ
    written = json.loads((tmp_path / "jupyter" / "kernels" / name / "kernel.json").read_text())
    assert written == pipeline.kernel_spec()


def test_project_kernel_restores_jupyter_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(pipeline.paths.CACHE_VARIABLE, str(tmp_path))
    monkeypatch.setenv("JUPYTER_PATH", "/elsewhere")
    with pipeline.project_kernel():
        assert os.environ["JUPYTER_PATH"] == os.pathsep.join([str(tmp_path / "jupyter"), "/elsewhere"])
    assert os.environ["JUPYTER_PATH"] == "/elsewhere"


# ---------------------------------------------------------------------- build


def test_build_rejects_unknown_builder() -> None:
    with pytest.raises(ValueError, match=r"unknown builder 'pdf'; choose one of \['html', 'dirhtml', 'singlehtml'\]"):
        pipeline.build("pdf")


def test_build_requires_executed_chapters(tmp_path: Path) -> None:
    (tmp_path / "_executed").mkdir()
    write_notebook(tmp_path / "_executed" / "03_1_data.ipynb")
    with pytest.raises(pipeline.BookBuildError, match="chapter\\(s\\) not executed yet: synthetic_model, 03_1b_real_curves"):
        pipeline.build(book_dir=tmp_path)


def test_describe_and_summarize_say_what_happened(tmp_path: Path) -> None:
    records = [
        pipeline.ExecutionRecord("03_1_data", tmp_path / "03_1_data.ipynb", "k", executed=True, seconds=12.34),
        pipeline.ExecutionRecord("03_2_models", tmp_path / "03_2_models.ipynb", "k", False, 754.0, "2026-11-29T17:05:09+01:00"),
        pipeline.ExecutionRecord("04_1_feature_learning", tmp_path / "04_1.ipynb", "k", executed=False, seconds=None),
    ]
    assert [pipeline.describe(record) for record in records] == [
        "03_1_data: executed in 12.3 s",
        "03_2_models: reused (executed in 12 min 34 s on 2026-11-29 17:05)",
        "04_1_feature_learning: reused (execution time not recorded)",
    ]
    assert pipeline.summarize(records) == "3 chapters: 1 executed in 12.3 s, 2 reused"
    assert pipeline.summarize(records[1:]) == "2 chapters: none executed, 2 reused"


def test_command_line_prints_each_chapter_as_it_finishes(
    two_chapters: tuple[Path, Path], fixed_data: None, timed_papermill: TimedPapermill, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from analysis import __main__

    book, out = two_chapters
    printed: list[str] = []
    real_execute = pipeline.execute

    def execute(*args: object, progress: pipeline.ProgressCallback, **kwargs: object) -> list[pipeline.ExecutionRecord]:
        def watch(record: pipeline.ExecutionRecord) -> None:
            progress(record)
            printed.append(capsys.readouterr().out)  # printed as the chapter finishes, not at the end

        return real_execute(["one", "two"], profile="smoke", output_dir=out, book_dir=book, progress=watch)

    monkeypatch.setattr(pipeline, "execute", execute)
    assert __main__.main(["book", "execute", "--profile", "smoke", "--output-dir", str(out)]) == 0
    assert printed == ["one: executed in 2.5 s\n", "two: executed in 4.0 s\n"]
    assert capsys.readouterr().out == f"smoke profile, 2 chapters: 2 executed in 6.5 s, 0 reused; notebooks and times in {out}\n"


# ---------------------------------------------------------------- timing records


def test_execute_records_measured_seconds(two_chapters: tuple[Path, Path], fixed_data: None, timed_papermill: TimedPapermill) -> None:
    book, out = two_chapters
    records = pipeline.execute(["one", "two"], profile="smoke", output_dir=out, book_dir=book)
    assert [(record.executed, record.seconds) for record in records] == [(True, 2.5), (True, 4.0)]

    saved = json.loads((out / "build-times-other.json").read_text())
    assert saved["profile"] == "smoke" and saved["machine"] == MACHINE and saved["total_seconds"] == 6.5
    assert [(entry["chapter"], entry["status"], entry["seconds"], entry["key"]) for entry in saved["chapters"]] == [
        ("one", "executed", 2.5, records[0].key),
        ("two", "executed", 4.0, records[1].key),
    ]
    assert all(entry["machine"] == MACHINE and datetime.fromisoformat(entry["executed_at"]) for entry in saved["chapters"])
    assert datetime.fromisoformat(saved["finished"]) > datetime.fromisoformat(saved["chapters"][-1]["executed_at"])
    beside_key = json.loads((out / "one.timing.json").read_text())
    assert (beside_key["key"], beside_key["seconds"], beside_key["profile"]) == (records[0].key, 2.5, "smoke")
    assert not (out / "build-times-full.json").exists()


def test_reused_chapters_keep_their_measured_seconds(two_chapters: tuple[Path, Path], fixed_data: None, timed_papermill: TimedPapermill) -> None:
    book, out = two_chapters
    first = pipeline.execute(["one", "two"], profile="smoke", output_dir=out, book_dir=book)
    write_notebook(book / "two.ipynb", "y = 3")
    timed_papermill.durations["two"] = 7.0
    second = pipeline.execute(["one", "two"], profile="smoke", output_dir=out, book_dir=book)

    assert [(record.executed, record.seconds) for record in second] == [(False, 2.5), (True, 7.0)]
    assert second[0].executed_at == first[0].executed_at and second[0].machine == MACHINE
    assert pipeline.describe(second[0]) == f"one: reused (executed in 2.5 s on {timings.format_date(first[0].executed_at, with_time=True)})"
    saved = json.loads((out / "build-times-other.json").read_text())
    assert [(entry["status"], entry["seconds"], entry["executed_at"]) for entry in saved["chapters"]] == [
        ("reused", 2.5, first[0].executed_at),
        ("executed", 7.0, second[1].executed_at),
    ]
    assert saved["total_seconds"] == 9.5

    third = pipeline.execute(["one", "two"], profile="smoke", output_dir=out, book_dir=book)
    assert [(record.executed, record.seconds) for record in third] == [(False, 2.5), (False, 7.0)]


def test_reused_chapter_without_its_time_says_so(two_chapters: tuple[Path, Path], fixed_data: None, timed_papermill: TimedPapermill) -> None:
    book, out = two_chapters
    pipeline.execute(["one", "two"], profile="smoke", output_dir=out, book_dir=book)
    (out / "one.timing.json").unlink()
    stale = json.loads((out / "two.timing.json").read_text())
    (out / "two.timing.json").write_text(json.dumps({**stale, "key": "an older key"}))

    records = pipeline.execute(["one", "two"], profile="smoke", output_dir=out, book_dir=book)
    assert [(record.executed, record.seconds) for record in records] == [(False, None), (False, None)]
    assert pipeline.describe(records[0]) == "one: reused (execution time not recorded)"
    saved = json.loads((out / "build-times-other.json").read_text())
    assert [entry["seconds"] for entry in saved["chapters"]] == [None, None]


def test_smoke_run_does_not_overwrite_the_full_record(two_chapters: tuple[Path, Path], fixed_data: None, timed_papermill: TimedPapermill) -> None:
    book, out = two_chapters
    full = pipeline.execute(["one", "two"], profile="full", output_dir=out, book_dir=book)
    full_record = (out / "build-times-full.json").read_bytes()
    assert json.loads(full_record)["profile"] == "full"

    timed_papermill.durations.update(one=0.5, two=0.25)
    smoke = pipeline.execute(["one", "two"], profile="smoke", output_dir=out, book_dir=book)
    assert all(record.executed for record in smoke)  # the profile is part of the key
    assert (out / "build-times-full.json").read_bytes() == full_record
    assert json.loads((out / "build-times-other.json").read_text())["profile"] == "smoke"

    last_full, current = timings.latest_runs(out)
    assert last_full is not None and current is not None
    assert (last_full.profile, [time.seconds for time in last_full.chapters]) == ("full", [2.5, 4.0])
    assert [time.key for time in last_full.chapters] == [record.key for record in full]
    assert (current.profile, current.total_seconds) == ("smoke", 0.75)


def test_full_run_of_some_chapters_keeps_the_others(two_chapters: tuple[Path, Path], fixed_data: None, timed_papermill: TimedPapermill) -> None:
    book, out = two_chapters
    pipeline.execute(["two", "one"], profile="full", output_dir=out, book_dir=book)
    timed_papermill.durations["two"] = 5.0
    pipeline.execute(["two"], profile="full", output_dir=out, book_dir=book, force=True)
    saved = json.loads((out / "build-times-full.json").read_text())
    assert [(entry["chapter"], entry["seconds"]) for entry in saved["chapters"]] == [("two", 5.0), ("one", 2.5)]


def test_failed_run_records_no_run(two_chapters: tuple[Path, Path], fixed_data: None, timed_papermill: TimedPapermill) -> None:
    book, out = two_chapters
    timed_papermill.durations = {"one": 1.0}  # chapter two raises KeyError inside the fake papermill
    with pytest.raises(pipeline.ChapterExecutionError, match="chapter two failed"):
        pipeline.execute(["one", "two"], profile="smoke", output_dir=out, book_dir=book)
    assert sorted(path.name for path in out.iterdir()) == ["one.ipynb", "one.key", "one.timing.json"]


# ------------------------------------------------------------ build-times page


def chapter_time(chapter: str, seconds: float | None, executed: bool, day: int, machine: dict | None = None) -> timings.ChapterTime:
    return timings.ChapterTime(chapter, f"key-{chapter}", executed, seconds, f"2026-11-{day:02d}T10:00:00+01:00", machine or MACHINE)


FULL_RUN = timings.RunRecord(
    "full",
    "2026-11-28T12:00:00+01:00",
    MACHINE,
    (chapter_time("03_1_data", 12.34, True, 28), chapter_time("03_2_models", 3725.0, False, 27)),
)
SMOKE_RUN = timings.RunRecord(
    "smoke",
    "2026-11-30T08:00:00+01:00",
    MACHINE,
    (chapter_time("03_1_data", 3.0, True, 30), chapter_time("03_2_models", 60.25, True, 30)),
)


def test_page_table_shows_the_full_record() -> None:
    text = timings.page_markdown(FULL_RUN, FULL_RUN, linked={"03_1_data"})
    assert text.splitlines() == [
        "The last full build (profile `full`) finished on 2026-11-28; it ran on Test CPU 9000, 4 cores, "
        "4 torch threads, no GPU; Python 3.11.7, torch 2.13.0, Linux x86_64.",
        "",
        "| Chapter | Wall time | In that build | Measured |",
        "| --- | --- | --- | --- |",
        "| {doc}`/_executed/03_1_data` | 12.3 s | executed | 2026-11-28 |",
        "| `03_2_models` | 1 h 02 min | reused | 2026-11-27 |",
        "| **Total** | **1 h 02 min** | | |",
        "",
        'A chapter marked "reused" had not changed since an earlier build, which had executed it; '
        "its time is the one measured then, on the date shown.",
    ]


def test_page_adds_the_profile_and_total_of_a_build_that_is_not_full() -> None:
    text = timings.page_markdown(FULL_RUN, SMOKE_RUN)
    assert "| `03_1_data` | 12.3 s | executed | 2026-11-28 |" in text.splitlines()
    assert text.splitlines()[-1] == (
        "The pages of this copy come from a build with the `smoke` profile, not `full`, "
        "finished on 2026-11-30: 2 chapters, 1 min 03 s of execution in total."
    )


def test_page_says_plainly_when_no_full_build_was_recorded() -> None:
    assert timings.page_markdown(None, None) == timings.NO_FULL_BUILD + "\n"
    text = timings.page_markdown(None, SMOKE_RUN)
    assert text.startswith(timings.NO_FULL_BUILD + "\n")
    assert "|" not in text and "full build (" not in text
    assert "`smoke` profile" in text and "1 min 03 s of execution in total" in text


def test_page_names_chapters_measured_elsewhere_and_missing_times() -> None:
    other = {**MACHINE, "cpu": "Other CPU", "cores": 64}
    run = timings.RunRecord("full", FULL_RUN.finished, MACHINE, (chapter_time("a", 10.0, True, 28), chapter_time("b", None, False, 20, other)))
    lines = timings.page_markdown(run, run).splitlines()
    assert "| `b` | not recorded | reused | 2026-11-20 |" in lines
    assert "| **Total** | **10.0 s (without 1 chapter whose time was not recorded)** | | |" in lines
    assert lines[-1].startswith("The times of `b` were measured on a different setup: Other CPU, 64 cores,")


def test_write_page_renders_the_records_of_a_run(two_chapters: tuple[Path, Path], fixed_data: None, timed_papermill: TimedPapermill) -> None:
    book, out = two_chapters
    pipeline.execute(["one", "two"], profile="smoke", output_dir=out, book_dir=book)
    page = timings.write_page(out, linked={"one"})
    assert page == out / "build-times.md"
    assert page.read_text().startswith(timings.NO_FULL_BUILD)
    assert "`smoke` profile" in page.read_text() and "6.5 s of execution in total" in page.read_text()

    timed_papermill.durations.update(one=65.0, two=0.75)
    pipeline.execute(["one", "two"], profile="full", output_dir=out, book_dir=book)
    lines = timings.write_page(out, linked={"one"}).read_text().splitlines()
    assert "| {doc}`/executed/one` | 1 min 05 s | executed | 2026-11-30 |" in lines
    assert "| `two` | 0.8 s | executed | 2026-11-30 |" in lines
    assert "| **Total** | **1 min 06 s** | | |" in lines
    assert "Test CPU 9000, 4 cores" in lines[0] and not any("`smoke`" in line or "reused" in line for line in lines)


def test_write_page_leaves_an_unchanged_page_alone(tmp_path: Path) -> None:
    page = timings.write_page(tmp_path)
    os.utime(page, ns=(0, 0))
    timings.write_page(tmp_path)
    assert page.stat().st_mtime_ns == 0


def test_a_damaged_record_names_its_file(tmp_path: Path) -> None:
    record = tmp_path / "build-times-full.json"
    record.write_text("{")
    with pytest.raises(ValueError, match=re.escape(str(record)) + ": not valid JSON"):
        timings.write_page(tmp_path)
    record.write_text(json.dumps({"profile": "full", "finished": "yesterday", "chapters": []}))
    with pytest.raises(ValueError, match=re.escape(str(record)) + ": finished 'yesterday' is not an ISO 8601 time"):
        timings.latest_runs(tmp_path)
    record.write_text(json.dumps({"profile": "full", "finished": FULL_RUN.finished, "chapters": [{"chapter": "a", "key": "k", "status": "done", "seconds": 1}]}))
    with pytest.raises(ValueError, match=re.escape(str(record)) + ": chapter a: status 'done'"):
        timings.latest_runs(tmp_path)


def test_build_writes_the_page_before_jupyter_book_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for chapter in pipeline.CHAPTERS:
        write_notebook(tmp_path / "_executed" / f"{chapter}.ipynb")
    timings.write_run(tmp_path / "_executed", FULL_RUN)
    seen: list[str] = []

    def jupyter_book(command: list[str], **kwargs: object) -> subprocess.CompletedProcess:
        seen.append((tmp_path / "_executed" / "build-times.md").read_text())
        return subprocess.CompletedProcess(command, 0, stdout="")

    monkeypatch.setattr(pipeline, "jupyter_book_command", lambda: ["jupyter-book"])
    monkeypatch.setattr(pipeline.subprocess, "run", jupyter_book)
    assert pipeline.build(book_dir=tmp_path) == tmp_path / "_build" / "html"
    assert "| {doc}`/_executed/03_1_data` | 12.3 s | executed | 2026-11-28 |" in seen[0].splitlines()


def test_format_duration_reads_well_at_every_scale() -> None:
    assert [timings.format_duration(seconds) for seconds in (0.04, 12.34, 59.96, 245, 3599.6, 11_530)] == [
        "0.0 s",
        "12.3 s",
        "1 min 00 s",
        "4 min 05 s",
        "1 h 00 min",
        "3 h 12 min",
    ]


def test_machine_description_names_processor_cores_threads_and_python(tmp_path: Path) -> None:
    import torch

    machine = timings.describe_machine()
    assert machine["python"] == platform.python_version() and machine["torch"] == torch.__version__
    assert machine["cores"] >= 1 and machine["torch_threads"] == torch.get_num_threads() and machine["cpu"]
    line = timings.machine_line(machine)
    assert f"{machine['cores']} cores, {machine['torch_threads']} torch threads" in line and f"Python {machine['python']}" in line
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nvendor_id\t: Test\nmodel name\t: Test CPU 9000 @ 3.0GHz\n")
    assert timings.cpu_model(cpuinfo) == "Test CPU 9000 @ 3.0GHz"
    assert timings.cpu_model(tmp_path / "absent") == (platform.processor() or platform.machine() or "unknown processor")


def test_command_line_lists_book_commands() -> None:
    from analysis.__main__ import build_parser

    arguments = build_parser().parse_args(["book", "execute", "--profile", "smoke", "--chapters", "03_1_data", "--force"])
    assert (arguments.profile, arguments.chapters, arguments.force) == ("smoke", ["03_1_data"], True)
    arguments = build_parser().parse_args(["book", "build"])
    assert (arguments.builder, arguments.allow_warnings) == ("html", False)
    with pytest.raises(SystemExit):
        build_parser().parse_args(["book", "execute", "--chapters", "99_unknown"])


def test_fold_parameter_cells_is_idempotent(tmp_path: Path) -> None:
    path = write_notebook(tmp_path / "chapter.ipynb", "x = 1")
    pipeline.fold_parameter_cells(path)
    pipeline.fold_parameter_cells(path)
    cells = nbformat.read(path, as_version=4).cells
    assert cells[0].metadata["tags"] == ["parameters", "hide-input"]
    assert "tags" not in cells[1].metadata
