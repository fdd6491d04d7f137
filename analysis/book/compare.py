"""What changed between two builds: every glued number and text, chapter by chapter.

A refactoring must leave the book's results alone, and a change of method
should change exactly the numbers it means to. Comparing the glued values
of two folders of executed chapters (``book/_executed`` of two builds) says
which; figures are compared by the SHA-256 of their PNG data.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

TEXT_KEYS = ("text/plain", "text/markdown")


@dataclass(frozen=True)
class Comparison:
    """Glued values and figures of two builds, keyed ``chapter/name`` and ``chapter#index``."""

    before: dict[str, str]
    after: dict[str, str]
    figures_before: dict[str, str]
    figures_after: dict[str, str]

    @property
    def changed(self) -> list[str]:
        return sorted(key for key in set(self.before) & set(self.after) if self.before[key] != self.after[key])

    @property
    def missing(self) -> list[str]:
        return sorted(set(self.before) - set(self.after))

    @property
    def added(self) -> list[str]:
        return sorted(set(self.after) - set(self.before))

    @property
    def changed_figures(self) -> list[str]:
        keys = set(self.figures_before) | set(self.figures_after)
        return sorted(key for key in keys if self.figures_before.get(key) != self.figures_after.get(key))

    def report(self, limit: int = 50) -> str:
        lines = [
            f"glued values: {len(self.before)} before, {len(self.after)} after; "
            f"{len(self.changed)} changed, {len(self.missing)} gone, {len(self.added)} new",
            f"figures: {len(self.figures_before)} before, {len(self.figures_after)} after; "
            f"{len(self.changed_figures)} differ",
        ]
        lines += [f"  changed {key}: {self.before[key]} -> {self.after[key]}" for key in self.changed[:limit]]
        lines += [f"  gone {key}" for key in self.missing[:limit]]
        lines += [f"  new {key}: {self.after[key]}" for key in self.added[:limit]]
        lines += [f"  figure differs {key}" for key in self.changed_figures[:limit]]
        return "\n".join(lines)


def _notebooks(directory: Path) -> list[Path]:
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"no folder of executed chapters at {directory}")
    notebooks = sorted(directory.glob("*.ipynb"))
    if not notebooks:
        raise FileNotFoundError(f"{directory} holds no executed chapter (*.ipynb)")
    return notebooks


def read_build(directory: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Glued values (``chapter/name`` → the text the book shows) and figure digests
    (``chapter#position`` → SHA-256 of the PNG data) of the chapters in ``directory``,
    each notebook read once."""
    values: dict[str, str] = {}
    digests: dict[str, str] = {}
    for path in _notebooks(directory):
        notebook = json.loads(path.read_text())
        position = 0
        for index, cell in enumerate(notebook["cells"]):
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                image = data.get("image/png")
                if image:
                    payload = "".join(image) if isinstance(image, list) else image
                    digests[f"{path.stem}#{position}"] = hashlib.sha256(payload.encode()).hexdigest()
                    position += 1
                name = output.get("metadata", {}).get("scrapbook", {}).get("name")
                if not name:
                    continue
                texts = [value for key, value in sorted(data.items()) if key.endswith(TEXT_KEYS)]
                if not texts:
                    raise ValueError(f"{path}, cell {index}: glued value {name!r} has no text ({sorted(data)})")
                text = texts[0]
                values[f"{path.stem}/{name}"] = "".join(text) if isinstance(text, list) else str(text)
    return values, digests


def glued_values(directory: Path) -> dict[str, str]:
    """Every glued value of the executed chapters in ``directory``, as the text the book shows."""
    return read_build(directory)[0]


def compare(before: Path, after: Path) -> Comparison:
    (values_before, figures_before), (values_after, figures_after) = read_build(before), read_build(after)
    return Comparison(values_before, values_after, figures_before, figures_after)
