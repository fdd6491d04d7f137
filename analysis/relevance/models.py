"""The three classifiers of the curves, built from modules layer-wise relevance propagation can walk.

Every layer is a module (no functional ReLU), so captum's LRP finds a rule
for each: ε-rule on linear, convolution and pooling layers, relevance passed
through ReLU and dropout. Reshaping happens in ``forward``.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

MODEL_NAMES: tuple[str, ...] = ("mlp", "cnn", "logistic")
MODEL_LABELS: dict[str, str] = {"mlp": "MLP", "cnn": "1-D CNN", "logistic": "logistic regression", "oracle": "oracle (LDA on generator factors)"}


def checked_models(names: tuple[str, ...]) -> tuple[str, ...]:
    bad = [name for name in names if name not in MODEL_NAMES]
    if bad or not names:
        raise ValueError(f"unknown model(s) {bad or list(names)}; choose from {list(MODEL_NAMES)}")
    return tuple(names)


class MLP(nn.Module):
    """Flattened curves → hidden ReLU layers with dropout → class logits."""

    def __init__(self, n_channels: int, n_samples: int, hidden: tuple[int, ...], n_classes: int, dropout: float) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        width = n_channels * n_samples
        for size in hidden:
            layers += [nn.Linear(width, size), nn.ReLU(), nn.Dropout(dropout)]
            width = size
        layers.append(nn.Linear(width, n_classes))
        self.layers = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x.flatten(1))


class CNN(nn.Module):
    """Two 1-D convolutions over stance time (channels as input maps), pooled, then a linear read-out.

    The read-out sees every pooled time step, so the network can tell early
    from late stance (global pooling would discard where a shape occurs).
    """

    def __init__(self, n_channels: int, n_samples: int, n_classes: int, dropout: float) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(n_channels, 16, kernel_size=7, padding=3),
            nn.ReLU(),
            nn.AvgPool1d(4),
            nn.Conv1d(16, 32, kernel_size=5, padding=2),
            nn.ReLU(),
            nn.Dropout(dropout),
        )
        self.head = nn.Linear(32 * (n_samples // 4), n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x).flatten(1))


class Linear(nn.Module):
    """A linear model of the flattened curves (logistic regression once its weights are set)."""

    def __init__(self, n_channels: int, n_samples: int, n_classes: int) -> None:
        super().__init__()
        self.linear = nn.Linear(n_channels * n_samples, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x.flatten(1))


def from_logistic(coefficients: np.ndarray, intercept: np.ndarray, n_channels: int, n_samples: int) -> Linear:
    """The torch twin of a fitted binary scikit-learn logistic regression.

    Logits (−z/2, z/2) with z = w·x + b give the same class probabilities.
    """
    model = Linear(n_channels, n_samples, 2)
    weight = np.asarray(coefficients, dtype=np.float32).reshape(1, -1)
    bias = np.asarray(intercept, dtype=np.float32).reshape(1)
    with torch.no_grad():
        model.linear.weight.copy_(torch.from_numpy(np.concatenate([-weight / 2, weight / 2])))
        model.linear.bias.copy_(torch.from_numpy(np.concatenate([-bias / 2, bias / 2])))
    return model.eval()


def build(name: str, n_channels: int, n_samples: int, n_classes: int, hidden: tuple[int, ...], dropout: float) -> nn.Module:
    """A fresh network ``name`` ("mlp" or "cnn"; the linear model is fitted by scikit-learn)."""
    if name == "mlp":
        return MLP(n_channels, n_samples, hidden, n_classes, dropout)
    if name == "cnn":
        return CNN(n_channels, n_samples, n_classes, dropout)
    raise ValueError(f"model {name!r} is not a network; choose 'mlp' or 'cnn'")


def randomised(model: nn.Module, seed: int) -> nn.Module:
    """A copy of ``model`` with every weight re-drawn (Adebayo et al.'s full model randomisation)."""
    import copy

    clone = copy.deepcopy(model)
    torch.manual_seed(seed)
    for module in clone.modules():
        if hasattr(module, "reset_parameters") and module is not clone:
            module.reset_parameters()
    return clone.eval()
