"""The benchmarks run end to end and print what they promise (no timing is asserted)."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def load_benchmark(name: str = "train_speed"):
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_benchmark_prints_every_run_and_the_speedup_line(capsys: pytest.CaptureFixture[str]) -> None:
    benchmark = load_benchmark()
    arguments = ["--data", "random", "--epochs", "1", "--seeds", "2", "--repeats", "2", "--models", "sae", "--threads", "1"]
    assert benchmark.main(arguments) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert re.fullmatch(r"speedup_vs_dataloader=\d+\.\d\d", lines[-1])
    assert any(line.startswith("projected for 1 models × 5 seeds × 100 epochs") for line in lines)
    assert re.fullmatch(r"lower bound: its \d+\.\d TFLOP of matrix products alone take \d+ s at the \d+ GFLOP/s .*", lines[-2])
    for label in ("(a) ours, 1 seed", "(b) ours, 2 seeds", "(c) DataLoader"):
        row = next(line for line in lines if label in line)
        assert re.search(r"\d\.\d\dx\s+\d\.\d\d–\d\.\d\d$", row), row
    assert "cpu (1 threads)" in "\n".join(lines)


def test_benchmark_rejects_zero_repeats() -> None:
    with pytest.raises(SystemExit):
        load_benchmark().main(["--repeats", "0"])


def test_gradient_paths_prints_both_paths_and_their_ratio(capsys: pytest.CaptureFixture[str]) -> None:
    benchmark = load_benchmark("gradient_paths")
    arguments = ["--models", "sae", "svae", "--seeds", "2", "--blocks", "2", "--steps", "2", "--threads", "1"]
    assert benchmark.main(arguments) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith(("sae ", "svae "))]
    assert [row.split()[:2] for row in rows] == [["sae", "2"], ["svae", "2"]]
    for row in rows:
        assert re.search(r"\d+\s+\d+\s+\d\.\d\d\s+\d\.\d\d–\d\.\d\d$", row), row


def test_baselines_speed_prints_one_timed_row_per_method(capsys: pytest.CaptureFixture[str]) -> None:
    benchmark = load_benchmark("baselines_speed")
    arguments = ["--rows", "120", "--test-rows", "40", "--columns", "30", "--components", "6", "--sparsity", "2"]
    assert benchmark.main(arguments) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines() if line.startswith(("pca", "ica", "dictionary"))]
    assert [row[:3] for row in rows] == [["pca", "6", "-"], ["ica", "6", "-"], ["dictionary", "6", "2"]]
    for row in rows:
        assert all(re.fullmatch(r"-?\d+\.\d+", value) for value in row[3:]), row


def test_baselines_speed_rejects_zero_components() -> None:
    with pytest.raises(SystemExit):
        load_benchmark("baselines_speed").main(["--components", "0"])


def test_gaitdynamics_benchmark_prints_one_line_per_profile(capsys: pytest.CaptureFixture[str]) -> None:
    benchmark = load_benchmark("gaitdynamics_speed")
    assert benchmark.main(["--profiles", "smoke", "--steps", "2", "--trials", "2"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].split()[:2] == ["profile", "device"]
    assert re.fullmatch(r"smoke\s+cpu\s+\d+\s+\d+\.\d{4}\s+\d+\s+\d+\.\d{4}", lines[1]), lines[1]
