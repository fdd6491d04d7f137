"""The synthetic cohort: published format, determinism, and curves that match the facts sheet."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import data
from analysis.data import (
    CHANNELS,
    CURVE_FILES,
    ID_COLUMNS,
    METADATA_FILE,
    N_SAMPLES,
    PUBLISHED_FILES,
    SPEED_FILE,
    DataFormatError,
    synthetic,
)
from analysis.data.synthetic import GROUND_TRUTH_FILE, SynthesisReport, SyntheticParameters, synthesize
from analysis.data.synthetic import curves as synthetic_curves
from analysis.data.synthetic import writer as synthetic_writer

SMALL = 24  # subjects of the sampled test cohort: lands in DATASET_ID 6 and 8, whose speeds are unpublished


def channel(cohort: data.Cohort, name: str) -> np.ndarray:
    return cohort.curves[:, cohort.channels.index(name), :]


def subject_means(values: np.ndarray, cohort: data.Cohort) -> np.ndarray:
    return pd.DataFrame(values).groupby(cohort.trials["SUBJECT_ID"].to_numpy()).mean().to_numpy()


# ---------------------------------------------------------------------------
# Fixtures: each cohort is written once per module.


@pytest.fixture(scope="module")
def sampled_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sampled") / "cohort"
    synthesize(out, seed=7, n_subjects=SMALL)
    return out


@pytest.fixture(scope="module")
def sampled(sampled_dir: Path) -> data.Cohort:
    return data.load(sampled_dir)


@pytest.fixture(scope="module")
def full_report(default_synthetic_report: SynthesisReport) -> SynthesisReport:
    return default_synthetic_report


@pytest.fixture(scope="module")
def full(default_synthetic: data.Cohort) -> data.Cohort:
    return default_synthetic


# ---------------------------------------------------------------------------
# Format.


def test_writes_exactly_the_published_files_plus_ground_truth(sampled_dir: Path) -> None:
    assert sorted(path.name for path in sampled_dir.iterdir()) == sorted((*PUBLISHED_FILES, GROUND_TRUTH_FILE))
    assert GROUND_TRUTH_FILE not in PUBLISHED_FILES
    assert not list(sampled_dir.parent.glob("*.partial"))


def test_curve_file_headers(sampled_dir: Path) -> None:
    for channel_name, file_name in CURVE_FILES.items():
        header = (sampled_dir / file_name).read_bytes().split(b"\r\n", 1)[0].decode().split(",")
        component = channel_name.rsplit("_", 1)[0]
        assert header[:4] == list(ID_COLUMNS)
        assert header[4:] == [f"{component}_PRO_{i}" for i in range(1, N_SAMPLES + 1)]


def test_every_line_ends_with_crlf(sampled_dir: Path) -> None:
    for name in (*PUBLISHED_FILES, GROUND_TRUTH_FILE):
        raw = (sampled_dir / name).read_bytes()
        assert raw.endswith(b"\r\n"), name
        assert raw.count(b"\n") == raw.count(b"\r\n"), name


def test_missing_values_are_literal_nan(sampled_dir: Path) -> None:
    metadata = (sampled_dir / METADATA_FILE).read_bytes().decode()
    speeds = (sampled_dir / SPEED_FILE).read_bytes().decode()
    assert ",NaN," in metadata  # AFFECTED_SIDE is never filled
    assert re.search(r",NaN\r$", speeds, flags=re.MULTILINE)  # DATASET_ID 6 and 8 have no published speed
    for text in (metadata, speeds):
        assert not re.search(r"\bnan\b", text)


def test_metadata_columns_match_the_real_file(sampled_dir: Path, real_structure_dir: Path) -> None:
    ours = (sampled_dir / METADATA_FILE).read_bytes().split(b"\r\n", 1)[0]
    real = (real_structure_dir / METADATA_FILE).read_bytes().split(b"\r\n", 1)[0]
    assert ours == real
    assert len(ours.split(b",")) == 21
    assert (sampled_dir / SPEED_FILE).read_bytes().split(b"\r\n", 1)[0] == b"DATASET_ID,SUBJECT_ID,SESSION_ID,TRIAL_ID,WALKING_SPEED"


def test_same_seed_gives_identical_bytes_and_another_seed_differs(sampled_dir: Path, tmp_path: Path) -> None:
    again = synthesize(tmp_path / "again", seed=7, n_subjects=SMALL).out
    other = synthesize(tmp_path / "other", seed=8, n_subjects=SMALL).out
    for name in (*PUBLISHED_FILES, GROUND_TRUTH_FILE):
        assert (again / name).read_bytes() == (sampled_dir / name).read_bytes(), name
    for name in CURVE_FILES.values():
        assert (other / name).read_bytes() != (sampled_dir / name).read_bytes(), name


# ---------------------------------------------------------------------------
# Sampled cohort structure.


def test_sampled_cohort_loads_with_plausible_structure(sampled: data.Cohort, sampled_dir: Path) -> None:
    assert sampled.n_subjects == SMALL
    trials = sampled.trials
    sessions = trials.drop_duplicates(["SUBJECT_ID", "SESSION_ID"])
    assert sessions.groupby("SUBJECT_ID").size().between(1, 4).all()
    assert trials.groupby("SESSION_ID").size().between(7, 21).all()
    assert set(trials["CLASS_LABEL"]) == {"HC"}
    assert set(trials["SEX"].dropna()) <= {0.0, 1.0}
    assert trials["AGE"].dropna().between(16, 70).all()
    assert trials["HEIGHT"].dropna().between(140, 215).all()
    metadata = pd.read_csv(sampled_dir / METADATA_FILE)
    np.testing.assert_allclose(metadata["BODY_WEIGHT"], np.round(metadata["BODY_MASS"] * 9.81, 1))
    assert metadata["SESSION_ID"].tolist() == list(range(1, len(metadata) + 1))
    speed = trials["WALKING_SPEED"]
    assert speed.isna().sum() == trials["DATASET_ID"].isin([6, 8, 10]).sum()
    assert speed.dropna().between(0.3, 2.5).all()
    assert abs(speed.mean() - 1.48) < 0.15
    assert np.isfinite(sampled.curves).all()


def test_ground_truth_has_one_row_per_trial_with_the_generators_speed(sampled: data.Cohort, sampled_dir: Path) -> None:
    truth = synthetic.read_ground_truth(sampled_dir)
    merged = sampled.trials[list(ID_COLUMNS) + ["WALKING_SPEED"]].merge(truth, on=list(ID_COLUMNS), validate="one_to_one")
    assert len(merged) == sampled.n_trials == len(truth)
    published = merged["WALKING_SPEED"].notna()
    np.testing.assert_allclose(merged.loc[published, "speed"], merged.loc[published, "WALKING_SPEED"])
    assert (merged["speed_imputed"] == (~published).astype(int)).all()
    assert merged["speed"].notna().all()
    assert {"F_V_first_peak_subject_effect", "F_V_first_peak_left", "COP_AP_length_right"} <= set(truth.columns)


def test_ground_truth_landmarks_are_on_the_curves(sampled: data.Cohort, sampled_dir: Path) -> None:
    truth = synthetic.read_ground_truth(sampled_dir).set_index(list(ID_COLUMNS)).loc[
        pd.MultiIndex.from_frame(sampled.trials[list(ID_COLUMNS)])
    ]
    curve = channel(sampled, "F_V_left")
    peak_time = truth["F_V_first_peak_time_left"].to_numpy()
    nearest = np.clip(np.round(peak_time).astype(int), 0, N_SAMPLES - 1)
    sampled_peak = curve[np.arange(len(curve)), nearest]
    # the curve passes through the knot; one sample away the cubic drops little, smooth noise adds ~0.005 BW
    assert np.abs(sampled_peak - truth["F_V_first_peak_left"].to_numpy()).mean() < 0.01


def test_n_subjects_sets_the_size(tmp_path: Path) -> None:
    report = synthesize(tmp_path / "three", seed=1, n_subjects=3)
    assert report.n_subjects == 3 and not report.real_structure
    assert data.load(report.out).n_subjects == 3


def test_curve_interpolation_is_scipys_pchip() -> None:
    from scipy.interpolate import PchipInterpolator

    rng = np.random.default_rng(0)
    times = np.sort(rng.uniform(1, 99, size=(5, 2, 6)), axis=-1)
    times[..., 0], times[..., -1] = 0.0, 100.0
    values = rng.normal(size=(5, 2, 6))
    grid = np.linspace(0, 100, N_SAMPLES)
    ours = synthetic_curves._pchip(times, values, grid)
    for trial in range(5):
        for side in range(2):
            expected = PchipInterpolator(times[trial, side], values[trial, side])(grid)
            np.testing.assert_allclose(ours[trial, side], expected, rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------------------
# Conventions are parameters.


def test_ml_sign_parameter_flips_only_that_side(sampled: data.Cohort, tmp_path: Path) -> None:
    flipped = SyntheticParameters(ml_sign_left=-1)
    cohort = data.load(synthesize(tmp_path / "flipped", seed=7, n_subjects=SMALL, parameters=flipped).out)
    np.testing.assert_allclose(channel(cohort, "F_ML_left"), -channel(sampled, "F_ML_left"), atol=1e-12)
    np.testing.assert_array_equal(channel(cohort, "F_ML_right"), channel(sampled, "F_ML_right"))
    np.testing.assert_array_equal(channel(cohort, "F_V_left"), channel(sampled, "F_V_left"))


def test_cop_origins(sampled: data.Cohort, tmp_path: Path) -> None:
    assert np.all(channel(sampled, "COP_AP_left")[:, 0] == 0.0)
    np.testing.assert_allclose(channel(sampled, "COP_ML_right").mean(axis=1), 0.0, atol=1e-5)
    other = SyntheticParameters(cop_ap_origin="mean", cop_ml_centred=False)
    cohort = data.load(synthesize(tmp_path / "origins", seed=7, n_subjects=SMALL, parameters=other).out)
    np.testing.assert_allclose(channel(cohort, "COP_AP_left").mean(axis=1), 0.0, atol=1e-5)
    assert np.all(channel(cohort, "COP_ML_left")[:, 0] == 0.0)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ml_sign_right": 0}, "ml_sign_right must be +1 or -1, got 0"),
        ({"cop_ap_origin": "heel"}, "cop_ap_origin must be 'start' or 'mean', got 'heel'"),
        ({"session_variance_share": 1.0}, "session_variance_share must be in [0, 1), got 1.0"),
        ({"sessions_per_subject_probabilities": (0.5, 0.2)}, "sessions_per_subject_probabilities must sum to 1"),
    ],
)
def test_invalid_parameters_are_rejected(change: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        SyntheticParameters(**change)


def test_component_templates_are_checked() -> None:
    vertical = synthetic.VERTICAL
    bad = dataclasses.replace(vertical, shape_knots=(synthetic.ShapeKnot("nowhere", 0.5, 0.5),))
    components = (bad, *synthetic.DEFAULT_COMPONENTS[1:])
    with pytest.raises(ValueError, match=re.escape("F_V: shape knot after unknown landmark 'nowhere'")):
        SyntheticParameters(components=components)


# ---------------------------------------------------------------------------
# Errors and atomic writing.


def write_structure(directory: Path, metadata: str, speeds: str) -> Path:
    directory.mkdir()
    (directory / METADATA_FILE).write_bytes(metadata.replace("\n", "\r\n").encode())
    (directory / SPEED_FILE).write_bytes(speeds.replace("\n", "\r\n").encode())
    return directory


METADATA = "DATASET_ID,SUBJECT_ID,SESSION_ID,SEX,AGE,HEIGHT,BODY_MASS,SHOD_CONDITION\n1,1,1,0,30,170,60,0\n1,2,2,NaN,NaN,NaN,80,0\n"
SPEEDS = "DATASET_ID,SUBJECT_ID,SESSION_ID,TRIAL_ID,WALKING_SPEED\n1,1,1,1,1.4\n1,1,1,2,1.5\n1,2,2,1,NaN\n"


def test_a_minimal_structure_directory_is_copied_and_imputed(tmp_path: Path) -> None:
    like = write_structure(tmp_path / "like", METADATA, SPEEDS)
    report = synthesize(tmp_path / "out", like=like, seed=2)
    assert (report.n_subjects, report.n_sessions, report.n_trials, report.real_structure) == (2, 2, 3, True)
    for name in (METADATA_FILE, SPEED_FILE):
        assert (report.out / name).read_bytes() == (like / name).read_bytes()
    truth = synthetic.read_ground_truth(report.out)
    assert truth["speed_imputed"].tolist() == [0, 0, 1]
    assert truth[["sex_imputed", "age_imputed", "height_imputed", "body_mass_imputed"]].iloc[2].tolist() == [1, 1, 1, 0]
    assert truth[["sex", "age", "height", "speed"]].notna().all().all()
    assert truth["sex"].iloc[2] in (0.0, 1.0)


@pytest.mark.parametrize(
    ("metadata", "speeds", "error", "message"),
    [
        (
            METADATA.replace(",BODY_MASS", ",MASS"),
            SPEEDS,
            DataFormatError,
            "GRF_metadata.csv lacks the column(s) BODY_MASS",
        ),
        (METADATA, SPEEDS.replace("WALKING_SPEED", "SPEED"), DataFormatError, "GRF_walking_speed.csv lacks the column(s) WALKING_SPEED"),
        (METADATA, SPEEDS.replace("1.5", "fast"), DataFormatError, "GRF_walking_speed.csv line 3, column WALKING_SPEED: 'fast' is not a number or NaN"),
        (METADATA, SPEEDS.replace("1,2,2,1", "1,3,3,1"), DataFormatError, "GRF_walking_speed.csv line 4: session DATASET_ID=1, SUBJECT_ID=3, SESSION_ID=3 is not in GRF_metadata.csv"),
        (METADATA, SPEEDS + "1,1,1,2,1.6\n", DataFormatError, "GRF_walking_speed.csv line 5: trial DATASET_ID=1, SUBJECT_ID=1, SESSION_ID=1, TRIAL_ID=2 appears twice"),
        (METADATA.replace("1,1,1,0,30", "1,1,1,2,30"), SPEEDS, DataFormatError, "GRF_metadata.csv line 2, column SEX: '2' is not 0, 1 or NaN"),
        (METADATA.replace("1,2,2,NaN", "1,2,NaN,NaN"), SPEEDS, DataFormatError, "GRF_metadata.csv line 3, column SESSION_ID: 'NaN' is not a whole number"),
    ],
)
def test_bad_structure_files_name_the_problem(
    tmp_path: Path, metadata: str, speeds: str, error: type[Exception], message: str
) -> None:
    like = write_structure(tmp_path / "like", metadata, speeds)
    with pytest.raises(error, match=re.escape(message)):
        synthesize(tmp_path / "out", like=like)
    assert not (tmp_path / "out").exists()


def test_missing_structure_directory_and_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist or is not a directory"):
        synthesize(tmp_path / "out", like=tmp_path / "nowhere")
    (tmp_path / "like").mkdir()
    (tmp_path / "like" / METADATA_FILE).write_text(METADATA)
    with pytest.raises(FileNotFoundError, match=re.escape(f"{tmp_path / 'like' / SPEED_FILE} not found")):
        synthesize(tmp_path / "out", like=tmp_path / "like")
    assert not (tmp_path / "out").exists()


def test_argument_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=re.escape("n_subjects applies only to a sampled cohort")):
        synthesize(tmp_path / "out", like=tmp_path, n_subjects=3)
    with pytest.raises(ValueError, match=re.escape("n_subjects must be a positive integer, got 0")):
        synthesize(tmp_path / "out", n_subjects=0)
    with pytest.raises(ValueError, match=re.escape("seed must be a non-negative integer, got -1")):
        synthesize(tmp_path / "out", seed=-1, n_subjects=2)
    (tmp_path / "file").write_text("")
    with pytest.raises(FileExistsError, match="exists and is not a directory"):
        synthesize(tmp_path / "file", n_subjects=2)


def test_failed_write_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(source: object, target: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(synthetic_writer.os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        synthesize(tmp_path / "out", seed=1, n_subjects=2)
    assert list(tmp_path.iterdir()) == []


def test_writes_into_an_existing_directory(tmp_path: Path) -> None:
    out = tmp_path / "existing"
    out.mkdir()
    (out / "keep.txt").write_text("other content")
    synthesize(out, seed=1, n_subjects=2)
    assert (out / "keep.txt").read_text() == "other content"
    assert all((out / name).is_file() for name in PUBLISHED_FILES)
    assert [path.name for path in tmp_path.iterdir()] == ["existing"]


# ---------------------------------------------------------------------------
# The full cohort on the real structure: counts, files, and the facts sheet.


def test_full_cohort_copies_the_real_structure(full_report: SynthesisReport, full: data.Cohort, real_structure_dir: Path) -> None:
    assert (full_report.n_subjects, full_report.n_sessions, full_report.n_trials) == (350, 661, 8819)
    assert full_report.real_structure and full_report.seed == 0
    assert (full.n_subjects, full.n_sessions, full.n_trials) == (350, 661, 8819)
    for name in (METADATA_FILE, SPEED_FILE):
        assert (full_report.out / name).read_bytes() == (real_structure_dir / name).read_bytes()
    assert "350 subjects, 661 sessions, 8,819 trials" in str(full_report)
    assert full_report.seconds < 60


def test_full_cohort_curves_are_finite(full: data.Cohort) -> None:
    assert full.curves.shape == (8819, len(CHANNELS), N_SAMPLES)
    assert np.isfinite(full.curves).all()


def test_imputed_speeds_fill_exactly_the_missing_ones(full_report: SynthesisReport, full: data.Cohort) -> None:
    truth = synthetic.read_ground_truth(full_report.out)
    merged = full.trials[list(ID_COLUMNS) + ["WALKING_SPEED"]].merge(truth, on=list(ID_COLUMNS))
    missing = merged["WALKING_SPEED"].isna()
    assert missing.sum() == 774
    assert (merged["speed_imputed"] == missing.astype(int)).all()
    assert merged.loc[missing, "speed"].between(0.8, 2.2).all()


@pytest.mark.parametrize("side", ["left", "right"])
def test_vertical_landmarks_match_the_facts(full: data.Cohort, side: str) -> None:
    vertical = channel(full, f"F_V_{side}")
    first_peak, first_time = vertical[:, 10:40].max(axis=1), vertical[:, 10:40].argmax(axis=1) + 10
    valley = vertical[:, 35:65].min(axis=1)
    second_peak, second_time = vertical[:, 60:90].max(axis=1), vertical[:, 60:90].argmax(axis=1) + 60
    assert abs(first_peak.mean() - 1.08) < 0.03
    assert 18 <= first_time.mean() <= 28
    assert abs(valley.mean() - 0.77) < 0.03
    assert abs(second_peak.mean() - 1.13) < 0.03
    assert 72 <= second_time.mean() <= 81
    assert abs(vertical[:, 0].mean() - 0.076) < 0.01
    assert abs(vertical[:, -1].mean() - 0.054) < 0.01
    between_subjects = subject_means(first_peak[:, None], full)[:, 0].std()
    assert 0.03 <= between_subjects <= 0.09


@pytest.mark.parametrize("side", ["left", "right"])
def test_shear_landmarks_match_the_facts(full: data.Cohort, side: str) -> None:
    anterior = channel(full, f"F_AP_{side}")
    assert abs(anterior.min(axis=1).mean() + 0.175) < 0.02
    assert 12 <= anterior.argmin(axis=1).mean() <= 20
    assert abs(anterior.max(axis=1).mean() - 0.219) < 0.02
    assert 83 <= anterior.argmax(axis=1).mean() <= 91
    mean_curve = anterior.mean(axis=0)
    crossing = np.flatnonzero((mean_curve[20:95][:-1] < 0) & (mean_curve[20:95][1:] >= 0))
    assert crossing.size == 1 and 50 <= crossing[0] + 20 <= 60
    assert np.abs(anterior[:, [0, -1]]).mean() < 0.01
    lateral = channel(full, f"F_ML_{side}")
    assert abs(lateral[:, :15].min(axis=1).mean() + 0.044) < 0.01
    assert abs(lateral.max(axis=1).mean() - 0.050) < 0.01
    assert np.abs(lateral[:, [0, -1]]).mean() < 0.01


@pytest.mark.parametrize("side", ["left", "right"])
def test_centre_of_pressure_matches_the_facts(full: data.Cohort, side: str) -> None:
    progression = channel(full, f"COP_AP_{side}")
    length = np.ptp(progression, axis=1)
    assert 0.20 <= length.mean() <= 0.27
    assert np.abs(progression[:, 0]).max() < 1e-3
    assert (np.diff(progression, axis=1) > -1e-3).all()
    sway = channel(full, f"COP_ML_{side}")
    assert abs(np.ptp(sway, axis=1).mean() - 0.03) < 0.006
    height = full.trials["HEIGHT"].to_numpy()
    known = ~np.isnan(height)
    slope = np.polyfit(height[known], length[known], 1)[0]
    assert 0.0008 < slope < 0.0026  # 1.7 mm per cm of height


def test_faster_walking_raises_the_first_peak_and_deepens_the_valley(full: data.Cohort) -> None:
    speed = full.trials["WALKING_SPEED"].to_numpy()
    known = ~np.isnan(speed)
    vertical = channel(full, "F_V_left")[known]
    first_peak_slope = np.polyfit(speed[known], vertical[:, 10:40].max(axis=1), 1)[0]
    valley_slope = np.polyfit(speed[known], vertical[:, 35:65].min(axis=1), 1)[0]
    braking_slope = np.polyfit(speed[known], channel(full, "F_AP_left")[known].min(axis=1), 1)[0]
    assert first_peak_slope > 0.1
    assert valley_slope < -0.1
    assert braking_slope < 0


def test_subjects_are_identifiable_across_sessions(full: data.Cohort) -> None:
    features = full.curves.reshape(full.n_trials, -1)
    features = (features - features.mean(axis=0)) / (features.std(axis=0) + 1e-9)
    subjects = full.trials["SUBJECT_ID"].to_numpy()
    sessions = full.trials["SESSION_ID"].to_numpy()
    several = full.trials.groupby("SUBJECT_ID")["SESSION_ID"].transform("nunique").to_numpy() > 1
    queries = np.flatnonzero(several)[::4]
    distances = (features**2).sum(axis=1)[None, :] - 2 * features[queries] @ features.T  # minus |query|^2, same per row
    distances[sessions[queries][:, None] == sessions[None, :]] = np.inf  # only other sessions count
    nearest = distances.argmin(axis=1)
    assert (subjects[nearest] == subjects[queries]).mean() > 0.8


def test_left_right_asymmetry_has_healthy_size(full: data.Cohort) -> None:
    def symmetry_index(component: str, landmark: str) -> np.ndarray:
        sides = np.stack([channel(full, f"{component}_{side}") for side in ("left", "right")], axis=1)
        values = sides.max(axis=2) if landmark == "max" else sides.min(axis=2)
        means = subject_means(values, full)
        return np.abs(200 * (means[:, 0] - means[:, 1]) / (means[:, 0] + means[:, 1]))

    vertical = symmetry_index("F_V", "max")
    braking = symmetry_index("F_AP", "min")
    assert 1.0 <= np.median(vertical) <= 3.5 and np.percentile(vertical, 95) <= 9
    assert 4.0 <= np.median(braking) <= 10 and np.percentile(braking, 95) <= 30


def test_body_mass_lowers_the_second_peak(full: data.Cohort) -> None:
    second_peak = subject_means(channel(full, "F_V_left")[:, 60:90].max(axis=1)[:, None], full)[:, 0]
    mass = full.trials.groupby("SUBJECT_ID")["BODY_MASS"].mean().to_numpy()
    assert np.corrcoef(mass, second_peak)[0, 1] < -0.15
