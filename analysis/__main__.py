"""Command line: ``python -m analysis data {check,fetch,synthesize}``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _check(args: argparse.Namespace) -> int:
    from analysis import data

    cohort = data.load(args.directory, drop_incomplete=args.drop_incomplete)
    print(data.summarize(cohort))
    return 0


def _fetch(args: argparse.Namespace) -> int:
    from analysis import download

    paths = download.fetch(args.dest, api_url=args.api_url, collection_id=args.collection)
    print(f"{len(paths)} files ready in {args.dest}")
    return 0


def _synthesize(args: argparse.Namespace) -> int:
    from analysis import synthetic

    report = synthetic.synthesize(args.out, like=args.like, seed=args.seed)
    print(report)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    groups = parser.add_subparsers(dest="group", required=True)
    data_parser = groups.add_parser("data", help="check, download or synthesize Gutenberg files")
    commands = data_parser.add_subparsers(dest="command", required=True)

    check = commands.add_parser("check", help="validate a directory of Gutenberg files and summarise it")
    check.add_argument("directory", type=Path)
    check.add_argument("--drop-incomplete", action="store_true", help="drop trials with missing samples instead of failing")
    check.set_defaults(run=_check)

    from analysis.download import FIGSHARE_API, GUTENBERG_COLLECTION_ID

    fetch = commands.add_parser("fetch", help="download the Gutenberg files from figshare")
    fetch.add_argument("--dest", type=Path, required=True)
    fetch.add_argument("--api-url", default=FIGSHARE_API, help="figshare API root (for mirrors and tests)")
    fetch.add_argument("--collection", type=int, default=GUTENBERG_COLLECTION_ID)
    fetch.set_defaults(run=_fetch)

    synthesize = commands.add_parser("synthesize", help="write a synthetic cohort in the Gutenberg format")
    synthesize.add_argument("--out", type=Path, required=True)
    synthesize.add_argument("--like", type=Path, default=None, help="directory with real GRF_metadata.csv and GRF_walking_speed.csv to copy the cohort structure from")
    synthesize.add_argument("--seed", type=int, default=0)
    synthesize.set_defaults(run=_synthesize)
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
