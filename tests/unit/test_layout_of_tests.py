"""The layout of the tests keeps the fast set fast.

tests/unit runs in under a minute (`scripts/test --fast`): no real model, no subprocess, no
server, no browser. A unit test file that starts a process, drives a browser, talks to the LLM
test server or asks for the session's real model belongs in tests/integration or tests/browser,
where tests/conftest.py marks every test `slow`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
UNIT = TESTS / "unit"
FOLDERS = ("unit", "integration", "browser")
SLOW_FOLDERS = ("integration", "browser")
# What makes a test slow, by the module that does it.
SLOW_IMPORTS = {
    "subprocess": "starts a process",
    "multiprocessing": "starts a process",
    "playwright": "drives a browser",
    "llm_server": "serves the LLM protocol on loopback",
}
REAL_MODEL_FIXTURE = "real_assistant"


def unit_files() -> list[Path]:
    return sorted(UNIT.glob("test_*.py"))


def checked_files() -> list[Path]:
    """The unit test files but this one, which names what it looks for."""
    return [p for p in unit_files() if p.name != Path(__file__).name]


def imported_modules(tree: ast.Module) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def uses_fixture(tree: ast.Module, name: str) -> bool:
    """A parameter, a name or a string (usefixtures, getfixturevalue) that is exactly `name`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.arg) and node.arg == name:
            return True
        if isinstance(node, ast.Name) and node.id == name:
            return True
        if isinstance(node, ast.Constant) and node.value == name:
            return True
    return False


def marks_slow(tree: ast.Module) -> bool:
    return any(
        isinstance(node, ast.Attribute)
        and node.attr == "slow"
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "mark"
        for node in ast.walk(tree)
    )


def test_the_unit_folder_holds_the_unit_tests() -> None:
    names = [p.name for p in unit_files()]
    assert "test_api.py" in names and Path(__file__).name in names
    assert len(names) >= 10


@pytest.mark.parametrize("path", checked_files(), ids=lambda p: p.name)
def test_a_unit_test_file_starts_no_process_server_or_browser(path: Path) -> None:
    tree = ast.parse(path.read_text("utf-8"))
    slow = {m: why for m, why in SLOW_IMPORTS.items() if m in imported_modules(tree)}
    assert not slow, f"{path.name} imports {slow}: move those tests to tests/integration"


@pytest.mark.parametrize("path", checked_files(), ids=lambda p: p.name)
def test_a_unit_test_file_does_not_use_the_real_model(path: Path) -> None:
    tree = ast.parse(path.read_text("utf-8"))
    assert not uses_fixture(tree, REAL_MODEL_FIXTURE), (
        f"{path.name} uses `{REAL_MODEL_FIXTURE}` (the real packaged model): "
        "move those tests to tests/integration"
    )
    assert not marks_slow(tree), f"{path.name} marks a test slow: move it to tests/integration"


def test_every_test_file_is_in_one_of_the_folders() -> None:
    # A test file directly in tests/ (or in a new folder) would escape both `--fast` and the
    # `slow` marks that tests/conftest.py sets by folder.
    stray = [
        str(p.relative_to(TESTS))
        for p in sorted(TESTS.rglob("test_*.py"))
        if p.relative_to(TESTS).parts[0] not in FOLDERS
    ]
    assert stray == [], f"move {stray} into tests/unit, tests/integration or tests/browser"


def test_the_slow_marks_follow_the_folders(request: pytest.FixtureRequest) -> None:
    # Over whatever this session collected: all of tests/ in CI, tests/unit alone with --fast.
    for item in request.session.items:
        folder = item.path.resolve().relative_to(TESTS).parts[0]
        slow = item.get_closest_marker("slow") is not None
        assert slow == (folder in SLOW_FOLDERS), item.nodeid


def test_test_files_have_unique_names() -> None:
    # The test folders have no __init__.py, so pytest imports each file by its basename: two
    # files of one name in different folders stop the whole run at collection.
    names = [p.name for folder in FOLDERS for p in (TESTS / folder).glob("test_*.py")]
    assert sorted(n for n in set(names) if names.count(n) > 1) == []
