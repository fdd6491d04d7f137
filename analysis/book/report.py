"""What every chapter shows first, and safe wrappers around ``myst_nb.glue``.

A reader of any results page must be able to tell, before the first
number, whether the page describes real people or the simulated cohort,
which run profile produced it and on which software and hardware. The
chapters therefore open with :func:`show_header`; numbers and words quoted in
the prose go through :func:`glue_number` and :func:`glue_text` so that the
text shows plain values.
"""

from __future__ import annotations

import platform
import subprocess
from collections.abc import Sequence
from importlib import metadata
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from analysis import __version__, paths
from analysis.book import timings
from analysis.config import MODEL_LABELS, Settings

if TYPE_CHECKING:  # only for annotations: the chapters pass a real DataSource
    import torch

    from analysis.data.source import DataSource

# (row label, distribution name) of the libraries whose versions change results.
LIBRARIES: tuple[tuple[str, str], ...] = (
    ("torch", "torch"),
    ("numpy", "numpy"),
    ("pandas", "pandas"),
    ("pywavelets", "PyWavelets"),
    ("scikit-learn", "scikit-learn"),
)
UNAVAILABLE = "unavailable"
# The banner of simulated data must say this, whatever the source's own text says.
SIMULATION_NOTICE = "Numbers on this page describe the simulation, not real people."
EVIDENCE_NOTICE = (
    "They show that the analysis runs end to end and how it behaves on data whose "
    "generating process is known; they are not evidence for or against the study's "
    "claims about human gait."
)


def _distribution_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return UNAVAILABLE


def device_name(device: "str | torch.device | None" = "auto") -> str:
    """Human-readable name of the device a chapter computes on.

    ``"auto"`` (or ``None``) resolves the same way training does: CUDA when
    present, then Apple's MPS, then the CPU.
    """
    import torch

    from analysis.engine.device import resolve_device

    resolved = resolve_device("auto") if device is None or str(device) == "auto" else torch.device(device)
    if resolved.type == "cuda":
        index = resolved.index if resolved.index is not None else torch.cuda.current_device()
        return f"cuda:{index} ({torch.cuda.get_device_name(index)})"
    if resolved.type == "mps":
        return "mps (Apple GPU)"
    if resolved.type == "cpu":
        return f"cpu ({timings.cpu_model()})"
    return str(resolved)


def git_commit() -> str:
    """Commit of the checkout the package runs from, or ``"unavailable"``.

    Only asks git when the package sits in a git checkout, so an installed
    copy never reports the commit of some unrelated surrounding repository.
    """
    if not (paths.REPO_DIR / ".git").exists():
        return UNAVAILABLE
    try:
        completed = subprocess.run(
            ["git", "-C", str(paths.REPO_DIR), "rev-parse", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return UNAVAILABLE
    commit = completed.stdout.strip()
    return commit if completed.returncode == 0 and commit else UNAVAILABLE


def environment(device: "str | torch.device | None" = "auto", libraries: Sequence[tuple[str, str]] = ()) -> pd.DataFrame:
    """Software and hardware that produced a chapter, one row per item.

    ``libraries``: (row label, distribution name) of the chapter's own
    libraries (captum, diffusers, ...), listed after the shared ones.
    """
    import torch

    rows: list[tuple[str, str]] = [
        ("python", platform.python_version()),
        ("system", f"{platform.system()} {platform.machine()}"),
    ]
    rows += [(label, _distribution_version(name)) for label, name in (*LIBRARIES, *libraries)]
    rows += [
        ("analysis", __version__),
        ("torch threads", str(torch.get_num_threads())),
        ("device", device_name(device)),
        ("git commit", git_commit()),
    ]
    return pd.DataFrame(rows, columns=["component", "version"])


MISSING_CELL = "–"


def _markdown_cell(value: Any) -> str:
    """A table cell as a reader should see it: yes/no, a dash for missing, never ``-0``."""
    if isinstance(value, (bool, np.bool_)):
        text = "yes" if value else "no"
    elif value is None or value is pd.NA or value is pd.NaT:
        text = MISSING_CELL
    elif isinstance(value, (float, np.floating)):
        if np.isnan(value):
            text = MISSING_CELL
        else:
            text = str(float(value) + 0.0)  # adding 0.0 turns -0.0 into 0.0
    else:
        text = str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table(frame: pd.DataFrame) -> str:
    """A pipe table (MyST renders it; pandas' own exporter needs ``tabulate``)."""
    header = "| " + " | ".join(_markdown_cell(column) for column in frame.columns) + " |"
    rule = "|" + "|".join(" --- " for _ in frame.columns) + "|"
    body = ["| " + " | ".join(_markdown_cell(value) for value in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *body])


def settings_table(settings: Settings, device: "str | torch.device | None" = None) -> pd.DataFrame:
    """The run settings a reader needs to judge a page's numbers."""
    chosen_device = settings.device if device is None else device
    subjects = "all" if settings.max_subjects is None else str(settings.max_subjects)
    rows = [
        ("profile", settings.profile),
        ("models", ", ".join(MODEL_LABELS.get(name, name) for name in settings.models)),
        ("seeds", ", ".join(str(seed) for seed in settings.seeds)),
        ("epochs (patience, warm-up)", f"{settings.epochs} ({settings.patience}, {settings.warmup_epochs})"),
        ("latent size", str(settings.latent_dim)),
        ("batch size, learning rate", f"{settings.batch_size}, {settings.learning_rate:g}"),
        ("sparsity weight λ₂", "calibrated to the target rate" if settings.calibrate_sparsity else "as set"),
        ("subjects", subjects),
        ("device", device_name(chosen_device)),
    ]
    return pd.DataFrame(rows, columns=["setting", "value"])


def data_banner(source: "DataSource") -> str:
    """MyST admonition naming the data; a warning when they are simulated."""
    if source.is_synthetic:
        notices = [EVIDENCE_NOTICE] if SIMULATION_NOTICE in source.description else [SIMULATION_NOTICE, EVIDENCE_NOTICE]
        return (
            f"````{{admonition}} Data: {source.label}\n"
            ":class: warning\n\n"
            f"{source.description}\n\n"
            f"{' '.join(notices)}\n"
            "````"
        )
    return (
        f"````{{admonition}} Data: {source.label}\n"
        ":class: note\n\n"
        f"{source.description}\n"
        "````"
    )


def header_markdown(source: "DataSource", settings: Settings, device: "str | torch.device | None" = None) -> str:
    """The chapter header as MyST Markdown: data banner, settings, environment."""
    chosen_device = settings.device if device is None else device
    return "\n\n".join(
        [
            data_banner(source),
            "**Run settings**",
            markdown_table(settings_table(settings, chosen_device)),
            "````{dropdown} Software and hardware\n"
            + markdown_table(environment(chosen_device))
            + "\n````",
        ]
    )


def system_header_markdown(
    source: "DataSource",
    settings_table: pd.DataFrame,
    device: "str | torch.device | None" = None,
    libraries: Sequence[tuple[str, str]] = (),
) -> str:
    """The header of a sibling chapter, whose settings are its own system's (a two-column table)."""
    return "\n\n".join(
        [
            data_banner(source),
            "**Run settings**",
            markdown_table(settings_table),
            "````{dropdown} Software and hardware\n" + markdown_table(environment(device, libraries)) + "\n````",
        ]
    )


def show_system_header(
    source: "DataSource",
    settings_table: pd.DataFrame,
    device: "str | torch.device | None" = None,
    libraries: Sequence[tuple[str, str]] = (),
) -> None:
    """Display a sibling chapter's header (rendered as MyST by the book)."""
    from IPython.display import Markdown, display

    display(Markdown(system_header_markdown(source, settings_table, device, libraries)))


def real_data_banner(label: str, provenance: str) -> str:
    """MyST admonition for a page whose verdicts are about real people."""
    return (
        f"````{{admonition}} Data: {label} (real)\n"
        ":class: important\n\n"
        f"{provenance}\n\n"
        "Verdicts in the columns about these curves are findings about real people walking; "
        "columns about the synthetic cohort describe the simulation.\n"
        "````"
    )


def show_header(source: "DataSource", settings: Settings, device: "str | torch.device | None" = None) -> None:
    """Display the chapter header (rendered as MyST by the book)."""
    from IPython.display import Markdown, display

    display(Markdown(header_markdown(source, settings, device)))


def number_text(value: float | None, digits: int = 3) -> str:
    """A number as a table on a page shows it: a dash when missing, never "-0.000"."""
    if value is None or not np.isfinite(value):
        return MISSING_CELL
    text = f"{value:.{digits}f}"
    return f"{0.0:.{digits}f}" if float(text) == 0 else text


def interval_text(value: float | None, low: float | None, high: float | None, digits: int = 3) -> str:
    """"value [low, high]", each as :func:`number_text` writes it."""
    return f"{number_text(value, digits)} [{number_text(low, digits)}, {number_text(high, digits)}]"


def plain_value(value: Any) -> Any:
    """``value`` with numpy scalars turned into Python numbers.

    Glued numpy scalars render as ``np.float64(0.42)`` in the text, and format
    specifications such as ``{glue:text}`name:.2f``` then fail.
    """
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    raise TypeError(f"glue_number expects a number, got {type(value).__name__}: {value!r}")


def glue_number(name: str, value: Any, display: bool = False) -> None:
    """Glue a number for ``{glue:text}`` references.

    Returns nothing on purpose: a glue call that ends a cell must not leave
    its value on the page as a stray output.
    """
    import myst_nb

    myst_nb.glue(name, plain_value(value), display=display)


class _PlainText:
    """Displays as its text: a glued ``str`` would show its quotes."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def glue_text(name: str, text: str, display: bool = False) -> None:
    """Glue a string for ``{glue:text}`` references, without repr quotes (returns nothing, see :func:`glue_number`)."""
    import myst_nb

    if not isinstance(text, str):
        raise TypeError(f"glue_text expects a string, got {type(text).__name__}: {text!r}")
    myst_nb.glue(name, _PlainText(text), display=display)
