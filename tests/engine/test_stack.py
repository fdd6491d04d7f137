"""Per-seed random streams: independent by purpose, repeatable by seed."""

from __future__ import annotations

import pytest
import torch

from analysis.engine.stack import seed_generator


def test_seed_streams_are_distinct_and_repeatable() -> None:
    draw = lambda seed, stream: torch.rand(4, generator=seed_generator(seed, stream))  # noqa: E731
    assert torch.equal(draw(0, "init"), draw(0, "init"))
    assert not torch.equal(draw(0, "init"), draw(0, "shuffle"))
    assert not torch.equal(draw(0, "init"), draw(1, "init"))
    with pytest.raises(ValueError, match="seeds must be non-negative integers, got -3"):
        seed_generator(-3, "init")
