"""Device choice: the CPU always works, an accelerator is used only when it exists."""

from __future__ import annotations

import pytest
import torch

from analysis.engine.device import describe_device, resolve_device


def test_device_resolution() -> None:
    assert resolve_device("cpu") == torch.device("cpu")
    assert describe_device(torch.device("cpu")) == f"cpu ({torch.get_num_threads()} threads)"
    expected = "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"
    assert resolve_device().type == expected
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="device 'cuda' was requested but CUDA is not available"):
            resolve_device("cuda")
