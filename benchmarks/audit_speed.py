"""Training time of the audit chapter (book/audit_original_code.py): every configuration, no cache.

Trains every (configuration, model, seed) of the audit's settings afresh,
exactly as the chapter does (configurations of one shape stacked in one pass),
and prints the wall time, the process's CPU time and how many configurations
(configuration × model pairs) and seed runs that is per second:

    python benchmarks/audit_speed.py [--profile full|smoke]
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Sequence

from analysis import config
from analysis.audit import runs
from analysis.sae import study as gait


def main(arguments: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="full", choices=sorted(config.AUDIT_PROFILES))
    options = parser.parse_args(arguments)
    audit = config.resolve_audit(options.profile)
    settings = runs.study_settings(audit)
    cohort = gait.prepare(settings).cohort
    cpu_started, started = os.times(), time.perf_counter()
    audit_runs = runs.train_all(cohort, settings, audit, progress=False, cache_dir=None)
    wall = time.perf_counter() - started
    cpu = sum(os.times()[:2]) - sum(cpu_started[:2])
    pairs = len(audit_runs.runs)
    seed_runs = pairs * len(audit.seeds)
    print(f"audit ({options.profile}): {len(audit_runs.configurations)} configurations, {pairs} (configuration, model) pairs, {seed_runs} seed runs")
    print(f"seed runs trained    {audit_runs.trained_rows:8d} (runs shared between configurations train once)")
    print(f"training wall time   {wall:8.1f} s")
    print(f"training CPU time    {cpu:8.1f} s (user + system, all threads)")
    print(f"pairs per second     {pairs / wall:8.3f}")
    print(f"seed runs per second {seed_runs / wall:8.3f}")


if __name__ == "__main__":
    main()
