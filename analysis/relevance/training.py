"""Training: class-weighted cross-entropy, Adam, early stopping on validation subjects.

Class weights (n / (k · n_class), from the training trials) keep an
unbalanced contrast (age) from being solved by always naming the larger
group. The weights of the epoch with the lowest validation loss are kept.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from torch import nn

from analysis.relevance import models


@dataclass(frozen=True)
class Fit:
    """A trained classifier and how its training went."""

    model: nn.Module
    epochs: int  # epochs run
    best_epoch: int
    validation_loss: float


def class_weights(labels: np.ndarray, n_classes: int) -> np.ndarray:
    counts = np.bincount(labels, minlength=n_classes).astype(float)
    if (counts == 0).any():
        missing = int(np.flatnonzero(counts == 0)[0])
        raise ValueError(f"class {missing} has no training trial")
    return labels.size / (n_classes * counts)


def fit_network(
    name: str,
    x_fit: np.ndarray,
    y_fit: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    *,
    n_classes: int,
    hidden: tuple[int, ...],
    dropout: float,
    max_epochs: int,
    patience: int,
    batch_size: int,
    learning_rate: float,
    seed: int,
) -> Fit:
    """Train network ``name`` on (x_fit, y_fit); stop when the validation loss has not improved for ``patience`` epochs."""
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    model = models.build(name, x_fit.shape[1], x_fit.shape[2], n_classes, hidden, dropout)
    weights = torch.as_tensor(class_weights(y_fit, n_classes), dtype=torch.float32)
    loss_fn = nn.CrossEntropyLoss(weight=weights)
    optimiser = torch.optim.Adam(model.parameters(), lr=learning_rate)
    xs, ys = torch.from_numpy(x_fit), torch.from_numpy(y_fit.astype(np.int64))
    xv, yv = torch.from_numpy(x_val), torch.from_numpy(y_val.astype(np.int64))
    best_loss, best_epoch, best_state, epoch = np.inf, 0, copy.deepcopy(model.state_dict()), 0
    for epoch in range(1, max_epochs + 1):
        model.train()
        order = torch.randperm(xs.shape[0], generator=generator)
        for start in range(0, xs.shape[0], batch_size):
            batch = order[start : start + batch_size]
            optimiser.zero_grad()
            loss_fn(model(xs[batch]), ys[batch]).backward()
            optimiser.step()
        model.eval()
        with torch.no_grad():
            validation = float(loss_fn(model(xv), yv))
        if validation < best_loss - 1e-6:
            best_loss, best_epoch, best_state = validation, epoch, copy.deepcopy(model.state_dict())
        elif epoch - best_epoch >= patience:
            break
    model.load_state_dict(best_state)
    return Fit(model=model.eval(), epochs=epoch, best_epoch=best_epoch, validation_loss=best_loss)


def fit_logistic(x_fit: np.ndarray, y_fit: np.ndarray, c: float) -> Fit:
    """L2 logistic regression with balanced class weights; returned as a torch linear model."""
    if np.unique(y_fit).size != 2:
        raise ValueError("logistic regression is fitted to two-group contrasts only")
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=3000)
    model.fit(x_fit.reshape(len(x_fit), -1), y_fit)
    linear = models.from_logistic(model.coef_, model.intercept_, x_fit.shape[1], x_fit.shape[2])
    return Fit(model=linear, epochs=int(np.max(model.n_iter_)), best_epoch=int(np.max(model.n_iter_)), validation_loss=float("nan"))


def probabilities(model: nn.Module, x: np.ndarray) -> np.ndarray:
    """Class probabilities of the trials ``x`` (the model in evaluation mode)."""
    model.eval()
    with torch.no_grad():
        return torch.softmax(model(torch.from_numpy(x)), dim=1).numpy()
