"""Execute the notebook chapters with papermill, then build the book.

Jupyter Book never executes anything itself (``execute_notebooks: "off"``):
each chapter ``book/<name>.ipynb`` is run here, with its run profile as a
papermill parameter, into ``book/_executed/<name>.ipynb``, which is what the
table of contents points at. A chapter is re-executed only when something it
depends on changed. That is recorded as a key next to the executed notebook:
a SHA-256 over the notebook source, the parameters, every module of the
``analysis`` package, the data the chapter will read and the package
version. Each run also records how long every chapter took
(:mod:`analysis.book.timings`), and the book shows the last full build's
times.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis import __version__, paths
from analysis.book import timings
from analysis.files import write_atomically
from analysis.config import PROFILES

CHAPTERS: tuple[str, ...] = (
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
KERNEL_NAME = "latent-motion"
# Builders whose output lands in ``_build/<name>`` and needs no network.
BUILDERS: tuple[str, ...] = ("html", "dirhtml", "singlehtml")
LOG_TAIL_LINES = 60
# Cells folded in the book (the chapter header already states the run settings).
FOLDED_CELL_TAGS: tuple[str, ...] = ("parameters", "injected-parameters")
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

logger = logging.getLogger(__name__)


class ChapterExecutionError(RuntimeError):
    """A chapter notebook raised; nothing was left under its output name."""


class BookBuildError(RuntimeError):
    """``jupyter-book build`` failed (with -W: it warned)."""


@dataclass(frozen=True)
class ExecutionRecord:
    """What :func:`execute` did for one chapter.

    ``seconds`` is always a measured wall time: this run's for an executed
    chapter, the one recorded when the reused notebook was executed for a
    skipped chapter (``None`` only if that was never recorded).
    """

    chapter: str
    notebook: Path  # the executed notebook
    key: str
    executed: bool  # False: skipped (reused), the executed notebook was up to date
    seconds: float | None
    executed_at: str | None = None  # when the execution behind the notebook finished (ISO 8601)
    machine: timings.Machine | None = field(default=None, compare=False)

    def timing(self) -> timings.ChapterTime:
        return timings.ChapterTime(self.chapter, self.key, self.executed, self.seconds, self.executed_at, self.machine)


ProgressCallback = Callable[[ExecutionRecord], None]


# --------------------------------------------------------------------------- keys


def chapter_parameters(profile: str, parameters: dict[str, Any] | None = None) -> dict[str, Any]:
    """The papermill parameters of a run: the profile plus any overrides."""
    return {"profile": profile, **(parameters or {})}


def directory_fingerprint(directory: Path) -> str:
    """Names, sizes and modification times of the files directly in ``directory``.

    Cheap to compute for gigabytes of curves, and changes whenever a file is
    replaced, added or removed.
    """
    if not directory.is_dir():
        return f"{directory}: absent"
    entries = []
    for path in sorted(directory.iterdir()):
        if path.is_file():
            status = path.stat()
            entries.append(f"{path.name}\t{status.st_size}\t{status.st_mtime_ns}")
    return f"{directory}\n" + "\n".join(entries)


def resolve_source(parameters: dict[str, Any]) -> Any:
    """The :class:`analysis.data.source.DataSource` a chapter run with ``parameters`` reads.

    Mirrors :func:`analysis.sae.study.prepare`: ``data_dir`` and ``download``
    come from the parameters, the seed from the profile's ``data_seed``
    unless the parameters override it.
    """
    from analysis.data import source

    profile = PROFILES[parameters.get("profile", "full")]
    seed = parameters.get("data_seed")
    return source.resolve(
        data_dir=parameters.get("data_dir"),
        download=parameters.get("download"),
        seed=profile.data_seed if seed is None else int(seed),
    )


def data_fingerprint(parameters: dict[str, Any]) -> str:
    """Identity of the data a chapter run with ``parameters`` will read.

    Real data are identified by their files. A synthetic cohort lives in a
    cache folder named after everything that shapes it (generator version,
    seed, digest of the real structure it copies), so that name identifies
    it and a regenerated cache does not force re-execution.
    """
    data_source = resolve_source(parameters)
    identity = [
        f"kind={data_source.kind}",
        f"label={data_source.label}",
        f"synthetic={data_source.is_synthetic}",
        f"real_structure={data_source.real_structure}",
        f"seed={data_source.seed}",
    ]
    if data_source.is_synthetic:
        identity.append(f"cohort={Path(data_source.directory).name}")
    else:
        identity.append("files=" + directory_fingerprint(Path(data_source.directory)))
    return "\n".join(identity)


def code_fingerprint() -> str:
    """Digest of every module of the package (what chapters import)."""
    digest = hashlib.sha256()
    for path in sorted(paths.PACKAGE_DIR.rglob("*.py")):
        digest.update(path.relative_to(paths.PACKAGE_DIR).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def chapter_key(notebook: Path, parameters: dict[str, Any], data: str, code: str | None = None) -> str:
    """SHA-256 of everything an executed chapter depends on."""
    digest = hashlib.sha256()
    for label, content in (
        ("notebook", Path(notebook).read_bytes()),
        ("parameters", json.dumps(parameters, sort_keys=True, default=str).encode()),
        ("code", (code if code is not None else code_fingerprint()).encode()),
        ("data", data.encode()),
        ("version", __version__.encode()),
    ):
        digest.update(label.encode() + b"\0" + content + b"\0")
    return digest.hexdigest()


# ------------------------------------------------------------------------ kernel


def kernel_spec() -> dict[str, Any]:
    """ipykernel's own spec, pinned to the interpreter that runs this code."""
    from ipykernel.kernelspec import get_kernel_dict

    spec = get_kernel_dict()
    spec["argv"] = [sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec["display_name"] = "Python (latent-motion)"
    return spec


@contextlib.contextmanager
def project_kernel() -> Iterator[str]:
    """Make :data:`KERNEL_NAME` findable by papermill while the block runs.

    The spec lives in the cache rather than in a user's Jupyter folders, so
    running the book never changes the user's Jupyter installation, and a
    ``python3`` kernel registered elsewhere cannot be picked by mistake.
    """
    jupyter_dir = paths.cache_dir() / "jupyter"
    spec_file = jupyter_dir / "kernels" / KERNEL_NAME / "kernel.json"
    content = json.dumps(kernel_spec(), indent=1).encode()
    if not spec_file.is_file() or spec_file.read_bytes() != content:
        write_atomically(spec_file, content)
    previous = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(jupyter_dir), previous]))
    try:
        yield KERNEL_NAME
    finally:
        if previous is None:
            os.environ.pop("JUPYTER_PATH", None)
        else:
            os.environ["JUPYTER_PATH"] = previous


# --------------------------------------------------------------------- execution


def _run_papermill(notebook: Path, output: Path, parameters: dict[str, Any], kernel: str, cwd: Path) -> None:
    import papermill

    papermill.execute_notebook(
        str(notebook),
        str(output),
        parameters=parameters,
        kernel_name=kernel,
        cwd=str(cwd),
        progress_bar=False,
        request_save_on_cell_execute=False,
    )


def fold_parameter_cells(notebook_path: Path) -> None:
    """Fold the parameter cells of an executed chapter behind a toggle."""
    import nbformat

    notebook = nbformat.read(notebook_path, as_version=4)
    for cell in notebook.cells:
        tags = list(cell.metadata.get("tags", []))
        if any(tag in tags for tag in FOLDED_CELL_TAGS) and "hide-input" not in tags:
            cell.metadata["tags"] = [*tags, "hide-input"]
    nbformat.write(notebook, notebook_path)


def _describe_failure(chapter: str, notebook: Path, error: BaseException) -> str:
    from papermill.exceptions import PapermillExecutionError

    if isinstance(error, PapermillExecutionError):
        return (
            f"chapter {chapter} failed ({notebook}, cell {error.exec_count}): "
            f"{error.ename}: {error.evalue}\n{ANSI_ESCAPE.sub('', str(error))}"
        )
    return f"chapter {chapter} failed ({notebook}): {type(error).__name__}: {error}"


def execute(
    chapters: Iterable[str] = CHAPTERS,
    profile: str = "full",
    output_dir: Path = paths.EXECUTED_DIR,
    parameters: dict[str, Any] | None = None,
    force: bool = False,
    book_dir: Path = paths.BOOK_DIR,
    progress: ProgressCallback | None = None,
) -> list[ExecutionRecord]:
    """Execute ``book_dir/<chapter>.ipynb`` into ``output_dir/<chapter>.ipynb``.

    Chapters run in the given order with ``book_dir`` as working directory.
    A chapter whose key file matches is skipped unless ``force``. The first
    failing chapter raises :class:`ChapterExecutionError`; its previous
    executed notebook and key are removed so the book cannot show stale
    results under a new configuration.

    ``progress`` receives each chapter's record as soon as the chapter is
    done (default: log :func:`describe`), so a long run shows where it is.
    When every chapter is done the run's times are recorded in
    ``output_dir`` (:func:`analysis.book.timings.write_run`).
    """
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose one of {sorted(PROFILES)}")
    chapters = list(chapters)
    book_dir, output_dir = Path(book_dir), Path(output_dir)
    sources = {chapter: book_dir / f"{chapter}.ipynb" for chapter in chapters}
    missing = [str(path) for path in sources.values() if not path.is_file()]
    if missing:
        raise FileNotFoundError(f"chapter notebook(s) not found: {', '.join(missing)}")

    run_parameters = chapter_parameters(profile, parameters)
    data = data_fingerprint(run_parameters)
    code = code_fingerprint()
    machine = timings.describe_machine()
    output_dir.mkdir(parents=True, exist_ok=True)
    report = progress or (lambda record: logger.info("%s", describe(record)))
    records: list[ExecutionRecord] = []
    with project_kernel() as kernel:
        context = _RunContext(output_dir, run_parameters, data, code, kernel, force, book_dir, machine)
        for chapter in chapters:
            record = _execute_chapter(chapter, sources[chapter], context)
            records.append(record)
            report(record)
    run = timings.RunRecord(profile, timings.now(), machine, tuple(record.timing() for record in records))
    timings.write_run(output_dir, run, order=CHAPTERS)
    return records


@dataclass(frozen=True)
class _RunContext:
    """What every chapter of one :func:`execute` call shares."""

    output_dir: Path
    parameters: dict[str, Any]
    data: str
    code: str
    kernel: str
    force: bool
    cwd: Path
    machine: timings.Machine


def _execute_chapter(chapter: str, notebook: Path, run: _RunContext) -> ExecutionRecord:
    output = run.output_dir / f"{chapter}.ipynb"
    key_file = run.output_dir / f"{chapter}.key"
    key = chapter_key(notebook, run.parameters, run.data, run.code)
    if not run.force and output.is_file() and key_file.is_file() and key_file.read_text().strip() == key:
        measured = timings.read_chapter_timing(run.output_dir, chapter, key)
        if measured is None:
            return ExecutionRecord(chapter, output, key, executed=False, seconds=None)
        return ExecutionRecord(chapter, output, key, False, measured.seconds, measured.executed_at, measured.machine)

    logger.debug("%s: executing", chapter)
    # The key goes first so that an interrupted run can never leave a fresh
    # key beside an old notebook; the notebook itself appears only when done,
    # then its measured time, then the key that makes it reusable.
    key_file.unlink(missing_ok=True)
    timings.timing_path(run.output_dir, chapter).unlink(missing_ok=True)
    handle, name = tempfile.mkstemp(dir=run.output_dir, prefix=f".{chapter}.", suffix=".ipynb")
    os.close(handle)
    partial = Path(name)
    started = time.perf_counter()
    try:
        _run_papermill(notebook, partial, run.parameters, run.kernel, run.cwd)
        fold_parameter_cells(partial)
    except BaseException as error:
        partial.unlink(missing_ok=True)
        output.unlink(missing_ok=True)
        if isinstance(error, Exception):
            raise ChapterExecutionError(_describe_failure(chapter, notebook, error)) from error
        raise
    os.replace(partial, output)
    seconds = time.perf_counter() - started
    record = ExecutionRecord(chapter, output, key, True, seconds, timings.now(), run.machine)
    timings.write_chapter_timing(run.output_dir, record.timing(), run.parameters["profile"])
    write_atomically(key_file, (key + "\n").encode())
    return record


# -------------------------------------------------------------------------- build


def jupyter_book_command() -> list[str]:
    """The ``jupyter-book`` of this interpreter's environment."""
    beside = Path(sys.executable).with_name("jupyter-book")
    if beside.is_file():
        return [str(beside)]
    found = shutil.which("jupyter-book")
    if found:
        return [found]
    raise FileNotFoundError("jupyter-book is not installed; install the book extra: pip install -e '.[book]'")


def build(builder: str = "html", warnings_as_errors: bool = True, book_dir: Path = paths.BOOK_DIR) -> Path:
    """Build the book from the executed chapters; returns the output folder.

    With ``warnings_as_errors`` every Sphinx warning (including unresolved
    references, ``-n``) fails the build, after reporting all of them.
    """
    if builder not in BUILDERS:
        raise ValueError(f"unknown builder {builder!r}; choose one of {list(BUILDERS)}")
    book_dir = Path(book_dir)
    executed_dir = book_dir / "_executed"
    missing = [chapter for chapter in CHAPTERS if not (executed_dir / f"{chapter}.ipynb").is_file()]
    if missing:
        raise BookBuildError(
            f"chapter(s) not executed yet: {', '.join(missing)} (expected in {executed_dir}); "
            "run `python -m analysis book execute` first"
        )
    # The "Build times" page includes this file; it is written from the run
    # records on every build, so it always matches the chapters being built.
    timings.write_page(executed_dir, linked=CHAPTERS)
    command = [*jupyter_book_command(), "build", str(book_dir), "--builder", builder]
    if warnings_as_errors:
        command += ["-W", "--keep-going", "-n"]
    logger.info("running %s", " ".join(command))
    completed = subprocess.run(
        command,
        cwd=book_dir.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        tail = "\n".join(completed.stdout.splitlines()[-LOG_TAIL_LINES:])
        raise BookBuildError(f"jupyter-book build {book_dir} failed (exit {completed.returncode}):\n{tail}")
    return book_dir / "_build" / builder


def describe(record: ExecutionRecord) -> str:
    """The line printed when a chapter is done: its wall time and whether it was reused."""
    if record.executed:
        return f"{record.chapter}: executed in {timings.format_duration(record.seconds or 0.0)}"
    if record.seconds is None:
        return f"{record.chapter}: reused (execution time not recorded)"
    when = timings.format_date(record.executed_at, with_time=True)
    return f"{record.chapter}: reused (executed in {timings.format_duration(record.seconds)} on {when})"


def summarize(records: Sequence[ExecutionRecord]) -> str:
    """One closing line for the command line (the chapters were reported as they finished)."""
    executed = [record for record in records if record.executed]
    reused = len(records) - len(executed)
    seconds = sum(record.seconds or 0.0 for record in executed)
    count = f"{len(records)} chapter{'s' if len(records) != 1 else ''}"
    ran = f"{len(executed)} executed in {timings.format_duration(seconds)}" if executed else "none executed"
    return f"{count}: {ran}, {reused} reused"
