"""How long each chapter took to execute: recorded per run, shown in the book.

A reader who wants to rebuild the book needs to know how long the full build
takes and on what kind of machine; whoever runs ``make book`` wants each
chapter's time as it finishes. :func:`analysis.book.pipeline.execute`
measures the times and keeps them in the folder of executed notebooks
(ignored by git):

* ``<chapter>.timing.json`` beside ``<chapter>.key``: the wall time of the
  execution that produced the current notebook, so that a later run which
  reuses the chapter still reports a measured time rather than zero;
* ``build-times-full.json``: the last run with the ``full`` profile;
* ``build-times-other.json``: the last run with any other profile, kept apart
  so that a quick build never replaces the full build's times.

:func:`write_page` turns the two run records into ``build-times.md``, which
the book's "Build times" page includes.
"""

from __future__ import annotations

import json
import logging
import os
import platform
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from analysis.files import write_atomically

FULL_PROFILE = "full"
FORMAT = 1
TIMING_SUFFIX = ".timing.json"
FULL_RECORD = "build-times-full.json"
OTHER_RECORD = "build-times-other.json"
PAGE_FILE = "build-times.md"
CPUINFO = Path("/proc/cpuinfo")
NO_FULL_BUILD = (
    "No full build of this book has been recorded on the machine that built these pages yet, "
    "so there are no full-build times to show."
)

logger = logging.getLogger(__name__)

Machine = dict[str, Any]


@dataclass(frozen=True)
class ChapterTime:
    """One chapter of a run: the measured wall time of the execution behind its notebook."""

    chapter: str
    key: str
    executed: bool  # False: the run reused the notebook of an earlier execution
    seconds: float | None  # None only when that execution's time was never recorded
    executed_at: str | None  # when that execution finished (ISO 8601)
    machine: Machine | None  # where that execution ran (see describe_machine)


@dataclass(frozen=True)
class RunRecord:
    """One ``book execute`` run: its profile, when it finished, where, and every chapter."""

    profile: str
    finished: str
    machine: Machine
    chapters: tuple[ChapterTime, ...]

    @property
    def total_seconds(self) -> float:
        """Execution time of all chapters with a recorded time (reused ones included)."""
        return sum(chapter.seconds for chapter in self.chapters if chapter.seconds is not None)

    @property
    def unmeasured(self) -> list[str]:
        return [chapter.chapter for chapter in self.chapters if chapter.seconds is None]


# ----------------------------------------------------------------- machine, time


def now() -> str:
    """The current local time with its UTC offset, to the second."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


def cpu_model(cpuinfo: Path = CPUINFO) -> str:
    """The processor's marketing name (Linux ``model name``), else what ``platform`` knows."""
    try:
        for line in cpuinfo.read_text(errors="replace").splitlines():
            name, _, value = line.partition(":")
            if name.strip() in {"model name", "Model", "cpu model"} and value.strip():
                return value.strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown processor"


def describe_machine() -> Machine:
    """What the chapters ran on: enough to compare build times, nothing that identifies a host."""
    import torch

    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 0
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    return {
        "cpu": cpu_model(),
        "cores": cores,
        "torch_threads": torch.get_num_threads(),
        "gpu": gpu,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "system": f"{platform.system()} {platform.machine()}".strip(),
    }


def machine_line(machine: Machine | None) -> str:
    """One line for a reader, e.g. ``AMD EPYC, 2 cores, 2 torch threads, no GPU; Python 3.11.7, torch 2.13.0, Linux x86_64``."""
    if not machine:
        return "an unrecorded machine"
    gpu = machine.get("gpu") or "no GPU"
    return (
        f"{machine.get('cpu', 'unknown processor')}, {machine.get('cores', '?')} cores, "
        f"{machine.get('torch_threads', '?')} torch threads, {gpu}; "
        f"Python {machine.get('python', '?')}, torch {machine.get('torch', '?')}, {machine.get('system', '?')}"
    )


def format_duration(seconds: float) -> str:
    """``12.3 s``, ``4 min 05 s`` or ``3 h 12 min``: readable at every scale."""
    if round(seconds, 1) < 60:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    if whole < 3600:
        minutes, rest = divmod(whole, 60)
        return f"{minutes} min {rest:02d} s"
    hours, rest = divmod(whole, 3600)
    return f"{hours} h {rest // 60:02d} min"


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def format_date(value: str | None, with_time: bool = False) -> str:
    """The date (and time to the minute) of an ISO 8601 time, as it was recorded."""
    if not value:
        return "unknown date"
    return _parse_time(value).strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")


# ----------------------------------------------------------- per-chapter files


def timing_path(output_dir: Path, chapter: str) -> Path:
    return Path(output_dir) / f"{chapter}{TIMING_SUFFIX}"


def write_chapter_timing(output_dir: Path, time: ChapterTime, profile: str) -> Path:
    """Keep the measured time beside the chapter's key, for runs that reuse the notebook."""
    path = timing_path(output_dir, time.chapter)
    content = {"format": FORMAT, "profile": profile, **_chapter_json(time)}
    write_atomically(path, (json.dumps(content, indent=1) + "\n").encode())
    return path


def read_chapter_timing(output_dir: Path, chapter: str, key: str) -> ChapterTime | None:
    """The recorded execution of ``chapter`` under ``key``, as a reused chapter; ``None`` if unknown.

    An unreadable file only costs the time of one chapter, so it is reported
    and ignored rather than stopping the run.
    """
    path = timing_path(output_dir, chapter)
    if not path.is_file():
        return None
    try:
        recorded = _chapter_from_json(json.loads(path.read_text()), path)
    except (OSError, ValueError) as error:
        logger.warning("ignoring unreadable chapter timing %s: %s", path, error)
        return None
    if recorded.key != key or recorded.chapter != chapter:
        return None
    return ChapterTime(chapter, key, False, recorded.seconds, recorded.executed_at, recorded.machine)


# ------------------------------------------------------------------ run records


def record_path(directory: Path, profile: str) -> Path:
    """Where the last run of ``profile`` is kept: the full profile apart from all others."""
    return Path(directory) / (FULL_RECORD if profile == FULL_PROFILE else OTHER_RECORD)


def _chapter_json(time: ChapterTime) -> dict[str, Any]:
    return {
        "chapter": time.chapter,
        "key": time.key,
        "status": "executed" if time.executed else "reused",
        "seconds": None if time.seconds is None else round(time.seconds, 3),
        "executed_at": time.executed_at,
        "machine": time.machine,
    }


def _chapter_from_json(data: Any, source: Path) -> ChapterTime:
    if not isinstance(data, dict):
        raise ValueError(f"{source}: a chapter entry must be a JSON object, got {type(data).__name__}")
    missing = [name for name in ("chapter", "key", "status", "seconds") if name not in data]
    if missing:
        raise ValueError(f"{source}: chapter entry without {', '.join(missing)}")
    if data["status"] not in {"executed", "reused"}:
        raise ValueError(f"{source}: chapter {data['chapter']}: status {data['status']!r} is neither 'executed' nor 'reused'")
    seconds = data["seconds"]
    if seconds is not None and (not isinstance(seconds, (int, float)) or seconds < 0):
        raise ValueError(f"{source}: chapter {data['chapter']}: seconds must be a non-negative number, got {seconds!r}")
    return ChapterTime(
        chapter=str(data["chapter"]),
        key=str(data["key"]),
        executed=data["status"] == "executed",
        seconds=None if seconds is None else float(seconds),
        executed_at=data.get("executed_at"),
        machine=data.get("machine"),
    )


def run_json(record: RunRecord) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "profile": record.profile,
        "finished": record.finished,
        "machine": record.machine,
        "total_seconds": round(record.total_seconds, 3),
        "chapters": [_chapter_json(chapter) for chapter in record.chapters],
    }


def read_run(path: Path) -> RunRecord | None:
    """The run recorded in ``path``; ``None`` when there is none yet."""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
    except ValueError as error:
        raise ValueError(f"{path}: not valid JSON ({error}); delete it, the next `book execute` writes it again") from error
    if not isinstance(data, dict) or not all(name in data for name in ("profile", "finished", "chapters")):
        raise ValueError(f"{path}: not a build-time record (needs profile, finished and chapters)")
    try:
        _parse_time(data["finished"])
    except (TypeError, ValueError) as error:
        raise ValueError(f"{path}: finished {data['finished']!r} is not an ISO 8601 time") from error
    return RunRecord(
        profile=str(data["profile"]),
        finished=data["finished"],
        machine=data.get("machine") or {},
        chapters=tuple(_chapter_from_json(entry, path) for entry in data["chapters"]),
    )


def _ordered(chapters: Iterable[ChapterTime], order: Sequence[str]) -> tuple[ChapterTime, ...]:
    rank = {name: index for index, name in enumerate(order)}
    indexed = sorted(enumerate(chapters), key=lambda item: (rank.get(item[1].chapter, len(rank)), item[0]))
    return tuple(time for _, time in indexed)


def write_run(directory: Path, record: RunRecord, order: Sequence[str] = ()) -> Path:
    """Keep ``record`` as the last run of its profile; returns the file.

    A run of only some chapters keeps the other chapters of the previous
    record of the same profile, so that the table of the full build stays
    complete; ``order`` (the book's chapter order) sorts the entries.
    """
    path = record_path(directory, record.profile)
    previous = read_run(path)
    chapters = list(record.chapters)
    if previous is not None and previous.profile == record.profile:
        ran = {chapter.chapter for chapter in chapters}
        chapters += [chapter for chapter in previous.chapters if chapter.chapter not in ran]
    merged = RunRecord(record.profile, record.finished, record.machine, _ordered(chapters, order))
    write_atomically(path, (json.dumps(run_json(merged), indent=1) + "\n").encode())
    return path


def latest_runs(directory: Path) -> tuple[RunRecord | None, RunRecord | None]:
    """The last full run and the last run of any profile (``None`` where there is none)."""
    full = read_run(record_path(directory, FULL_PROFILE))
    other = read_run(Path(directory) / OTHER_RECORD)
    recorded = [record for record in (full, other) if record is not None]
    current = max(recorded, key=lambda record: _parse_time(record.finished), default=None)
    return full, current


# ------------------------------------------------------------------------ page


def _chapter_label(chapter: str, linked: Collection[str], doc_prefix: str) -> str:
    return f"{{doc}}`{doc_prefix}{chapter}`" if chapter in linked else f"`{chapter}`"


def _total(record: RunRecord) -> str:
    total = format_duration(record.total_seconds)
    missing = len(record.unmeasured)
    if missing:
        total += f" (without {missing} chapter{'s' if missing > 1 else ''} whose time was not recorded)"
    return total


def _full_table(record: RunRecord, linked: Collection[str], doc_prefix: str) -> list[str]:
    lines = [
        f"The last full build (profile `{record.profile}`) finished on {format_date(record.finished)}; "
        f"it ran on {machine_line(record.machine)}.",
        "",
        "| Chapter | Wall time | In that build | Measured |",
        "| --- | --- | --- | --- |",
    ]
    for chapter in record.chapters:
        wall = "not recorded" if chapter.seconds is None else format_duration(chapter.seconds)
        state = "executed" if chapter.executed else "reused"
        lines.append(f"| {_chapter_label(chapter.chapter, linked, doc_prefix)} | {wall} | {state} | {format_date(chapter.executed_at)} |")
    lines.append(f"| **Total** | **{_total(record)}** | | |")
    if not all(chapter.executed for chapter in record.chapters):
        lines += [
            "",
            "A chapter marked \"reused\" had not changed since an earlier build, which had executed it; "
            "its time is the one measured then, on the date shown.",
        ]
    elsewhere: dict[str, list[str]] = {}
    for chapter in record.chapters:
        if chapter.machine and chapter.machine != record.machine:
            elsewhere.setdefault(machine_line(chapter.machine), []).append(f"`{chapter.chapter}`")
    for line, chapters in elsewhere.items():
        lines += ["", f"The times of {', '.join(chapters)} were measured on a different setup: {line}."]
    return lines


def page_markdown(
    full: RunRecord | None,
    current: RunRecord | None,
    linked: Collection[str] = (),
    doc_prefix: str = "/_executed/",
) -> str:
    """The build-time table of the last full run, and this build's profile when it is not full.

    Chapters in ``linked`` become links to ``{doc_prefix}<chapter>`` (their
    page titles); others are shown by name.
    """
    lines = _full_table(full, linked, doc_prefix) if full is not None else [NO_FULL_BUILD]
    if current is not None and current.profile != FULL_PROFILE:
        count = len(current.chapters)
        lines += [
            "",
            f"The pages of this copy come from a build with the `{current.profile}` profile, not `{FULL_PROFILE}`, "
            f"finished on {format_date(current.finished)}: {count} chapter{'s' if count != 1 else ''}, "
            f"{_total(current)} of execution in total.",
        ]
    return "\n".join(lines) + "\n"


def write_page(directory: Path, linked: Collection[str] = ()) -> Path:
    """Write ``build-times.md`` into ``directory`` from the run records there.

    The file is rewritten only when its text changes, so that an unchanged
    table does not make Sphinx rebuild the page that includes it.
    """
    directory = Path(directory)
    full, current = latest_runs(directory)
    text = page_markdown(full, current, linked, doc_prefix=f"/{directory.name}/")
    path = directory / PAGE_FILE
    if not path.is_file() or path.read_text() != text:
        write_atomically(path, text.encode())
    return path
