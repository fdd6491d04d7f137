"""benchmarks/beyond_speed.py runs end to end and prints its rates (no timing is asserted)."""

from __future__ import annotations

import pytest


def test_speed_benchmark_runs_and_prints_rates(capsys: pytest.CaptureFixture[str]) -> None:
    import importlib.util
    import sys
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "beyond_speed.py"
    spec = importlib.util.spec_from_file_location("beyond_speed", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    arguments = ["--rows", "64", "--columns", "24", "--latent", "6", "--epochs", "1", "--ks", "2", "--seeds", "2", "--skip-textbook"]
    assert module.main(arguments) == 0
    output = capsys.readouterr().out
    assert "TopK SAE, all" in output and "configurations_per_s" in output
