"""The book as a whole: sources in sync, table of contents, a full build, the site.

The slow tests share one session fixture that copies ``book/`` into a
temporary directory, executes every chapter there with the ``smoke`` profile
and builds the HTML with warnings as errors, exactly as ``make book`` does
with the ``full`` profile.
"""

from __future__ import annotations

import functools
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jupytext
import nbformat
import pytest
import yaml

from analysis import paths
from analysis.book import pipeline, timings

BOOK = paths.BOOK_DIR
EXECUTED_PREFIX = "_executed/"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RESULTS_PAGE = "_executed/04_1_feature_learning.html"
# A page with inline ($...$) and display ($$...$$) equations.
EQUATION_PAGE = "_executed/03_2_models.html"
MATHJAX_EXTENSION = "sphinx-mathjax-offline"
# MathJax from a content delivery network, as Sphinx loads it by default.
MATHJAX_CDN = re.compile(r"(cdn\.jsdelivr\.net|cdnjs\.cloudflare\.com|unpkg\.com)/[^\"' ]*mathjax", re.IGNORECASE)
CITE_ROLE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")
BIB_KEY = re.compile(r"^@\w+\{([^,\s]+),", re.MULTILINE)


# ------------------------------------------------------------------- sources


def toc_files(toc_path: Path = BOOK / "_toc.yml") -> list[str]:
    """Every ``file:`` of the table of contents, root first, in reading order."""
    toc = yaml.safe_load(toc_path.read_text())
    files = [toc["root"]]

    def walk(entries: list[dict]) -> None:
        for entry in entries:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections", []))
            walk(entry.get("chapters", []))

    for part in toc.get("parts", []):
        walk(part.get("chapters", []))
    walk(toc.get("chapters", []))
    return files


def cell_summary(notebook: nbformat.NotebookNode) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(cell.cell_type, cell.source.strip(), tuple(cell.metadata.get("tags", ()))) for cell in notebook.cells]


@pytest.mark.parametrize("chapter", pipeline.CHAPTERS)
def test_chapter_pair_is_in_sync(chapter: str) -> None:
    script, notebook = BOOK / f"{chapter}.py", BOOK / f"{chapter}.ipynb"
    missing = [path.name for path in (script, notebook) if not path.is_file()]
    assert not missing, f"chapter {chapter}: missing {', '.join(missing)} in {BOOK}"
    assert "# %%" in script.read_text(), f"chapter {chapter}: {script.name} is not in py:percent format"

    from_script = cell_summary(jupytext.read(script))
    from_notebook = cell_summary(jupytext.read(notebook))
    for index, (left, right) in enumerate(zip(from_script, from_notebook)):
        assert left == right, f"chapter {chapter}: cell {index} differs between {script.name} and {notebook.name}; run `jupytext --sync {script}`"
    assert len(from_script) == len(from_notebook), (
        f"chapter {chapter}: {script.name} has {len(from_script)} cells, {notebook.name} {len(from_notebook)}; "
        f"run `jupytext --sync {script}`"
    )
    tagged = [cell for cell in from_notebook if "parameters" in cell[2]]
    assert len(tagged) == 1, f"chapter {chapter}: needs exactly one cell tagged 'parameters' for papermill, found {len(tagged)}"
    assert re.search(r"^profile\s*=", tagged[0][1], re.MULTILINE), f"chapter {chapter}: the parameters cell must set `profile`"


@pytest.mark.parametrize("chapter", pipeline.CHAPTERS)
def test_committed_notebook_has_no_outputs(chapter: str) -> None:
    path = BOOK / f"{chapter}.ipynb"
    assert path.is_file(), f"chapter {chapter}: {path} does not exist"
    notebook = nbformat.read(path, as_version=4)
    dirty = [
        index
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]
    assert not dirty, f"chapter {chapter}: cells {dirty} of {path.name} have outputs or execution counts; strip them before committing"


def glue_share(source: str) -> float:
    """Share of a cell's code lines (comments and blanks aside) that only glue values for the prose."""
    lines = [line for line in source.splitlines() if line.strip() and not line.strip().startswith("#")]
    return sum("report.glue_" in line for line in lines) / len(lines) if lines else 0.0


def test_glue_share_counts_code_lines_only() -> None:
    assert glue_share('# a comment\n\nx = 1\nreport.glue_number("x", x)\n') == 0.5
    assert glue_share("") == 0.0


@pytest.mark.parametrize("chapter", pipeline.CHAPTERS)
def test_bookkeeping_cells_hide_their_code(chapter: str) -> None:
    """Readers see analysis code that teaches something, not lists of glue calls."""
    notebook = jupytext.read(BOOK / f"{chapter}.py")
    shown = [
        index
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
        and glue_share(cell.source) >= 0.5
        and not {"remove-input", "hide-input", "remove-cell"} & set(cell.metadata.get("tags", []))
    ]
    assert not shown, f"chapter {chapter}: cells {shown} are mostly glue calls; tag them remove-input"


CROSS_GLUE = re.compile(r"\{glue:text\}`(?P<doc>[^`:]+)\.ipynb::(?P<key>[A-Za-z0-9_]+)(?P<format>:[^`]*)?`")


def test_values_pasted_from_other_chapters_exist_and_carry_a_format() -> None:
    """Without a format spec myst-nb pastes an empty string silently; with an unknown key the build fails late."""
    references = [match for page in BOOK.glob("*.md") for match in CROSS_GLUE.finditer(page.read_text())]
    assert references, "the landing page pastes its headline numbers from the chapters"
    for match in references:
        assert match["format"], f"{match[0]}: give a format spec (e.g. :d, :s, :.2f)"
        chapter = BOOK / f"{Path(match['doc']).name}.py"
        assert chapter.is_file(), f"{match[0]}: no chapter {chapter.name}"
        assert f'"{match["key"]}"' in chapter.read_text(), f"{match[0]}: {chapter.name} glues no {match['key']!r}"


def test_toc_entries_exist() -> None:
    files = toc_files()
    missing = []
    for entry in files:
        if entry.startswith(EXECUTED_PREFIX):
            name = entry[len(EXECUTED_PREFIX) :]
            if not (BOOK / f"{name}.ipynb").is_file():
                missing.append(f"{entry} (source book/{name}.ipynb)")
        elif not any((BOOK / f"{entry}{suffix}").is_file() for suffix in (".md", ".ipynb")):
            missing.append(f"{entry} (book/{entry}.md)")
    assert not missing, "table of contents names missing pages: " + ", ".join(missing)
    assert len(files) == len(set(files)), "a page appears twice in the table of contents"


def test_toc_is_in_the_books_four_parts_none_of_them_empty() -> None:
    toc = yaml.safe_load((BOOK / "_toc.yml").read_text())
    captions = [part["caption"] for part in toc["parts"]]
    assert captions == ["The reproduction", "Audit and beyond", "Sibling methods on the same curves", "Back matter"]
    for part in toc["parts"]:
        assert part.get("chapters"), f"part {part['caption']!r} has no pages"
        for chapter in part["chapters"]:
            source = BOOK / f"{chapter['file']}.md"
            if source.is_file() and part["caption"] != "Back matter":
                prose = [line for line in source.read_text().splitlines() if line.strip() and not line.startswith("#")]
                assert len(" ".join(prose).split()) >= 60, f"{source.name} is a page without content"


def test_toc_lists_the_executed_chapters_in_book_order() -> None:
    executed = [entry[len(EXECUTED_PREFIX) :] for entry in toc_files() if entry.startswith(EXECUTED_PREFIX)]
    assert tuple(executed) == pipeline.CHAPTERS


def test_config_leaves_execution_to_papermill() -> None:
    config = yaml.safe_load((BOOK / "_config.yml").read_text())
    assert config["execute"]["execute_notebooks"] == "off"
    assert {"*.ipynb", "*.py", "_build", "_executed/*.md"} <= set(config["exclude_patterns"])
    assert config["sphinx"]["config"]["nb_render_markdown_format"] == "myst"
    assert all((BOOK / name).is_file() for name in config["bibtex_bibfiles"])


def test_config_serves_mathjax_from_the_site() -> None:
    """The extension copies MathJax into the site; nothing may point MathJax back at a CDN."""
    import importlib

    sphinx_config = yaml.safe_load((BOOK / "_config.yml").read_text())["sphinx"]["config"]
    assert MATHJAX_EXTENSION in sphinx_config["extensions"]
    assert "mathjax_path" not in sphinx_config, "mathjax_path is set by the offline MathJax extension"
    extension = importlib.import_module(MATHJAX_EXTENSION)
    assert (Path(extension.__file__).parent / "static" / "mathjax" / "tex-chtml.js").is_file()


def test_every_citation_has_a_bibliography_entry() -> None:
    keys = set(BIB_KEY.findall((BOOK / "references.bib").read_text()))
    sources = sorted(BOOK.glob("*.md")) + sorted(BOOK.glob("*.py"))
    unknown = {
        f"{source.name}: {key}"
        for source in sources
        for role in CITE_ROLE.findall(source.read_text())
        for key in (part.strip() for part in role.split(","))
        if key not in keys
    }
    assert not unknown, "citations without an entry in references.bib: " + ", ".join(sorted(unknown))


def test_bibliography_keys_are_unique_and_doi_fields_are_bare() -> None:
    text = (BOOK / "references.bib").read_text()
    keys = BIB_KEY.findall(text)
    assert len(keys) == len(set(keys))
    for doi in re.findall(r"doi\s*=\s*\{([^}]*)\}", text):
        assert re.fullmatch(r"10\.\d{4,9}/\S+", doi), f"DOI field {doi!r} must be a bare DOI (no https://doi.org/)"


# --------------------------------------------------------------- the site


@dataclass(frozen=True)
class Site:
    book: Path
    html: Path
    records: list[pipeline.ExecutionRecord]
    tree_before: dict[str, tuple[int, int]]


def source_snapshot(book: Path) -> dict[str, tuple[int, int]]:
    """Size and mtime of every file of a book folder except generated ones."""
    generated = {"_build", "_executed"}
    return {
        path.relative_to(book).as_posix(): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted(book.rglob("*"))
        if path.is_file() and path.relative_to(book).parts[0] not in generated
    }


def copy_book(destination: Path) -> Path:
    shutil.copytree(BOOK, destination, ignore=shutil.ignore_patterns("_build", "_executed", ".ipynb_checkpoints"))
    return destination


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """Every chapter executed with the smoke profile, then the book built with -W -n."""
    book = copy_book(tmp_path_factory.mktemp("site") / "book")
    before = source_snapshot(book)
    records = pipeline.execute(pipeline.CHAPTERS, profile="smoke", output_dir=book / "_executed", book_dir=book)
    html = pipeline.build("html", warnings_as_errors=True, book_dir=book)
    return Site(book=book, html=html, records=records, tree_before=before)


class PageParser(HTMLParser):
    """Collects image sources, link targets, script sources and element ids of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.images: list[str] = []
        self.links: list[str] = []
        self.scripts: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        for name in ("id", "name"):
            if attributes.get(name):
                self.ids.add(attributes[name])
        if tag == "img" and attributes.get("src"):
            self.images.append(attributes["src"])
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        if tag == "script" and attributes.get("src"):
            self.scripts.append(attributes["src"])


@functools.lru_cache(maxsize=None)
def parse_page(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def html_pages(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*.html") if "_static" not in path.relative_to(root).parts)


@pytest.mark.slow
def test_every_chapter_executed_and_built(site: Site) -> None:
    assert [record.chapter for record in site.records] == list(pipeline.CHAPTERS)
    assert all(record.executed and record.notebook.is_file() for record in site.records)
    assert (site.html / "index.html").is_file()
    for entry in toc_files():
        assert (site.html / f"{entry}.html").is_file(), f"{entry}.html was not built"


# A tqdm progress line, e.g. "sae: 100%|█████| 3/3 [00:01<00:00, 2.1epoch/s, ...]".
PROGRESS_LINE = re.compile(r"^[^|]*\d+%\|.*\|\s*\d+/\d+ \[")


def unexpected_output(notebook: nbformat.NotebookNode) -> list[str]:
    """Error outputs, warnings in any stream, and stderr that is not a progress bar."""
    problems = []
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                problems.append(f"cell {index}: {output.get('ename')}: {output.get('evalue')}")
            if output.get("output_type") != "stream":
                continue
            for line in re.split(r"[\r\n]+", output.get("text", "")):
                text = line.strip()
                if not text:
                    continue
                if "Warning" in text or (output.get("name") == "stderr" and not PROGRESS_LINE.match(text)):
                    problems.append(f"cell {index} ({output.get('name')}): {text[:200]}")
    return problems


# Cell values a reader should never see in a rendered table.
PYTHON_CELL = re.compile(r"^(nan|NaN|None|False|True|<NA>|NaT|-0(\.0+)?)$")


def hygiene_problems(notebook: nbformat.NotebookNode) -> list[str]:
    """Stray cell results, raw pandas tables and Python values inside the chapter's tables.

    A cell may end in a figure or in Markdown it means to show; any other
    result (a number left by a glue call, a DataFrame rendered by pandas) is
    debris on the page.
    """
    problems = []
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if output.get("output_type") == "execute_result" and not ({"image/png", "text/markdown"} & set(data)):
                shown = str(data.get("text/plain", ""))[:60]
                problems.append(f"cell {index}: stray result {shown!r}")
            markdown = str(data.get("text/markdown", ""))
            for line in markdown.splitlines():
                if line.startswith("|"):
                    for value in (cell_text.strip() for cell_text in line.strip().strip("|").split("|")):
                        if PYTHON_CELL.match(value):
                            problems.append(f"cell {index}: table cell {value!r}")
            if "phase.#" in markdown:
                problems.append(f"cell {index}: literal 'phase.#'")
    return problems


def test_hygiene_check_has_teeth() -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output("execute_result", {"text/plain": "5"}, execution_count=1)]),
        nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output("execute_result", {"text/html": "<table/>", "text/plain": "df"}, execution_count=2)]),
        nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output("display_data", {"text/markdown": "| a | b |\n| --- | --- |\n| nan | -0.000 |\n| False | 1 |"})]),
        nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output("execute_result", {"text/markdown": "| a |\n| --- |\n| 0.0 |", "text/plain": "md"}, execution_count=3)]),
    ]
    assert hygiene_problems(notebook) == [
        "cell 0: stray result '5'",
        "cell 1: stray result 'df'",
        "cell 2: table cell 'nan'",
        "cell 2: table cell '-0.000'",
        "cell 2: table cell 'False'",
    ]


def problems_by_chapter(site: Site, check: Callable[[nbformat.NotebookNode], list[str]]) -> str:
    """The first problems ``check`` finds in each executed chapter, one line each ("" when none)."""
    found = {
        record.chapter: problems
        for record in site.records
        if (problems := check(nbformat.read(record.notebook, as_version=4)))
    }
    return "\n".join(f"{chapter}: {line}" for chapter, lines in found.items() for line in lines[:5])


@pytest.mark.slow
def test_pages_show_no_stray_results_or_python_values(site: Site) -> None:
    found = problems_by_chapter(site, hygiene_problems)
    assert not found, "executed chapters show debris:\n" + found


@pytest.mark.slow
def test_chapters_print_no_warnings(site: Site) -> None:
    found = problems_by_chapter(site, unexpected_output)
    assert not found, "executed chapters printed warnings or errors:\n" + found


@pytest.mark.slow
def test_chapters_do_not_modify_the_book(site: Site) -> None:
    after = source_snapshot(site.book)
    changed = sorted(name for name in set(after) | set(site.tree_before) if after.get(name) != site.tree_before.get(name))
    assert not changed, "executing the chapters changed files outside _executed/: " + ", ".join(changed)


@pytest.mark.slow
def test_every_results_page_names_its_data(site: Site) -> None:
    label = pipeline.resolve_source({"profile": "smoke"}).label
    missing = []
    for chapter in pipeline.CHAPTERS:
        text = (site.html / "_executed" / f"{chapter}.html").read_text(encoding="utf-8")
        if f"Data: {label}" not in text or "admonition" not in text:
            missing.append(chapter)
    assert not missing, f"chapters without the data banner ('Data: {label}'): {', '.join(missing)}"


@pytest.mark.slow
def test_every_image_exists(site: Site) -> None:
    broken = []
    for page in html_pages(site.html):
        for source in parse_page(page).images:
            parts = urlsplit(source)
            if parts.scheme == "data":
                continue
            if parts.scheme or parts.netloc:
                broken.append(f"{page.relative_to(site.html)}: external image {source}")
            elif not (page.parent / unquote(parts.path)).is_file():
                broken.append(f"{page.relative_to(site.html)}: {source}")
    assert not broken, "images that do not exist: " + "; ".join(broken)


@pytest.mark.slow
def test_internal_links_resolve(site: Site) -> None:
    broken = []
    for page in html_pages(site.html):
        for href in parse_page(page).links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc:
                continue  # external links are not followed (no network)
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            where = f"{page.relative_to(site.html)} -> {href}"
            if not target.is_file():
                broken.append(where)
            elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in parse_page(target).ids:
                broken.append(where)
    assert not broken, "links that do not resolve: " + "; ".join(broken)


@pytest.mark.slow
def test_mathjax_is_served_by_the_site(site: Site) -> None:
    """No page loads MathJax from the network; pages with equations load the site's copy."""
    from_cdn = []
    local_mathjax: dict[str, list[str]] = {}
    for page in html_pages(site.html):
        name = page.relative_to(site.html).as_posix()
        if MATHJAX_CDN.search(page.read_text(encoding="utf-8")):
            from_cdn.append(name)
        for source in parse_page(page).scripts:
            parts = urlsplit(source)
            if "mathjax" not in parts.path.lower():
                continue
            if parts.scheme or parts.netloc:
                from_cdn.append(f"{name}: {source}")
            else:
                local_mathjax.setdefault(name, []).append(source)
    assert not from_cdn, "pages that load MathJax from the network: " + "; ".join(from_cdn)
    assert EQUATION_PAGE in local_mathjax, f"{EQUATION_PAGE} loads no MathJax script"
    missing = [
        f"{name}: {source}"
        for name, sources in local_mathjax.items()
        for source in sources
        if not (site.html / name).parent.joinpath(unquote(urlsplit(source).path)).is_file()
    ]
    assert not missing, "MathJax scripts that are not in the site: " + "; ".join(missing)


@pytest.mark.slow
def test_build_times_page_reports_this_build(site: Site) -> None:
    """The smoke build of the fixture recorded no full build; the page says so and names the profile."""
    text = (site.book / "_executed" / timings.PAGE_FILE).read_text()
    assert text.startswith(timings.NO_FULL_BUILD)
    assert "with the `smoke` profile" in text and f"{len(pipeline.CHAPTERS)} chapters" in text
    page = (site.html / "build_times.html").read_text(encoding="utf-8")
    assert "No full build of this book has been recorded" in page and "smoke" in page
    assert str(site.book) not in page, "the page shows a machine path"


# ---------------------------------------------------------------- browser


TYPESET_MATH = """() => MathJax.startup.promise.then(() => {
    const math = [...document.querySelectorAll('.math')];
    return {
        math: math.length,
        untypeset: math.filter(element => !element.querySelector('mjx-container')).length,
        containers: document.querySelectorAll('mjx-container').length,
        errors: document.querySelectorAll('mjx-merror').length,
    };
})"""


@pytest.fixture
def served_site(site: Site) -> Iterator[str]:
    """The built site over HTTP on 127.0.0.1, as a reader's browser sees it."""

    class QuietHandler(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site.html)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.slow
def test_pages_load_in_chromium_without_errors(served_site: str, tmp_path: Path) -> None:
    if not CHROMIUM.is_file():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (Debian package `chromium`)")
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    local = urlsplit(served_site).netloc
    blocked: list[str] = []
    errors: list[str] = []

    def only_local(route) -> None:  # type: ignore[no-untyped-def]
        if urlsplit(route.request.url).netloc == local:
            route.continue_()
        else:  # the test never contacts other hosts; such resources are reported
            blocked.append(route.request.url)
            route.abort()

    def console(message) -> None:  # type: ignore[no-untyped-def]
        if message.type != "error":
            return
        url = message.location.get("url", "")
        if url in blocked or url.endswith("/favicon.ico"):
            return
        errors.append(f"console: {message.text} ({url})")

    def response(reply) -> None:  # type: ignore[no-untyped-def]
        if reply.status >= 400 and not reply.url.endswith("/favicon.ico"):
            errors.append(f"HTTP {reply.status}: {reply.url}")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1280, "height": 900},
        )
        try:
            page = browser.new_page()
            page.route("**/*", only_local)
            page.on("console", console)
            page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
            page.on("response", response)
            for name in ("index.html", RESULTS_PAGE, EQUATION_PAGE):
                requested_elsewhere = len(blocked)
                page.goto(f"{served_site}/{name}", wait_until="load")
                page.wait_for_timeout(500)
                assert page.locator("h1").first.inner_text().strip(), f"{name}: no title rendered"
                if name == EQUATION_PAGE:
                    try:
                        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=15_000)
                    except PlaywrightTimeout:
                        pytest.fail(f"{name}: MathJax did not start; requests to other hosts: {blocked[requested_elsewhere:]}")
                    typeset = page.evaluate(TYPESET_MATH)
                    assert typeset["math"] > 0 and typeset["containers"] >= typeset["math"], f"{name}: MathJax typeset nothing: {typeset}"
                    assert typeset["untypeset"] == 0 and typeset["errors"] == 0, f"{name}: equations left untypeset: {typeset}"
                    # MathJax loads its components and fonts on demand: all must come from the site.
                    assert not blocked[requested_elsewhere:], f"{name}: requested from other hosts: {blocked[requested_elsewhere:]}"
                shot = tmp_path / (Path(name).stem + ".png")
                page.screenshot(path=str(shot), full_page=True)
                assert shot.stat().st_size > 10_000, f"{name}: screenshot is empty"
        finally:
            browser.close()
    assert not errors, f"browser errors (external requests blocked: {sorted(set(blocked))}): " + "; ".join(errors)


# ----------------------------------------------------------- re-running


@pytest.mark.slow
def test_chapter_reruns_with_a_parameter_override(site: Site, tmp_path: Path) -> None:
    chapter = "04_1_feature_learning"
    records = pipeline.execute([chapter], profile="smoke", output_dir=tmp_path, parameters={"seeds": [3]}, book_dir=site.book)
    assert records[0].executed
    assert records[0].key != next(record.key for record in site.records if record.chapter == chapter)
    executed = nbformat.read(tmp_path / f"{chapter}.ipynb", as_version=4)
    injected = [cell for cell in executed.cells if "injected-parameters" in cell.metadata.get("tags", [])]
    assert len(injected) == 1 and "seeds = [3]" in injected[0].source
    shown = [
        output["data"]["text/markdown"]
        for cell in executed.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if "text/markdown" in output.get("data", {})
    ]
    assert any("| seeds | 3 |" in text for text in shown), "the chapter header does not show the overridden seeds"


# ------------------------------------------------------- prose and config


@pytest.mark.slow
def test_prose_pages_build_cleanly_on_their_own(tmp_path: Path) -> None:
    """The configuration and the Markdown pages, with minimal executed chapters.

    Separates problems of the book's own pages from problems of a chapter:
    each stand-in chapter is a title and the real data banner.
    """
    from analysis import config
    from analysis.book import report

    book = copy_book(tmp_path / "book")
    data_source = pipeline.resolve_source({"profile": "smoke"})
    header = report.header_markdown(data_source, config.resolve("smoke"), device="cpu")
    (book / "_executed").mkdir()
    pasted = {
        (Path(match["doc"]).name, match["key"]) for page in BOOK.glob("*.md") for match in CROSS_GLUE.finditer(page.read_text())
    }
    for chapter in pipeline.CHAPTERS:
        notebook = nbformat.v4.new_notebook()
        banner = nbformat.v4.new_code_cell("report.show_header(source, settings)")
        banner.outputs = [nbformat.v4.new_output("display_data", data={"text/markdown": header, "text/plain": "header"})]
        # Values that prose pages paste from this chapter, so that their references resolve.
        glue = nbformat.v4.new_code_cell("glue(...)")
        glue.outputs = [
            nbformat.v4.new_output(
                "display_data",
                data={"application/papermill.record/text/plain": "1"},
                metadata={"scrapbook": {"name": key, "mime_prefix": "application/papermill.record/"}},
            )
            for name, key in sorted(pasted)
            if name == chapter
        ]
        notebook.cells = [nbformat.v4.new_markdown_cell(f"# Chapter {chapter}"), banner, glue]
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(notebook, book / "_executed" / f"{chapter}.ipynb")
    html = pipeline.build("html", warnings_as_errors=True, book_dir=book)
    assert (html / "references.html").is_file()
    references = (html / "references.html").read_text(encoding="utf-8")
    assert "10.1038/s41597-021-01014-6" in references  # the Gutenberg data descriptor is cited
