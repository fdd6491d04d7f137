"""The data source names its database: Gutenberg by default, GaitRec on request, nothing else."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from analysis import paths
from analysis.book import report
from analysis.data import METADATA_FILE, DataFormatError, datasets, download, source
from analysis.data.gaitrec import PUBLISHED_FILES as GAITREC_FILES

import gaitrec_files
from fake_figshare import FakeFigshare, serve
from gutenberg_files import write_cohort as write_gutenberg_cohort

GAITREC_COLLECTION = download.GAITREC_COLLECTION_ID


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(paths.CACHE_VARIABLE, str(tmp_path / "cache"))
    for variable in (
        paths.DATA_DIR_VARIABLE,
        paths.GAITREC_DATA_DIR_VARIABLE,
        paths.DOWNLOAD_VARIABLE,
        paths.STRUCTURE_DIR_VARIABLE,
    ):
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture
def no_synthesis(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Records any attempt to generate a synthetic cohort (none is expected here)."""
    calls: list[int] = []

    def refuse(seed: int = 0, structure_dir: Path | None = None) -> Path:
        calls.append(seed)
        raise AssertionError("a synthetic cohort was generated")

    monkeypatch.setattr(source, "synthetic_cohort", refuse)
    return calls


@pytest.fixture(scope="module")
def gaitrec_bodies(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return gaitrec_files.file_bodies(workspace=tmp_path_factory.mktemp("bodies"))


@pytest.fixture
def gaitrec_figshare(gaitrec_bodies: dict[str, bytes]) -> Iterator[FakeFigshare]:
    with serve(gaitrec_bodies, collection_id=GAITREC_COLLECTION) as fake:
        yield fake


def assert_describes_real_gaitrec(chosen: source.DataSource) -> None:
    assert (chosen.dataset, chosen.label) == ("gaitrec", "GaitRec (real)")
    assert not chosen.is_synthetic and chosen.seed is None
    assert chosen.description.startswith("**Data: GaitRec** (Horsak et al. 2020, Sci Data 7:143; ")
    assert "doi:10.6084/m9.figshare.c.4788012" in chosen.description
    assert f"`{chosen.directory}`" in chosen.description
    assert "healthy controls and patients with hip, knee, ankle or calcaneus impairments" in chosen.description
    assert "Gutenberg" not in chosen.description and "synthetic" not in chosen.description.lower()


# --- the argument ----------------------------------------------------------


def test_gutenberg_is_the_default_and_is_named(gutenberg_dir: Path) -> None:
    chosen = source.resolve(data_dir=gutenberg_dir)
    assert (chosen.dataset, chosen.label) == ("gutenberg", "Gutenberg (real)")
    assert source.resolve(data_dir=gutenberg_dir, dataset="gutenberg") == chosen
    assert source.DataSource.__dataclass_fields__["dataset"].default == "gutenberg"


@pytest.mark.parametrize("name", ["gaitrek", "GaitRec", "", None, 2])
def test_an_unknown_dataset_is_refused_before_anything_happens(
    gaitrec_figshare: FakeFigshare, no_synthesis: list[int], name: object
) -> None:
    with pytest.raises(ValueError) as caught:
        source.resolve(dataset=name, download=True, api_url=gaitrec_figshare.api_url)  # type: ignore[arg-type]
    assert str(caught.value) == f"dataset must be one of 'gutenberg', 'gaitrec', got {name!r}"
    assert sum(gaitrec_figshare.requests.values()) == 0
    assert no_synthesis == []
    assert not paths.cache_dir().exists()


def test_the_registry_names_both_databases() -> None:
    assert datasets.NAMES == ("gutenberg", "gaitrec")
    assert datasets.DEFAULT_DATASET == "gutenberg"
    with pytest.raises(ValueError, match=r"^--dataset must be one of 'gutenberg', 'gaitrec', got 'x'$"):
        datasets.get("x", "--dataset")


# --- real GaitRec files ----------------------------------------------------


def test_an_explicit_gaitrec_directory(gaitrec_dir: Path, no_synthesis: list[int]) -> None:
    chosen = source.resolve(data_dir=gaitrec_dir, dataset="gaitrec")
    assert (chosen.kind, chosen.directory) == ("directory", gaitrec_dir)
    assert "passed as `data_dir`" in chosen.description
    assert_describes_real_gaitrec(chosen)
    cohort = source.load_cohort(chosen)
    assert (cohort.dataset, cohort.n_subjects) == ("gaitrec", 5)


def test_every_page_banner_names_gaitrec(gaitrec_dir: Path) -> None:
    banner = report.data_banner(source.resolve(data_dir=gaitrec_dir, dataset="gaitrec"))
    assert banner.splitlines()[:2] == ["````{admonition} Data: GaitRec (real)", ":class: note"]
    assert "**Data: GaitRec** (Horsak et al. 2020" in banner


def test_gaitrec_has_its_own_environment_variable(
    monkeypatch: pytest.MonkeyPatch, gaitrec_dir: Path, gutenberg_dir: Path, no_synthesis: list[int]
) -> None:
    monkeypatch.setenv(paths.GAITREC_DATA_DIR_VARIABLE, str(gaitrec_dir))
    monkeypatch.setenv(paths.DATA_DIR_VARIABLE, str(gutenberg_dir))
    chosen = source.resolve(dataset="gaitrec")
    assert (chosen.kind, chosen.directory) == ("environment", gaitrec_dir)
    assert "named by `GAITREC_DATA_DIR`" in chosen.description
    assert_describes_real_gaitrec(chosen)
    # The Gutenberg chapters keep reading GAIT_DATA_DIR.
    assert source.resolve().directory == gutenberg_dir


def test_a_missing_gaitrec_directory_names_its_variable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(paths.GAITREC_DATA_DIR_VARIABLE, str(tmp_path / "typo"))
    with pytest.raises(FileNotFoundError) as caught:
        source.resolve(dataset="gaitrec")
    assert str(caught.value) == f"data directory {tmp_path / 'typo'} (from GAITREC_DATA_DIR) does not exist"


def test_a_gaitrec_directory_without_its_files_names_them(gaitrec_dir: Path) -> None:
    (gaitrec_dir / METADATA_FILE).unlink()
    with pytest.raises(FileNotFoundError) as caught:
        source.resolve(data_dir=gaitrec_dir, dataset="gaitrec")
    assert str(caught.value) == f"data directory {gaitrec_dir} (from data_dir) lacks 1 GaitRec file(s): {METADATA_FILE}"


def test_gutenberg_files_are_not_labelled_gaitrec(gutenberg_dir: Path) -> None:
    with pytest.raises(DataFormatError) as caught:
        source.resolve(data_dir=gutenberg_dir, dataset="gaitrec")
    assert str(caught.value) == (
        f"data directory {gutenberg_dir} (from data_dir) does not hold GaitRec files: "
        f"{METADATA_FILE} has the column DATASET_ID, so it is not a GaitRec file"
    )


def test_gaitrec_files_are_not_labelled_gutenberg(gaitrec_dir: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"lacks 1 Gutenberg file\(s\): GRF_walking_speed.csv$"):
        source.resolve(data_dir=gaitrec_dir)
    (gaitrec_dir / "GRF_walking_speed.csv").write_text("SUBJECT_ID,SESSION_ID,TRIAL_ID,WALKING_SPEED\r\n1,1,1,1.4\r\n")
    with pytest.raises(DataFormatError) as caught:
        source.resolve(data_dir=gaitrec_dir)
    assert str(caught.value) == (
        f"data directory {gaitrec_dir} (from data_dir) does not hold Gutenberg files: "
        f"{METADATA_FILE} lacks the column(s) DATASET_ID in its header"
    )


def test_without_gaitrec_files_there_is_no_synthetic_fallback(
    monkeypatch: pytest.MonkeyPatch, gutenberg_dir: Path, no_synthesis: list[int]
) -> None:
    monkeypatch.setenv(paths.DATA_DIR_VARIABLE, str(gutenberg_dir))  # Gutenberg's data must not stand in
    with pytest.raises(source.DataUnavailableError) as caught:
        source.resolve(dataset="gaitrec")
    assert str(caught.value) == (
        "no GaitRec data: pass `data_dir`, set `GAITREC_DATA_DIR` to a directory with the GaitRec files, "
        "or ask for a download (`download=True` or `GAIT_DOWNLOAD=1`); there is no synthetic GaitRec cohort to fall back on"
    )
    assert isinstance(caught.value, FileNotFoundError)
    assert no_synthesis == []
    assert not paths.cache_dir().exists()


# --- GaitRec download ------------------------------------------------------


def test_gaitrec_download_goes_to_its_own_cache_and_is_reused(
    gaitrec_figshare: FakeFigshare, gaitrec_bodies: dict[str, bytes], no_synthesis: list[int]
) -> None:
    first = source.resolve(dataset="gaitrec", download=True, api_url=gaitrec_figshare.api_url)
    assert (first.kind, first.directory) == ("download", paths.download_cache_dir("gaitrec"))
    assert first.directory == paths.cache_dir() / "gaitrec" != paths.download_cache_dir()
    assert_describes_real_gaitrec(first)
    for name in GAITREC_FILES:
        assert (first.directory / name).read_bytes() == gaitrec_bodies[name]
    requests_after_first = sum(gaitrec_figshare.requests.values())
    assert source.resolve(dataset="gaitrec", download=True, api_url=gaitrec_figshare.api_url) == first
    assert sum(gaitrec_figshare.requests.values()) == requests_after_first
    assert source.load_cohort(first).n_trials == 20


def test_gaitrec_download_when_the_environment_asks(
    monkeypatch: pytest.MonkeyPatch, gaitrec_figshare: FakeFigshare
) -> None:
    monkeypatch.setenv(paths.DOWNLOAD_VARIABLE, "1")
    assert source.resolve(dataset="gaitrec", api_url=gaitrec_figshare.api_url).kind == "download"


def test_a_corrupted_gaitrec_download_leaves_no_unverified_file(gaitrec_figshare: FakeFigshare) -> None:
    gaitrec_figshare.corrupt.add(GAITREC_FILES[2])
    with pytest.raises(download.DownloadError, match=rf"^{GAITREC_FILES[2]}: MD5 mismatch"):
        source.resolve(dataset="gaitrec", download=True, api_url=gaitrec_figshare.api_url)
    cache = paths.download_cache_dir("gaitrec")
    assert sorted(path.name for path in cache.iterdir()) == sorted(GAITREC_FILES[:2])
    assert download.verified_local_copy(cache, wanted=GAITREC_FILES) is None
    gaitrec_figshare.corrupt.clear()
    repaired = source.resolve(dataset="gaitrec", download=True, api_url=gaitrec_figshare.api_url)
    assert source.load_cohort(repaired).dataset == "gaitrec"


# --- loading what a source names -------------------------------------------


def test_load_cohort_uses_the_loader_of_the_sources_database(gutenberg_dir: Path, tmp_path: Path) -> None:
    gutenberg = source.load_cohort(source.resolve(data_dir=gutenberg_dir))
    assert (gutenberg.dataset, gutenberg.trial_key[0]) == ("gutenberg", "DATASET_ID")
    other = tmp_path / "second"
    write_gutenberg_cohort(other)
    forged = source.DataSource(
        kind="directory", directory=other, is_synthetic=False, real_structure=True, seed=None,
        description="", label="", dataset="gaitrek",
    )  # fmt: skip
    with pytest.raises(ValueError, match=r"^data_source.dataset must be one of 'gutenberg', 'gaitrec', got 'gaitrek'$"):
        source.load_cohort(forged)


def test_named_synthetic_directories_say_which_format(tmp_path: Path) -> None:
    from analysis.data import synthetic

    synthetic.synthesize(tmp_path / "cohort", seed=1, n_subjects=3)
    chosen = source.resolve(data_dir=tmp_path / "cohort")
    assert chosen.is_synthetic and chosen.dataset == "gutenberg"
    assert "in the Gutenberg file format" in chosen.description
    with pytest.raises(DataFormatError, match="does not hold GaitRec files: .* has the column DATASET_ID"):
        source.resolve(data_dir=tmp_path / "cohort", dataset="gaitrec")
