"""The layers import in one direction only: reporting → brandkit → approvals → projects → agencyops.

An app may import the apps to its right, never one to its left; the platform (agencyops) imports no
product app. grimp reads every module's import statements, the ones inside functions too, so a lazy
import cannot hide an arrow pointing up. A lower layer that must react to a higher one offers a hook
(agencyops/sections.py, projects/risk_inputs.py) that the higher one registers with.
"""

from __future__ import annotations

import grimp
import pytest

LAYERS = ("reporting", "brandkit", "approvals", "projects", "agencyops")

# importer module → imported module: the only arrows allowed to point up, each with the change that
# removes it.
# None today; an entry here must name the import and why it is allowed for now.
KNOWN_EXCEPTIONS: set[tuple[str, str]] = set()


def _rank(module: str) -> int:
    return LAYERS.index(module.split(".")[0])


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(*LAYERS, cache_dir=None)


def _upward_imports(graph: grimp.ImportGraph) -> list[str]:
    found = []
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            if _rank(imported) >= _rank(importer):
                continue
            if (importer, imported) in KNOWN_EXCEPTIONS:
                continue
            for detail in graph.get_import_details(importer=importer, imported=imported):
                found.append(f"{importer}:{detail['line_number']} imports {imported} ({detail['line_contents']})")
    return found


def test_no_app_imports_an_app_to_its_left_and_the_platform_imports_no_product_app(graph):
    assert _upward_imports(graph) == []


def test_the_check_sees_imports_made_inside_functions(graph):
    # approvals/sections.py imports projects.home_sections inside register(): grimp must see it, or a
    # lazy import could point up unnoticed.
    assert "projects.home_sections" in graph.find_modules_directly_imported_by("approvals.sections")


def test_the_known_exceptions_still_exist(graph):
    # An exception whose import is gone must leave this list, so it cannot later excuse a new one.
    for importer, imported in KNOWN_EXCEPTIONS:
        assert imported in graph.find_modules_directly_imported_by(importer)
