"""The engine documentation names every URL form, option and environment variable there is."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cxscore.store import settings
from cxscore.store.project import STORE_ENV

ROOT = Path(__file__).resolve().parents[2]
ENGINES_DOC = ROOT / "docs" / "engines.md"
HOW_TOS = [ROOT / "docs" / "how-to" / "postgresql.md", ROOT / "docs" / "how-to" / "spark-cluster.md"]


def engines_doc() -> str:
    return ENGINES_DOC.read_text(encoding="utf-8")


@pytest.mark.parametrize("scheme", ["duckdb://", "postgresql://", "postgres://", "spark://", "spark:///"])
def test_every_url_scheme_is_documented(scheme: str) -> None:
    assert f"`{scheme}" in engines_doc(), f"docs/engines.md shows no {scheme} URL"


@pytest.mark.parametrize("option", sorted({o for options in settings._QUERY_KEYS.values() for o in options}))
def test_every_url_option_is_documented(option: str) -> None:
    assert re.search(rf"[?&]{option}=", engines_doc()), f"docs/engines.md does not show ?{option}="


@pytest.mark.parametrize("variable", [STORE_ENV, "CXSCORE_SKIP_ENGINES", "CXSCORE_POSTGRES_BIN"])
def test_every_environment_variable_is_documented(variable: str) -> None:
    assert variable in engines_doc()


@pytest.mark.parametrize("doc", HOW_TOS, ids=lambda p: p.name)
def test_how_to_urls_parse(doc: Path) -> None:
    """Every store URL a how-to tells the user to type is one cxscore accepts."""
    urls = re.findall(r"(?:postgresql|spark)://[^\s'\")`]*", doc.read_text(encoding="utf-8"))
    assert urls
    for url in urls:
        settings.parse_store_url(url)
