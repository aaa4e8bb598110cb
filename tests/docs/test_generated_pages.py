"""The reference pages are generated from what they describe, and never go stale."""

from __future__ import annotations

import pytest
from pydantic import Field

from config import Config
from permissions.rules import COLUMNS, IN_WORDS, OP_DESCRIPTIONS, POLICY, Op
from tools.docs_pages import PAGES, ROOT, MissingDocumentation, configuration_page


@pytest.mark.parametrize("path", sorted(PAGES))
def test_the_committed_page_is_what_its_source_prints(path):
    assert (ROOT / path).read_text() == PAGES[path](ROOT), (
        f"{path} is stale: run `make docs` (or `python -m tools.docs_pages`) and commit it"
    )


def test_every_setting_says_what_it_is_for():
    assert [name for name, field in Config.model_fields.items() if not field.description] == []


def test_every_policy_row_has_words_for_the_page():
    assert set(OP_DESCRIPTIONS) == set(Op)
    assert all(len(cells) == len(COLUMNS) for cells in POLICY.values())
    assert {cell for cells in POLICY.values() for cell in cells} <= set(IN_WORDS)


def test_a_setting_without_a_description_stops_the_generator():
    class Undescribed(Config):
        shiny_new_knob: int = Field(default=3)

    with pytest.raises(MissingDocumentation, match="shiny_new_knob"):
        configuration_page(settings=Undescribed)


def test_the_configuration_page_names_every_variable():
    page = (ROOT / "docs/reference/configuration.md").read_text()
    assert [name for name in Config.model_fields if f"`TENANTRY_{name.upper()}`" not in page] == []
