"""Which data a chapter runs on: precedence, caching, and the honest description."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import analysis.data
from analysis import paths
from analysis.data import METADATA_FILE, PUBLISHED_FILES, SPEED_FILE, reference, source

from fake_figshare import FakeFigshare, file_bodies, serve
from gutenberg_files import write_cohort

GENERATOR_VERSION = "test-generator-1"
GROUND_TRUTH_FILE = "ground_truth.json"


@dataclass
class FakeGenerator:
    """Records calls; can crash part-way or forget a file, like a broken generator."""

    calls: list[tuple[Path, Path | None, int]] = field(default_factory=list)
    crash_after_files: int | None = None
    leave_out: str | None = None

    def synthesize(self, out: Path, like: Path | None = None, seed: int = 0) -> str:
        self.calls.append((Path(out), like, seed))
        if self.crash_after_files is not None:
            for name in PUBLISHED_FILES[: self.crash_after_files]:
                (Path(out) / name).write_text("partial\r\n")
            raise KeyboardInterrupt
        write_cohort(Path(out), n_subjects=2, sessions_per_subject=1, trials_per_session=2, seed=seed)
        if self.leave_out is not None:
            (Path(out) / self.leave_out).unlink()
        (Path(out) / GROUND_TRUTH_FILE).write_text("{}\n")
        return f"synthesized seed {seed}"


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(paths.CACHE_VARIABLE, str(tmp_path / "cache"))
    for variable in (paths.DATA_DIR_VARIABLE, paths.DOWNLOAD_VARIABLE, paths.STRUCTURE_DIR_VARIABLE):
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture
def generator(monkeypatch: pytest.MonkeyPatch) -> FakeGenerator:
    fake = FakeGenerator()
    module = types.ModuleType("analysis.data.synthetic")
    module.GENERATOR_VERSION = GENERATOR_VERSION  # type: ignore[attr-defined]
    module.synthesize = fake.synthesize  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "analysis.data.synthetic", module)
    monkeypatch.setattr(analysis.data, "synthetic", module, raising=False)
    return fake


@pytest.fixture
def structure(tmp_path: Path) -> Path:
    directory = tmp_path / "structure"
    directory.mkdir()
    (directory / METADATA_FILE).write_text("DATASET_ID,SUBJECT_ID,SESSION_ID\r\n1,1,1\r\n")
    (directory / SPEED_FILE).write_text("DATASET_ID,SUBJECT_ID,SESSION_ID,TRIAL_ID,WALKING_SPEED\r\n1,1,1,1,1.4\r\n")
    return directory


@pytest.fixture
def real_dir(gutenberg_dir: Path) -> Path:
    """Stands in for a directory of the real Gutenberg files."""
    return gutenberg_dir


@pytest.fixture
def figshare() -> Iterator[FakeFigshare]:
    with serve(file_bodies()) as fake:
        yield fake


def assert_describes_real_data(chosen: source.DataSource) -> None:
    assert not chosen.is_synthetic
    assert chosen.seed is None
    assert chosen.real_structure
    assert chosen.label == "Gutenberg (real)"
    assert chosen.description.startswith("**Data: Gutenberg Gait Database** (Horst et al. 2021")
    assert f"`{chosen.directory}`" in chosen.description
    assert "synthetic" not in chosen.description.lower()
    assert "not real people" not in chosen.description
    assert "\n" not in chosen.description


# --- real data -------------------------------------------------------------


def test_explicit_directory_wins_over_environment_and_download(
    monkeypatch: pytest.MonkeyPatch, real_dir: Path, tmp_path: Path, generator: FakeGenerator
) -> None:
    other = tmp_path / "other"
    write_cohort(other)
    monkeypatch.setenv(paths.DATA_DIR_VARIABLE, str(other))
    monkeypatch.setenv(paths.DOWNLOAD_VARIABLE, "1")
    chosen = source.resolve(data_dir=real_dir)
    assert chosen.kind == "directory"
    assert chosen.directory == real_dir
    assert "passed as `data_dir`" in chosen.description
    assert_describes_real_data(chosen)
    assert generator.calls == []


def test_explicit_directory_may_be_a_string(real_dir: Path) -> None:
    assert source.resolve(data_dir=str(real_dir)).directory == real_dir


def test_missing_explicit_directory_is_an_error_not_synthetic(tmp_path: Path, generator: FakeGenerator) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(FileNotFoundError) as caught:
        source.resolve(data_dir=missing)
    assert str(caught.value) == f"data directory {missing} (from data_dir) does not exist"
    assert generator.calls == []


def test_explicit_directory_without_the_files_names_them(real_dir: Path) -> None:
    (real_dir / SPEED_FILE).unlink()
    (real_dir / PUBLISHED_FILES[0]).unlink()
    with pytest.raises(FileNotFoundError) as caught:
        source.resolve(data_dir=real_dir)
    assert str(caught.value) == (
        f"data directory {real_dir} (from data_dir) lacks 2 Gutenberg file(s): {PUBLISHED_FILES[0]}, {SPEED_FILE}"
    )


def test_explicit_path_to_a_file_is_refused(real_dir: Path) -> None:
    a_file = real_dir / METADATA_FILE
    with pytest.raises(NotADirectoryError, match="is not a directory"):
        source.resolve(data_dir=a_file)


def test_environment_directory_is_used(monkeypatch: pytest.MonkeyPatch, real_dir: Path) -> None:
    monkeypatch.setenv(paths.DATA_DIR_VARIABLE, str(real_dir))
    chosen = source.resolve()
    assert chosen.kind == "environment"
    assert chosen.directory == real_dir
    assert "named by `GAIT_DATA_DIR`" in chosen.description
    assert_describes_real_data(chosen)


def test_missing_environment_directory_is_an_error_not_synthetic(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, generator: FakeGenerator
) -> None:
    missing = tmp_path / "typo"
    monkeypatch.setenv(paths.DATA_DIR_VARIABLE, str(missing))
    with pytest.raises(FileNotFoundError) as caught:
        source.resolve()
    assert str(caught.value) == f"data directory {missing} (from GAIT_DATA_DIR) does not exist"
    assert generator.calls == []


def test_blank_environment_directory_counts_as_unset(
    monkeypatch: pytest.MonkeyPatch, structure: Path, generator: FakeGenerator
) -> None:
    monkeypatch.setenv(paths.DATA_DIR_VARIABLE, "  ")
    assert source.resolve(structure_dir=structure).kind == "synthetic"


# --- download --------------------------------------------------------------


def test_no_download_unless_asked(
    monkeypatch: pytest.MonkeyPatch, figshare: FakeFigshare, structure: Path, generator: FakeGenerator
) -> None:
    assert source.resolve(structure_dir=structure, api_url=figshare.api_url).kind == "synthetic"
    monkeypatch.setenv(paths.DOWNLOAD_VARIABLE, "1")
    assert source.resolve(download=False, structure_dir=structure, api_url=figshare.api_url).kind == "synthetic"
    monkeypatch.setenv(paths.DOWNLOAD_VARIABLE, "no")
    assert source.resolve(structure_dir=structure, api_url=figshare.api_url).kind == "synthetic"
    assert sum(figshare.requests.values()) == 0


def test_download_when_the_environment_asks(
    monkeypatch: pytest.MonkeyPatch, figshare: FakeFigshare, generator: FakeGenerator
) -> None:
    monkeypatch.setenv(paths.DOWNLOAD_VARIABLE, "1")
    chosen = source.resolve(api_url=figshare.api_url)
    assert chosen.kind == "download"
    assert chosen.directory == paths.download_cache_dir()
    assert "downloaded from figshare" in chosen.description
    assert_describes_real_data(chosen)
    bodies = file_bodies()
    for name in PUBLISHED_FILES:
        assert (chosen.directory / name).read_bytes() == bodies[name]
    assert generator.calls == []


def test_completed_download_is_reused_without_contacting_figshare(figshare: FakeFigshare) -> None:
    first = source.resolve(download=True, api_url=figshare.api_url)
    requests_after_first = sum(figshare.requests.values())
    assert figshare.download_requests() == 2 * len(PUBLISHED_FILES)
    second = source.resolve(download=True, api_url=figshare.api_url)
    assert second == first
    assert sum(figshare.requests.values()) == requests_after_first


def test_damaged_download_is_repaired(figshare: FakeFigshare) -> None:
    first = source.resolve(download=True, api_url=figshare.api_url)
    (first.directory / METADATA_FILE).write_text("damaged")
    before = figshare.download_requests()
    source.resolve(download=True, api_url=figshare.api_url)
    assert figshare.download_requests() == before + 2
    assert (first.directory / METADATA_FILE).read_bytes() == file_bodies()[METADATA_FILE]


# --- synthetic -------------------------------------------------------------


def test_synthetic_cohort_is_generated_once_and_cached(structure: Path, generator: FakeGenerator) -> None:
    first = source.resolve(seed=0, structure_dir=structure)
    assert len(generator.calls) == 1
    assert generator.calls[0][1:] == (structure, 0)
    assert first.kind == "synthetic"
    assert first.is_synthetic and first.real_structure
    assert first.seed == 0
    assert first.label == "synthetic (real structure)"
    assert first.directory.parent == paths.synthetic_cache_dir()
    assert source.is_complete_cohort(first.directory)
    assert all((first.directory / name).is_file() for name in PUBLISHED_FILES)
    assert (first.directory / GROUND_TRUTH_FILE).is_file()
    second = source.resolve(seed=0, structure_dir=structure)
    assert second == first
    assert len(generator.calls) == 1
    # Generated beside the cache entry, then moved: nothing else is left there.
    assert list(paths.synthetic_cache_dir().iterdir()) == [first.directory]


def test_synthetic_description_says_it_is_a_simulation(structure: Path, generator: FakeGenerator) -> None:
    description = source.resolve(seed=3, structure_dir=structure).description
    assert description.startswith("**Data: synthetic cohort.**")
    assert "generated by `analysis.data.synthetic` (seed 3) in the exact Gutenberg file format" in description
    assert "copying the real cohort structure (subjects, sessions, trials, demographics, walking speeds)" in description
    assert "Numbers on this page describe the simulation, not real people." in description
    assert "\n" not in description


def test_each_seed_gets_its_own_cohort(structure: Path, generator: FakeGenerator) -> None:
    seed_zero = source.resolve(seed=0, structure_dir=structure)
    seed_one = source.resolve(seed=1, structure_dir=structure)
    assert seed_zero.directory != seed_one.directory
    assert [call[2] for call in generator.calls] == [0, 1]
    assert (seed_zero.directory / SPEED_FILE).read_text() != (seed_one.directory / SPEED_FILE).read_text()


def test_changed_structure_files_mean_a_new_cohort(structure: Path, generator: FakeGenerator) -> None:
    before = source.resolve(structure_dir=structure)
    with (structure / SPEED_FILE).open("a") as speeds:
        speeds.write("1,1,1,2,1.5\r\n")
    after = source.resolve(structure_dir=structure)
    assert after.directory != before.directory
    assert len(generator.calls) == 2


def test_sampled_structure_is_labelled_as_such(generator: FakeGenerator) -> None:
    chosen = source.resolve(structure_dir=None)
    assert generator.calls[0][1:] == (None, 0)
    assert not chosen.real_structure
    assert chosen.label == "synthetic (sampled structure)"
    assert "with a sampled cohort structure" in chosen.description
    assert "not real people" in chosen.description
    assert chosen.directory.name.startswith("seed0-sampled-")


def test_default_structure_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, structure: Path, generator: FakeGenerator
) -> None:
    monkeypatch.setenv(paths.STRUCTURE_DIR_VARIABLE, str(structure))
    chosen = source.resolve(seed=2)
    assert generator.calls[0][1:] == (structure, 2)
    assert chosen.real_structure
    assert chosen.directory.name.startswith("seed2-real-")


def test_without_environment_the_shipped_real_structure_is_copied(generator: FakeGenerator) -> None:
    chosen = source.resolve(seed=0)
    assert generator.calls[0][1:] == (paths.REFERENCE_DIR, 0)
    assert chosen.real_structure
    assert chosen.label == "synthetic (real structure)"
    assert chosen.directory.name.startswith("seed0-real-")


def test_environment_can_ask_for_a_sampled_structure(monkeypatch: pytest.MonkeyPatch, generator: FakeGenerator) -> None:
    monkeypatch.setenv(paths.STRUCTURE_DIR_VARIABLE, "sampled")
    chosen = source.resolve(seed=0)
    assert generator.calls[0][1:] == (None, 0)
    assert not chosen.real_structure


def test_a_damaged_shipped_structure_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, generator: FakeGenerator
) -> None:
    copy = tmp_path / "reference"
    copy.mkdir()
    for name in (METADATA_FILE, SPEED_FILE):
        (copy / name).write_bytes((paths.REFERENCE_DIR / name).read_bytes())
    with (copy / SPEED_FILE).open("ab") as speeds:
        speeds.write(b"1,1,1,99,1.5\r\n")
    monkeypatch.setattr(paths, "REFERENCE_DIR", copy)
    with pytest.raises(reference.ReferenceDataError, match=f"reference file {copy / SPEED_FILE} has sha256 "):
        source.resolve(seed=0)
    assert generator.calls == []


def test_missing_structure_directory_is_named(tmp_path: Path, generator: FakeGenerator) -> None:
    missing = tmp_path / "no-structure"
    with pytest.raises(FileNotFoundError, match=f"structure directory {missing} does not exist"):
        source.resolve(structure_dir=missing)
    assert generator.calls == []


def test_structure_directory_without_metadata_is_named(structure: Path, generator: FakeGenerator) -> None:
    (structure / METADATA_FILE).unlink()
    with pytest.raises(FileNotFoundError) as caught:
        source.resolve(structure_dir=structure)
    assert str(caught.value) == f"structure directory {structure} has no {METADATA_FILE}"


def test_interrupted_generation_leaves_no_cohort(structure: Path, generator: FakeGenerator) -> None:
    generator.crash_after_files = 4
    with pytest.raises(KeyboardInterrupt):
        source.resolve(structure_dir=structure)
    assert list(paths.synthetic_cache_dir().iterdir()) == []
    generator.crash_after_files = None
    chosen = source.resolve(structure_dir=structure)
    assert len(generator.calls) == 2
    assert source.is_complete_cohort(chosen.directory)
    assert (chosen.directory / PUBLISHED_FILES[0]).read_text() != "partial\r\n"


def test_generator_that_forgets_a_file_is_caught(structure: Path, generator: FakeGenerator) -> None:
    generator.leave_out = PUBLISHED_FILES[7]
    with pytest.raises(FileNotFoundError, match=f"analysis.data.synthetic.synthesize did not write {PUBLISHED_FILES[7]} into "):
        source.resolve(structure_dir=structure)
    assert list(paths.synthetic_cache_dir().iterdir()) == []


def test_unmarked_cache_entry_is_regenerated(generator: FakeGenerator) -> None:
    stale = paths.synthetic_cache_dir() / source.cohort_key(GENERATOR_VERSION, 0, None)
    stale.mkdir(parents=True)
    (stale / PUBLISHED_FILES[0]).write_text("left by a crashed copy\r\n")
    chosen = source.resolve(structure_dir=None)
    assert chosen.directory == stale
    assert len(generator.calls) == 1
    assert source.is_complete_cohort(stale)
    assert (stale / PUBLISHED_FILES[0]).read_text() != "left by a crashed copy\r\n"


def test_cohort_key_tracks_everything_that_shapes_the_cohort() -> None:
    key = source.cohort_key("1", 0, "abc")
    assert key == source.cohort_key("1", 0, "abc")
    assert key.startswith("seed0-real-") and len(key.split("-")[-1]) == 16
    others = {source.cohort_key("2", 0, "abc"), source.cohort_key("1", 1, "abc"), source.cohort_key("1", 0, "abd")}
    assert key not in others and len(others) == 3
    assert source.cohort_key("1", 0, None).startswith("seed0-sampled-")


def test_a_named_directory_written_by_the_generator_is_labelled_synthetic(tmp_path, monkeypatch):
    from analysis.data import source, synthetic

    assert source.SYNTHETIC_GROUND_TRUTH == synthetic.GROUND_TRUTH_FILE
    monkeypatch.delenv("GAIT_DATA_DIR", raising=False)
    synthetic.synthesize(tmp_path / "cohort", seed=3, n_subjects=4)
    resolved = source.resolve(data_dir=tmp_path / "cohort")
    assert resolved.is_synthetic
    assert "not real people" in resolved.description
    assert resolved.label == source.SYNTHETIC_NAMED_LABEL
