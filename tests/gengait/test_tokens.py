"""Tokens, scaling and masks: round trips, what a token may contain, the curriculum."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.data import CHANNELS
from analysis.gengait.tokens import (
    N_TILES,
    Scaler,
    TokenLayout,
    curriculum_mask,
    random_mask,
    structured_mask,
    tokenize,
    untokenize,
)

LAYOUT = TokenLayout(CHANNELS, 101, 10)


def test_layout_counts_and_tiles():
    assert (LAYOUT.n_patches, LAYOUT.n_tokens, LAYOUT.padded) == (11, 110, 110)
    assert LAYOUT.tile_samples() == [(0, 29), (30, 59), (60, 89), (90, 100)]
    assert len(LAYOUT.parts()) == 10 + 10 * N_TILES
    partner = LAYOUT.contralateral()
    assert [CHANNELS[i] for i in partner[:2]] == ["F_V_right", "F_V_left"]


def test_tokens_round_trip_and_hold_only_their_own_patch():
    rng = np.random.default_rng(0)
    curves = rng.normal(size=(3, 10, 101))
    tokens = tokenize(curves, LAYOUT)
    assert tokens.shape == (3, 110, 20)
    np.testing.assert_allclose(untokenize(tokens[..., :10], LAYOUT), curves, atol=1e-6)
    changed = curves.copy()
    changed[1, 4, 35] += 5.0  # channel 4, patch 3
    difference = np.abs(tokenize(changed, LAYOUT) - tokens).sum(axis=2)
    assert set(zip(*np.nonzero(difference))) == {(1, 4 * 11 + 3)}


def test_scaler_round_trip_and_constant_sample():
    rng = np.random.default_rng(1)
    curves = rng.normal(size=(20, 10, 101))
    curves[:, 6, 0] = 0.0  # COP_AP starts at exactly 0 in every trial
    scaler = Scaler.fit(curves)
    np.testing.assert_allclose(scaler.inverse(scaler.transform(curves)), curves, atol=1e-12)
    assert np.all(np.isfinite(scaler.transform(curves)))


def test_masks_follow_the_curriculum():
    rng = np.random.default_rng(2)
    early = curriculum_mask(200, LAYOUT, 0.0, (0.15, 0.5), 0.75, rng)
    assert np.all(early.sum(axis=1) == round(0.15 * 110))
    late = curriculum_mask(400, LAYOUT, 1.0, (0.15, 0.5), 0.75, rng)
    assert (late.sum(axis=1) != 55).mean() > 0.5  # most rows structured
    assert np.all(random_mask(5, LAYOUT, 0.99, rng).sum(axis=1) == 109)  # never all hidden
    structured = structured_mask(300, LAYOUT, rng)
    assert structured.any(axis=1).all() and not structured.all(axis=1).any()


@pytest.mark.parametrize("patch", [0, 102, 2.5, True])
def test_bad_patch_is_named(patch):
    with pytest.raises(ValueError, match="patch"):
        TokenLayout(CHANNELS, 101, patch)


def test_bad_inputs_are_named():
    with pytest.raises(ValueError, match="missing or infinite"):
        Scaler.fit(np.full((3, 10, 101), np.nan))
    with pytest.raises(ValueError, match="curves must be"):
        tokenize(np.zeros((2, 9, 101)), LAYOUT)
    with pytest.raises(ValueError, match="unknown mask structure 'diagonal'"):
        structured_mask(2, LAYOUT, np.random.default_rng(0), kinds=("diagonal",))
