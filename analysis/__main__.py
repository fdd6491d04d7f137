"""Command line: ``python -m analysis data {check,fetch,synthesize}`` and ``book {execute,build}``.

``data check`` and ``data fetch`` take ``--dataset gutenberg`` (the default) or ``--dataset gaitrec``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from analysis.book.pipeline import ExecutionRecord


def _check(args: argparse.Namespace) -> int:
    from analysis.data import datasets

    dataset = datasets.get(args.dataset, "--dataset")
    cohort = dataset.load(args.directory, drop_incomplete=args.drop_incomplete)
    print(dataset.summarize(cohort))
    return 0


def _fetch(args: argparse.Namespace) -> int:
    from analysis.data import datasets, download

    dataset = datasets.get(args.dataset, "--dataset")
    collection = dataset.collection_id if args.collection is None else args.collection
    paths = download.fetch(args.dest, api_url=args.api_url, collection_id=collection, wanted=dataset.published_files)
    print(f"{len(paths)} files ready in {args.dest}")
    return 0


def _synthesize(args: argparse.Namespace) -> int:
    from analysis.data import reference, synthetic

    if args.like is not None and args.structure == "sampled":
        raise ValueError("--like names a structure to copy; it cannot be combined with --structure sampled")
    if args.like is not None:
        like = args.like
    elif args.structure == "sampled":
        like = None
    else:
        like = reference.structure_dir()
    parameters = synthetic.generator_1_parameters() if args.uncoupled else synthetic.SyntheticParameters()
    report = synthetic.synthesize(args.out, like=like, seed=args.seed, parameters=parameters)
    print(report)
    return 0


def _print_progress(record: ExecutionRecord) -> None:
    """One line per chapter as it finishes; flushed, so a piped `make book` shows it at once."""
    from analysis.book import pipeline

    print(pipeline.describe(record), flush=True)


def _execute_book(args: argparse.Namespace) -> int:
    import logging

    from analysis.book import pipeline

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    # papermill names the input, output and kernel of every chapter; the
    # per-chapter line below says what matters.
    logging.getLogger("papermill").setLevel(logging.WARNING)
    try:
        records = pipeline.execute(
            args.chapters, profile=args.profile, output_dir=args.output_dir, force=args.force, progress=_print_progress
        )
    except pipeline.ChapterExecutionError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"{args.profile} profile, {pipeline.summarize(records)}; notebooks and times in {args.output_dir}", flush=True)
    return 0


def _build_book(args: argparse.Namespace) -> int:
    import logging

    from analysis.book import pipeline

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        site = pipeline.build(args.builder, warnings_as_errors=not args.allow_warnings)
    except pipeline.BookBuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"book built: {site / 'index.html'}")
    return 0


def _compare_books(args: argparse.Namespace) -> int:
    from analysis.book import compare

    comparison = compare.compare(args.before, args.after)
    print(comparison.report(limit=args.limit))
    same = not (comparison.changed or comparison.missing or comparison.added or comparison.changed_figures)
    return 0 if same else 3


def _add_book_group(groups: argparse._SubParsersAction) -> None:
    from analysis import paths
    from analysis.book.pipeline import BUILDERS, CHAPTERS
    from analysis.config import PROFILES

    book_parser = groups.add_parser("book", help="execute the chapter notebooks and build the book")
    commands = book_parser.add_subparsers(dest="command", required=True)

    execute = commands.add_parser("execute", help="run the chapter notebooks with papermill (skips unchanged ones)")
    execute.add_argument("--profile", choices=sorted(PROFILES), default="full")
    execute.add_argument("--chapters", nargs="+", choices=CHAPTERS, default=list(CHAPTERS), metavar="CHAPTER", help=f"any of {', '.join(CHAPTERS)} (default: all)")
    execute.add_argument("--force", action="store_true", help="execute even chapters whose inputs did not change")
    execute.add_argument("--output-dir", type=Path, default=paths.EXECUTED_DIR)
    execute.set_defaults(run=_execute_book)

    build = commands.add_parser("build", help="build the book from the executed chapters (jupyter-book -W -n)")
    build.add_argument("--builder", choices=BUILDERS, default="html")
    build.add_argument("--allow-warnings", action="store_true", help="do not fail on Sphinx warnings")
    build.set_defaults(run=_build_book)

    compare = commands.add_parser(
        "compare", help="compare the glued values and figures of two folders of executed chapters (exit 3 if they differ)"
    )
    compare.add_argument("before", type=Path)
    compare.add_argument("after", type=Path)
    compare.add_argument("--limit", type=int, default=50, help="list at most this many differences of each kind")
    compare.set_defaults(run=_compare_books)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    groups = parser.add_subparsers(dest="group", required=True)
    from analysis.data.datasets import DATASETS, DEFAULT_DATASET
    from analysis.data.download import FIGSHARE_API

    data_parser = groups.add_parser("data", help="check or download Gutenberg or GaitRec files, synthesize Gutenberg files")
    commands = data_parser.add_subparsers(dest="command", required=True)
    dataset_help = "which database: " + " or ".join(f"{name} ({entry.recorded})" for name, entry in DATASETS.items())
    dataset_help += f"; default {DEFAULT_DATASET}"

    check = commands.add_parser("check", help="validate a directory of Gutenberg or GaitRec files and summarise it")
    check.add_argument("directory", type=Path)
    check.add_argument("--dataset", choices=tuple(DATASETS), default=DEFAULT_DATASET, help=dataset_help)
    check.add_argument("--drop-incomplete", action="store_true", help="drop trials with missing samples instead of failing")
    check.set_defaults(run=_check)

    fetch = commands.add_parser("fetch", help="download the Gutenberg or GaitRec files from figshare, verified")
    fetch.add_argument("--dataset", choices=tuple(DATASETS), default=DEFAULT_DATASET, help=dataset_help)
    fetch.add_argument("--dest", type=Path, required=True)
    fetch.add_argument("--api-url", default=FIGSHARE_API, help="figshare API root (for mirrors and tests)")
    fetch.add_argument(
        "--collection",
        type=int,
        default=None,
        help="figshare collection id (default: the dataset's, "
        + ", ".join(f"{entry.collection_id} for {name}" for name, entry in DATASETS.items())
        + ")",
    )
    fetch.set_defaults(run=_fetch)

    synthesize = commands.add_parser("synthesize", help="write a synthetic cohort in the Gutenberg format")
    synthesize.add_argument("--out", type=Path, required=True)
    synthesize.add_argument(
        "--structure",
        choices=("real", "sampled"),
        default="real",
        help="real: copy the Gutenberg cohort structure shipped with the package (350 subjects, 661 sessions, "
        "8,819 trials; the default); sampled: draw subjects, sessions, trials, demographics and speeds at random",
    )
    synthesize.add_argument("--like", type=Path, default=None, help="copy the cohort structure from this directory's GRF_metadata.csv and GRF_walking_speed.csv instead")
    synthesize.add_argument("--seed", type=int, default=0)
    synthesize.add_argument(
        "--uncoupled",
        action="store_true",
        help="independent channels given the covariates, as generator 1.0.0 wrote them (byte for byte)",
    )
    synthesize.set_defaults(run=_synthesize)

    _add_book_group(groups)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (ValueError, OSError) as error:  # DataFormatError is a ValueError
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
