"""Every ```python block in docs/ runs (in the page's order, one namespace per page), and the docs never point
at material users do not have."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "docs").glob("*.md"))


def _blocks(page: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", page.read_text(), re.S)


@pytest.mark.parametrize("page", [p for p in PAGES if _blocks(p)], ids=lambda p: p.name)
def test_doc_code_blocks_run(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    if "neural" in page.name:
        pytest.importorskip("torch")
    namespace: dict = {}
    for i, block in enumerate(_blocks(page)):
        exec(compile(block, f"{page.name} block {i + 1}", "exec"), namespace)


def test_docs_stand_alone():
    for page in PAGES + [ROOT / "README.md"]:
        text = page.read_text()
        assert "../shared" not in text and "SPEC.md" not in text and "THEOREMS.md" not in text, page.name


def test_every_page_is_in_the_site_navigation():
    nav = (ROOT / "mkdocs.yml").read_text()
    for page in PAGES:
        assert page.name in nav, f"{page.name} is missing from mkdocs.yml's nav"


def test_cli_page_lists_every_option_with_the_checks_that_take_it():
    from exactmdm.theorems import CHECKS
    from exactmdm.theorems.options import flag_of

    rows = [line for line in (ROOT / "docs" / "cli.md").read_text().splitlines() if line.startswith("| `--")]
    short = {name: name.removeprefix("theorem_").replace("assumption_eps_learning", "assumption") for name in CHECKS}
    for name, module in CHECKS.items():
        for param in module.DEFAULTS:  # the one place a check's options and defaults live
            row = next((r for r in rows if f"`{flag_of(param)} " in r or f"`{flag_of(param)}`" in r), None)
            assert row is not None, f"docs/cli.md has no row for {flag_of(param)}"
            checks = [c.strip() for c in row.split("|")[2].split(",")]
            assert short[name] in checks, f"docs/cli.md: {flag_of(param)} row does not name {short[name]}"
