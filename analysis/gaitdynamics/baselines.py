"""What the diffusion model must beat: simple fillers for any fixed pattern of missing curve entries.

Every filler is fitted on training trials and fills the unknown entries of
a known-pattern ``(10, 101)`` shared by all trials of a task, in scaled
units (each channel centred on its training mean curve, one SD per channel):

* population mean and median curves (the median is GaitDynamics' "median filling");
* ridge regression from the observed entries (their 64 leading PCA scores), penalty by cross-validation;
* k-nearest neighbours (k = 10) on the observed entries;
* Gaussian conditioning in a PCA space: a probabilistic PCA fitted on the
  training trials, conditioned on the observed entries (also gives samples);
* linear interpolation along time, for gaps;
* a small MLP (:class:`MLPRegressor`) — the insole refinement regressor, and,
  trained on a large fresh generator sample, the "best achievable" predictor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from sklearn.decomposition import PCA
from sklearn.linear_model import RidgeCV
from sklearn.neighbors import KNeighborsRegressor
from torch import nn

RIDGE_ALPHAS: tuple[float, ...] = tuple(10.0**power for power in range(-2, 5))
N_NEIGHBOURS = 10
PCA_COMPONENTS = 64
KNN_COMPONENTS = 30  # observed entries are compressed to this many PCA scores before the neighbour search


def _split(pattern: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pattern = np.asarray(pattern, dtype=bool)
    if pattern.ndim != 2:
        raise ValueError(f"a known-pattern must be (channels, samples), got shape {pattern.shape}")
    flat = pattern.ravel()
    if flat.all():
        raise ValueError("the known-pattern leaves nothing unknown")
    return np.flatnonzero(flat), np.flatnonzero(~flat)


def _flat(scaled: np.ndarray) -> np.ndarray:
    return np.asarray(scaled, dtype=np.float64).reshape(scaled.shape[0], -1)


def fill(train: np.ndarray, test: np.ndarray, pattern: np.ndarray, predictor: np.ndarray) -> np.ndarray:
    """``test`` with the unknown entries replaced by ``predictor`` (n, n_unknown)."""
    _, missing = _split(pattern)
    out = _flat(test).copy()
    out[:, missing] = predictor
    return out.reshape(test.shape)


def population_mean(train: np.ndarray, test: np.ndarray, pattern: np.ndarray) -> np.ndarray:
    _, missing = _split(pattern)
    return np.repeat(_flat(train)[:, missing].mean(axis=0, keepdims=True), test.shape[0], axis=0)


def population_median(train: np.ndarray, test: np.ndarray, pattern: np.ndarray) -> np.ndarray:
    _, missing = _split(pattern)
    return np.repeat(np.median(_flat(train)[:, missing], axis=0, keepdims=True), test.shape[0], axis=0)


def _observed_scores(train: np.ndarray, test: np.ndarray, observed: np.ndarray, components: int) -> tuple[np.ndarray, np.ndarray]:
    """Leading PCA scores of the observed entries (fitted on ``train``): smooth curves need few, and the fits stay cheap."""
    k = min(components, observed.size, train.shape[0] - 1)
    projection = PCA(n_components=k, random_state=0).fit(_flat(train)[:, observed])
    return projection.transform(_flat(train)[:, observed]), projection.transform(_flat(test)[:, observed])


def ridge(train: np.ndarray, test: np.ndarray, pattern: np.ndarray) -> np.ndarray:
    """Ridge regression from the observed entries' 64 leading PCA scores; penalty by generalised cross-validation."""
    observed, missing = _split(pattern)
    if observed.size == 0:
        return population_mean(train, test, pattern)
    train_scores, test_scores = _observed_scores(train, test, observed, PCA_COMPONENTS)
    model = RidgeCV(alphas=RIDGE_ALPHAS).fit(train_scores, _flat(train)[:, missing])
    return model.predict(test_scores)


def nearest_neighbours(train: np.ndarray, test: np.ndarray, pattern: np.ndarray) -> np.ndarray:
    """Mean of the 10 training trials nearest in the observed entries (compared by their leading PCA scores)."""
    observed, missing = _split(pattern)
    if observed.size == 0:
        return population_mean(train, test, pattern)
    train_scores, test_scores = _observed_scores(train, test, observed, KNN_COMPONENTS)
    model = KNeighborsRegressor(n_neighbors=min(N_NEIGHBOURS, train.shape[0])).fit(train_scores, _flat(train)[:, missing])
    return model.predict(test_scores)


@dataclass(frozen=True)
class GaussianPCA:
    """Probabilistic PCA of flattened scaled trials: mean, loadings, component variances, noise variance."""

    mean: np.ndarray
    loadings: np.ndarray  # (k, d)
    variances: np.ndarray  # (k,)
    noise: float

    @classmethod
    def fit(cls, train: np.ndarray, n_components: int = PCA_COMPONENTS) -> GaussianPCA:
        flat = _flat(train)
        k = min(n_components, flat.shape[0] - 1, flat.shape[1] - 1)
        pca = PCA(n_components=k, random_state=0).fit(flat)
        total = flat.var(axis=0, ddof=1).sum()
        noise = max((total - pca.explained_variance_.sum()) / (flat.shape[1] - k), 1e-8)
        return cls(pca.mean_, pca.components_, np.maximum(pca.explained_variance_ - noise, 1e-8), float(noise))

    def posterior(self, test: np.ndarray, pattern: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean (n, n_missing) and shared covariance (n_missing, n_missing) of the unknown entries."""
        observed, missing = _split(pattern)
        w_o, w_m = self.loadings[:, observed].T, self.loadings[:, missing].T
        precision = np.diag(1.0 / self.variances) + w_o.T @ w_o / self.noise
        covariance = np.linalg.inv(precision)
        scores = (_flat(test)[:, observed] - self.mean[observed]) @ w_o @ covariance / self.noise
        mean = self.mean[missing] + scores @ w_m.T
        return mean, w_m @ covariance @ w_m.T + self.noise * np.eye(missing.size)

    def samples(self, test: np.ndarray, pattern: np.ndarray, n_samples: int, seed: int) -> np.ndarray:
        mean, covariance = self.posterior(test, pattern)
        root = np.linalg.cholesky(covariance + 1e-9 * np.eye(covariance.shape[0]))
        draws = np.random.default_rng(seed).standard_normal((n_samples, *mean.shape))
        return mean[None] + draws @ root.T


def gaussian_conditioning(train: np.ndarray, test: np.ndarray, pattern: np.ndarray) -> np.ndarray:
    return GaussianPCA.fit(train).posterior(test, pattern)[0]


def interpolation(train: np.ndarray, test: np.ndarray, pattern: np.ndarray) -> np.ndarray:
    """Linear interpolation along time inside each channel; a channel with nothing known gets the mean curve."""
    _, missing = _split(pattern)
    pattern = np.asarray(pattern, dtype=bool)
    out = np.asarray(test, dtype=np.float64).copy()
    mean = np.asarray(train, dtype=np.float64).mean(axis=0)
    samples = np.arange(pattern.shape[1])
    for channel in range(pattern.shape[0]):
        known = pattern[channel]
        if known.all():
            continue
        if not known.any():
            out[:, channel] = mean[channel]
            continue
        for row in range(out.shape[0]):
            out[row, channel, ~known] = np.interp(samples[~known], samples[known], out[row, channel, known])
    return out.reshape(out.shape[0], -1)[:, missing]


class MLPRegressor:
    """An MLP (two hidden layers of 256 GELU units) between PCA scores of the observed and of the unknown entries.

    Smooth curves need few components, and the compression keeps the fit
    cheap on a CPU; early stopping on 10 % of the rows picks the epoch.
    """

    def __init__(self, epochs: int, seed: int = 0, hidden: int = 256, components: int = PCA_COMPONENTS, batch_size: int = 256) -> None:
        if epochs < 1:
            raise ValueError(f"epochs must be positive, got {epochs!r}")
        self.epochs, self.seed, self.hidden, self.components, self.batch_size = epochs, seed, hidden, components, batch_size
        self.network: nn.Module | None = None

    def fit(self, inputs: np.ndarray, targets: np.ndarray) -> MLPRegressor:
        torch.manual_seed(self.seed)
        rng = np.random.default_rng(self.seed)
        self.inputs_pca = PCA(n_components=min(self.components, *inputs.shape), whiten=True, random_state=0).fit(inputs)
        self.targets_pca = PCA(n_components=min(self.components, *targets.shape), whiten=True, random_state=0).fit(targets)
        x = torch.as_tensor(self.inputs_pca.transform(inputs), dtype=torch.float32)
        y = torch.as_tensor(self.targets_pca.transform(targets), dtype=torch.float32)
        order = rng.permutation(x.shape[0])
        n_check = max(1, x.shape[0] // 10)
        check, fit = order[:n_check], order[n_check:]
        network = nn.Sequential(
            nn.Linear(x.shape[1], self.hidden), nn.GELU(), nn.Linear(self.hidden, self.hidden), nn.GELU(), nn.Linear(self.hidden, y.shape[1])
        )
        optimiser = torch.optim.AdamW(network.parameters(), lr=1e-3, weight_decay=1e-4)
        best, best_state = np.inf, None
        for _ in range(self.epochs):
            network.train()
            shuffled = fit[rng.permutation(fit.size)]
            for start in range(0, fit.size, self.batch_size):
                rows = shuffled[start : start + self.batch_size]
                loss = ((network(x[rows]) - y[rows]) ** 2).mean()
                optimiser.zero_grad(set_to_none=True)
                loss.backward()
                optimiser.step()
            network.eval()
            with torch.no_grad():
                error = ((network(x[check]) - y[check]) ** 2).mean().item()
            if error < best:
                best, best_state = error, {key: value.clone() for key, value in network.state_dict().items()}
        network.load_state_dict(best_state)
        self.network = network.eval()
        return self

    def predict(self, inputs: np.ndarray) -> np.ndarray:
        if self.network is None:
            raise RuntimeError("MLPRegressor is not fitted; call fit first")
        with torch.no_grad():
            scores = self.network(torch.as_tensor(self.inputs_pca.transform(inputs), dtype=torch.float32)).numpy()
        return self.targets_pca.inverse_transform(scores.astype(np.float64))


def mlp_filler(epochs: int, seed: int = 0) -> Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]:
    """A filler like the others, backed by an :class:`MLPRegressor` trained on ``train``."""

    def filler(train: np.ndarray, test: np.ndarray, pattern: np.ndarray) -> np.ndarray:
        observed, missing = _split(pattern)
        model = MLPRegressor(epochs, seed).fit(_flat(train)[:, observed], _flat(train)[:, missing])
        return model.predict(_flat(test)[:, observed])

    return filler


FILLERS: dict[str, Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]] = {
    "population mean": population_mean,
    "population median": population_median,
    "ridge": ridge,
    "k-NN (k = 10)": nearest_neighbours,
    "Gaussian conditioning (PCA-64)": gaussian_conditioning,
}
