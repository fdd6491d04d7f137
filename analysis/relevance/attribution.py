"""Relevance maps of single trials: LRP-ε through captum, and the attributions it is compared with.

LRP (Bach et al. 2015) redistributes a logit backwards, layer by layer, in
proportion to each input's contribution; the ε-rule on every layer (linear,
convolution, pooling) is used throughout. The flat rule is never used: on a
fully connected first layer it spreads relevance evenly over all inputs and
erases where in stance it came from. What is explained is the logit of the
trial's true class. Gradient × input, integrated gradients and occlusion are
the alternatives the faithfulness check compares LRP with.
"""

from __future__ import annotations

import copy
import warnings

import numpy as np
import torch
from torch import nn

with warnings.catch_warnings():
    # captum imports tqdm.auto, which warns inside a notebook kernel without ipywidgets; no progress bar is used here.
    warnings.filterwarnings("ignore", message="IProgress not found")
    from captum.attr import LRP, InputXGradient, IntegratedGradients, Occlusion
    from captum.attr._utils.lrp_rules import EpsilonRule

METHODS: tuple[str, ...] = ("lrp", "gradient_x_input", "integrated_gradients", "occlusion")
METHOD_LABELS: dict[str, str] = {
    "lrp": "LRP-ε",
    "gradient_x_input": "gradient × input",
    "integrated_gradients": "integrated gradients",
    "occlusion": "occlusion",
    "random": "random order",
}
# Layers whose relevance is redistributed by the ε-rule (captum has no default for some of them).
_RULE_LAYERS = (nn.Linear, nn.Conv1d, nn.AvgPool1d)


def _with_epsilon_rules(model: nn.Module, epsilon: float) -> nn.Module:
    clone = copy.deepcopy(model).eval()
    for module in clone.modules():
        if isinstance(module, _RULE_LAYERS):
            module.rule = EpsilonRule(epsilon=epsilon)
    return clone


def lrp(model: nn.Module, x: np.ndarray, targets: np.ndarray, epsilon: float, batch_size: int = 256) -> np.ndarray:
    """LRP-ε relevance of every input value for the logit of ``targets``, shape of ``x``."""
    if epsilon <= 0:
        raise ValueError(f"lrp_epsilon must be positive, got {epsilon!r}")
    # captum removes the rules from the layers after every call, so each batch gets a freshly ruled copy.
    return _batched(lambda xb, tb: LRP(_with_epsilon_rules(model, epsilon)).attribute(xb, target=tb), x, targets, batch_size)


def gradient_x_input(model: nn.Module, x: np.ndarray, targets: np.ndarray, batch_size: int = 256) -> np.ndarray:
    explainer = InputXGradient(copy.deepcopy(model).eval())
    return _batched(lambda xb, tb: explainer.attribute(xb, target=tb), x, targets, batch_size)


def integrated_gradients(
    model: nn.Module, x: np.ndarray, targets: np.ndarray, baseline: np.ndarray, steps: int, batch_size: int = 64
) -> np.ndarray:
    """Integrated gradients from ``baseline`` (the training mean trial) to each trial."""
    explainer = IntegratedGradients(copy.deepcopy(model).eval())
    base = torch.from_numpy(baseline[None].astype(np.float32))
    return _batched(lambda xb, tb: explainer.attribute(xb, baselines=base, target=tb, n_steps=steps), x, targets, batch_size)


def occlusion(
    model: nn.Module, x: np.ndarray, targets: np.ndarray, baseline: np.ndarray, window: int, batch_size: int = 256
) -> np.ndarray:
    """Logit drop when a window of ``window`` samples of one channel is set to the training mean."""
    explainer = Occlusion(copy.deepcopy(model).eval())
    base = torch.from_numpy(baseline[None].astype(np.float32))
    return _batched(
        lambda xb, tb: explainer.attribute(
            xb, sliding_window_shapes=(1, window), strides=(1, window), baselines=base, target=tb
        ),
        x,
        targets,
        batch_size,
    )


def attribute(
    method: str, model: nn.Module, x: np.ndarray, targets: np.ndarray, baseline: np.ndarray, *, epsilon: float, steps: int, window: int
) -> np.ndarray:
    """The attribution map of ``method`` (one of :data:`METHODS`)."""
    if method == "lrp":
        return lrp(model, x, targets, epsilon)
    if method == "gradient_x_input":
        return gradient_x_input(model, x, targets)
    if method == "integrated_gradients":
        return integrated_gradients(model, x, targets, baseline, steps)
    if method == "occlusion":
        return occlusion(model, x, targets, baseline, window)
    raise ValueError(f"unknown attribution method {method!r}; choose from {list(METHODS)}")


def logits(model: nn.Module, x: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """The explained logit of every trial."""
    with torch.no_grad():
        out = copy.deepcopy(model).eval()(torch.from_numpy(x)).numpy()
    return out[np.arange(len(x)), targets]


def conservation(relevance: np.ndarray, explained: np.ndarray) -> np.ndarray:
    """Σ relevance / explained logit per trial (1 = fully conserved; biases absorb the rest)."""
    total = relevance.reshape(len(relevance), -1).sum(axis=1)
    return total / np.where(np.abs(explained) > 1e-12, explained, np.nan)


def _batched(function, x: np.ndarray, targets: np.ndarray, batch_size: int) -> np.ndarray:
    parts = []
    for start in range(0, len(x), batch_size):
        xb = torch.from_numpy(np.ascontiguousarray(x[start : start + batch_size])).requires_grad_(True)
        tb = torch.from_numpy(targets[start : start + batch_size].astype(np.int64))
        parts.append(function(xb, tb).detach().numpy())
    return np.concatenate(parts) if parts else np.zeros_like(x)
