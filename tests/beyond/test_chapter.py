"""The page's one-sentence answer follows the verdict rule's outcomes against PCA and the dictionary."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.beyond import chapter, fidelity
from analysis.beyond.codes import LABELS


def rows(pca: str, dictionary: str) -> pd.DataFrame:
    return pd.DataFrame({"other": [LABELS["pca"], LABELS["dictionary"], LABELS["topk_sae"]], "outcome": [pca, dictionary, fidelity.BEATS]})


@pytest.mark.parametrize(
    ("pca", "dictionary", "answer"),
    [
        (fidelity.BEATS, fidelity.BEATS, "beat both textbook methods"),
        (fidelity.LOSES, fidelity.LOSES, "lose to both textbook methods"),
        (fidelity.BEATS, fidelity.LOSES, "do not beat both textbook methods (beats PCA, loses to the dictionary)"),
        (fidelity.UNDECIDED, fidelity.BEATS, "do not beat both textbook methods (cannot be told apart from PCA, beats the dictionary)"),
    ],
)
def test_answer_follows_the_outcomes_against_the_textbook_methods(pca: str, dictionary: str, answer: str) -> None:
    assert chapter.answer_for(rows(pca, dictionary)) == answer
