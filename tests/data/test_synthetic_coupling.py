"""Channels coupled the way mechanics couples them, and the uncoupled generator kept byte for byte."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import data
from analysis.data import PUBLISHED_FILES
from analysis.data.synthetic import GROUND_TRUTH_FILE, SynthesisReport, SyntheticParameters, generator_1_parameters, read_ground_truth, synthesize
from analysis.data.synthetic.mechanics import MechanicalCoupling, StyleFactor, StyleLoading
from analysis.evaluation import coupling, landmarks

UNCOUPLED = generator_1_parameters()

# SHA-256 of every file generator 1.0.0 (independent channels) wrote for
# synthesize(out, seed=7, n_subjects=24), before coupling existed.
GENERATOR_1_SAMPLED_SEED_7 = {
    "GRF_COP_AP_PRO_left.csv": "7dd5447b9f2722d39823db78c23cde214609fb2c5e79d753622fcc3372f6f409",
    "GRF_COP_AP_PRO_right.csv": "6b81a75850a25518867ba9febaea7e35b6f5e9ee8add2d91b747d5b169225137",
    "GRF_COP_ML_PRO_left.csv": "18e23fc507f5507c74c221bf1db9702490af9aafaf496ff7b2912bd31427657d",
    "GRF_COP_ML_PRO_right.csv": "389ff2caacc25c66e0884049885e4b1232864f7d28ca9c7c88593aa8f01e02ea",
    "GRF_F_AP_PRO_left.csv": "0a7e29cd375143dfb07d2d37cf52a9bcf07ed43e39e3b90f4bdfb3f774f5d77d",
    "GRF_F_AP_PRO_right.csv": "6af8b9cdc72a428865c4d2e4a75d0e6a0b66c2544782ef5d902d9f73bce92392",
    "GRF_F_ML_PRO_left.csv": "dcca7f3e1d6b7b83e68a572f831a2a631fa800e5b7ba27ab0455d8e84ce87002",
    "GRF_F_ML_PRO_right.csv": "916933afac96cd80a736c6a03730c68c8d800c667265185180a881719ae04267",
    "GRF_F_V_PRO_left.csv": "51a0f3ac3fa09a25d2b47f445239f7980f4619f8296298e6af3362d9f440a0cf",
    "GRF_F_V_PRO_right.csv": "895997a69985b6ad9f68948124cd6e30ecda20bae94ea5117db1286588c7c92c",
    "GRF_metadata.csv": "37aee32af33b42f82649b6c88822b29882d5e121c58eb4151856e9b29cfc329e",
    "GRF_walking_speed.csv": "2c3d3e792d943669099a99e15657a07b68655c6a803fe6083d3fbea825aa5469",
    "synthetic_ground_truth.csv": "a58991aa66d1b970de14baf8646a4f5a64f6e913a04f509913ed159a9b322feb",
}
# The same for the book's default cohort: synthesize(out, like=<shipped real structure>, seed=0).
GENERATOR_1_REAL_STRUCTURE_SEED_0 = {
    "GRF_COP_AP_PRO_left.csv": "8b48ded2a9bc9b9591a12f5300fb04aada135bb3c15c3e06ceaca7d4efffe2aa",
    "GRF_COP_AP_PRO_right.csv": "1215a4ba0cc3bea9cb2cf923f486182e71694433eed518d22263e6049706f254",
    "GRF_COP_ML_PRO_left.csv": "ba08cae9e657d72685c899580faee8cb195aa6b3e9f8a158705191ba2da75d2b",
    "GRF_COP_ML_PRO_right.csv": "7b99ceb1c6ba81a6ce1e9746b701444403fd4104ab86e54e9907aa3e04ae2caa",
    "GRF_F_AP_PRO_left.csv": "08f438fb15150568231c30f62ff53a90a59c5623e429df3d593af8c8d06426a9",
    "GRF_F_AP_PRO_right.csv": "4463a777769a80846fa3b9448703c190ab18d348f3ec261ce55f04eef9529ac9",
    "GRF_F_ML_PRO_left.csv": "c8be9b30d6e9bd1a2ffa58249a16bbbf034e61b10a65508edd8f4fe659866291",
    "GRF_F_ML_PRO_right.csv": "b5a1f8a9a43ade6ecff6998f8d00e6d43a3b16e0bf942ba8c0415ab74fbb3f2d",
    "GRF_F_V_PRO_left.csv": "e2f35dae3614e97729db84e79ad996904f890bea8a6788c0b0f42a7d5a2d0af1",
    "GRF_F_V_PRO_right.csv": "5814c7dc8c08c5c3bbb1719ca5b6d597da27d0f93a9311af6144147959ed41d9",
    "GRF_metadata.csv": "dc86731115421879b014d4b6891c3aeb29a001b0c784138d4f113880642c8ae4",
    "GRF_walking_speed.csv": "fe11fb5d4f9472ae315b0a7a640555ea6042f2e1dbc258c918b287c21d747bd6",
    "synthetic_ground_truth.csv": "6214c23a0f3e26ee3229ae55cf2345a83aa17c023db1d0a05c006835420aecea",
}


def digests(directory: Path) -> dict[str, str]:
    return {name: hashlib.sha256((directory / name).read_bytes()).hexdigest() for name in (*PUBLISHED_FILES, GROUND_TRUTH_FILE)}


# ---------------------------------------------------------------------------
# Fixtures: the book's cohort, coupled (the default) and uncoupled.


@pytest.fixture(scope="module")
def coupled_dir(default_synthetic_report: SynthesisReport) -> Path:
    return default_synthetic_report.out


@pytest.fixture(scope="module")
def uncoupled_dir(real_structure_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("uncoupled") / "cohort"
    return synthesize(out, like=real_structure_dir, seed=0, parameters=UNCOUPLED).out


@pytest.fixture(scope="module")
def coupled(default_synthetic: data.Cohort) -> data.Cohort:
    return default_synthetic


@pytest.fixture(scope="module")
def uncoupled(uncoupled_dir: Path) -> data.Cohort:
    return data.load(uncoupled_dir)


@pytest.fixture(scope="module")
def literature(coupled: data.Cohort) -> pd.DataFrame:
    table = landmarks.landmarks(coupled.curves, coupled.channels, trials=coupled.trials)
    return landmarks.compare_with_literature(table).set_index("landmark")


# ---------------------------------------------------------------------------
# coupling=False is generator 1.0.0.


def test_uncoupled_sampled_cohort_is_generator_1_byte_for_byte(tmp_path: Path) -> None:
    out = synthesize(tmp_path / "cohort", seed=7, n_subjects=24, parameters=UNCOUPLED).out
    assert digests(out) == GENERATOR_1_SAMPLED_SEED_7


def test_uncoupled_real_structure_cohort_is_generator_1_byte_for_byte(uncoupled_dir: Path) -> None:
    assert digests(uncoupled_dir) == GENERATOR_1_REAL_STRUCTURE_SEED_0


def test_coupling_changes_the_curves_but_not_the_structure(coupled_dir: Path, uncoupled_dir: Path) -> None:
    for name in PUBLISHED_FILES:
        same = (coupled_dir / name).read_bytes() == (uncoupled_dir / name).read_bytes()
        assert same == (name in ("GRF_metadata.csv", "GRF_walking_speed.csv")), name


# ---------------------------------------------------------------------------
# Mechanics.


def test_net_ap_impulse_of_a_step_is_near_zero(coupled: data.Cohort, uncoupled: data.Cohort) -> None:
    summary = coupling.summarize_impulse_balance(coupling.ap_impulse_balance(coupled.curves, coupled.channels))
    # Stated tolerance: the mean over steps within ±2 % of the braking impulse, at least 90 % of
    # steps within ±10 %, and 95 % within ±15 % (the generator draws shares with SD 0.05).
    assert abs(summary["mean_net_to_braking"]) < 0.02
    assert summary["share_within_10_percent"] >= 0.90
    assert summary["abs_p95_net_to_braking"] <= 0.15
    before = coupling.summarize_impulse_balance(coupling.ap_impulse_balance(uncoupled.curves, uncoupled.channels))
    assert before["share_within_10_percent"] < 0.5  # independent channels did not balance


def test_the_shear_forces_follow_the_subjects_pivot_height(coupled: data.Cohort, coupled_dir: Path) -> None:
    truth = read_ground_truth(coupled_dir)
    assert truth["pivot_height"].between(0.6 * 1.10, 1.4 * 1.10).all()
    subject_pivot = truth.groupby("SUBJECT_ID")["pivot_height"].first()
    propulsion = pd.Series(coupled.curves[:, coupled.channels.index("F_AP_left")].max(axis=1)).groupby(
        coupled.trials["SUBJECT_ID"].to_numpy()
    ).mean()
    assert np.corrcoef(subject_pivot.loc[propulsion.index], propulsion)[0, 1] < -0.3  # a higher pivot tilts the force less


def test_style_factors_move_landmarks_of_several_components_together(coupled_dir: Path) -> None:
    truth = read_ground_truth(coupled_dir).groupby("SUBJECT_ID").first()
    factor = truth["style_vertical_excursion"]
    assert np.corrcoef(factor, truth["F_V_first_peak_subject_effect"])[0, 1] > 0.3
    assert np.corrcoef(factor, truth["F_V_valley_subject_effect"])[0, 1] < -0.3
    roll_over = truth["style_roll_over"]
    assert np.corrcoef(roll_over, truth["COP_AP_length_subject_effect"])[0, 1] > 0.2


def within_session_deviation(cohort: data.Cohort, channel: str, window: tuple[int, int]) -> np.ndarray:
    peak = cohort.curves[:, cohort.channels.index(channel), window[0] : window[1]].max(axis=1)
    sessions = cohort.trials["SESSION_ID"].to_numpy()
    return peak - pd.Series(peak).groupby(sessions).transform("mean").to_numpy()


def test_the_two_steps_of_a_trial_share_part_of_their_trial_noise(coupled: data.Cohort, uncoupled: data.Cohort) -> None:
    def side_correlation(cohort: data.Cohort) -> float:
        left = within_session_deviation(cohort, "F_V_left", (10, 40))
        right = within_session_deviation(cohort, "F_V_right", (10, 40))
        return float(np.corrcoef(left, right)[0, 1])

    # Uncoupled, the two steps share only the trial's walking speed.
    assert side_correlation(coupled) > side_correlation(uncoupled) + 0.25


def test_channels_predict_each_other_once_coupled(coupled: data.Cohort, uncoupled: data.Cohort) -> None:
    def predictability(cohort: data.Cohort) -> pd.Series:
        groups = cohort.trials["SUBJECT_ID"].to_numpy()  # weak ties need the whole cohort to show
        table = coupling.cross_channel_predictability(cohort.curves, groups, cohort.channels, predictors="other_components")
        return table.set_index("channel")["r2"]

    before, after = predictability(uncoupled), predictability(coupled)
    assert (before < 0.05).all()  # independent given the covariates: other components tell nothing
    for channel in ("F_V_left", "F_AP_left", "COP_ML_left"):
        assert after[channel] > before[channel] + 0.08, channel


# ---------------------------------------------------------------------------
# The landmark table still matches the literature.


@pytest.mark.parametrize(
    "name", ["v_first_peak", "v_valley", "v_second_peak", "ap_braking_min", "ap_propulsive_max", "ml_early_min", "ml_medial_max"]
)
def test_landmark_spreads_and_subject_share_match_the_literature(literature: pd.DataFrame, name: str) -> None:
    row = literature.loc[name]
    assert abs(row["difference_in_sd"]) < 0.5
    assert row["cohort_between_sd"] == pytest.approx(row["literature_between_sd"], rel=0.25)
    assert row["cohort_within_sd"] == pytest.approx(row["literature_within_sd"], rel=0.25)
    share = row["cohort_between_sd"] ** 2 / (row["cohort_between_sd"] ** 2 + row["cohort_within_sd"] ** 2)
    published = row["literature_between_sd"] ** 2 / (row["literature_between_sd"] ** 2 + row["literature_within_sd"] ** 2)
    assert share == pytest.approx(published, abs=0.15)


def test_cop_ranges_and_speed_effects_hold(literature: pd.DataFrame, coupled: data.Cohort) -> None:
    assert abs(literature.loc["cop_ap_range_barefoot", "difference_in_sd"]) < 0.5
    assert abs(literature.loc["cop_ml_range", "difference_in_sd"]) < 0.5
    speed = coupled.trials["WALKING_SPEED"].to_numpy()
    known = ~np.isnan(speed)
    anterior = coupled.curves[known, coupled.channels.index("F_AP_left")]
    assert np.polyfit(speed[known], anterior.min(axis=1), 1)[0] < -0.03  # faster: more braking
    assert np.polyfit(speed[known], anterior.max(axis=1), 1)[0] > 0.03  # and more propulsion


# ---------------------------------------------------------------------------
# Parameters.


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"side_trial_correlation": 1.0}, "side_trial_correlation must be in [0, 1), got 1.0"),
        ({"pivot_height": 0.0}, "pivot_height must be positive, got 0.0"),
        ({"com_travel_trial_sd": -0.1}, "com_travel_trial_sd must not be negative, got -0.1"),
        (
            {"style_factors": (StyleFactor("gait", (StyleLoading("GRF", "peak", 0.5),)),)},
            "style factor 'gait' loads on unknown component 'GRF'",
        ),
        ({"style_factors": (StyleFactor("gait", (StyleLoading("F_V", "valley", 1.2),)),)}, "a loading must lie in (-1, 1), got 1.2"),
        (
            {"style_factors": (StyleFactor("a", (StyleLoading("F_V", "valley", 0.8),)), StyleFactor("b", (StyleLoading("F_V", "valley", 0.7),)))},
            "F_V valley: style loadings have squares summing to 1.13, must stay below 1",
        ),
    ],
)
def test_invalid_coupling_parameters_are_rejected(change: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        dataclasses.replace(MechanicalCoupling(), **change)


def test_coupling_must_be_a_boolean() -> None:
    with pytest.raises(ValueError, match=re.escape("coupling must be True or False, got 'yes'")):
        SyntheticParameters(coupling="yes")  # type: ignore[arg-type]


def test_cli_writes_the_uncoupled_cohort_on_request(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from analysis.__main__ import main

    assert main(["data", "synthesize", "--out", str(tmp_path / "cohort"), "--uncoupled"]) == 0
    assert "independent channels" in capsys.readouterr().out
    assert digests(tmp_path / "cohort") == GENERATOR_1_REAL_STRUCTURE_SEED_0
