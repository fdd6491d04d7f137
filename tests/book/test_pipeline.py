"""The chapter runner: keys, skipping, failures, the kernel, the build guard."""

from __future__ import annotations

import json
import os
import sys
import types
from pathlib import Path

import nbformat
import pytest

import analysis
import analysis.data
from analysis.book import pipeline


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


# ---------------------------------------------------------------------- keys


def test_chapters_are_in_book_order() -> None:
    assert pipeline.CHAPTERS == (
        "03_1_data",
        "03_2_models",
        "04_1_feature_learning",
        "04_2_latent_space",
        "04_3_metadata",
        "04_4_importance",
        "04_5_comparison",
        "05_discussion",
        "07_conclusion",
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
        return content + b"# changed\n" if path.name == "config.py" else content

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
    assert sorted(path.name for path in out.iterdir()) == ["chapter.ipynb", "chapter.key"]


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
    assert sorted(path.name for path in out.iterdir()) == ["good.ipynb", "good.key"]


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
    with pytest.raises(pipeline.BookBuildError, match="chapter\\(s\\) not executed yet: 03_2_models, 04_1_feature_learning"):
        pipeline.build(book_dir=tmp_path)


def test_summarize_says_what_happened(tmp_path: Path) -> None:
    records = [
        pipeline.ExecutionRecord("03_1_data", tmp_path / "03_1_data.ipynb", "k", executed=True, seconds=2.25),
        pipeline.ExecutionRecord("03_2_models", tmp_path / "03_2_models.ipynb", "k", executed=False, seconds=0.0),
    ]
    assert pipeline.summarize(records).splitlines() == [
        f"03_1_data: executed in 2.2 s -> {tmp_path / '03_1_data.ipynb'}",
        f"03_2_models: up to date -> {tmp_path / '03_2_models.ipynb'}",
    ]


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
