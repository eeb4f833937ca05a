"""The shape of the package, checked with a short `ast` walk over assistant/*.py.

One heavy dependency per module (chromadb in store, sentence-transformers in embeddings, gradio
in web), data flowing one way (nothing imports the delivery layers), a docstring on everything
public, and modules small enough to read.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "assistant"
MODULES = sorted(PACKAGE.glob("*.py"))
MAX_LINES = 400

# Third-party packages that only one module may import.
HEAVY = {
    "chromadb": "store.py",
    "langchain_chroma": "store.py",
    "sentence_transformers": "embeddings.py",
    "langchain_huggingface": "embeddings.py",
    "transformers": "embeddings.py",
    "torch": "embeddings.py",
    "gradio": "web.py",
}

# Layers, lowest first: a module may import modules of its own layer or below, never above.
# Modules not listed here are not checked by this rule.
LAYERS = [
    {"errors", "fitted", "config", "schema"},
    {"sources", "finalacts", "structure", "chunking", "citations", "prompts"},
    {"catalog", "embeddings", "store"},
    {"intent", "question", "verification"},
    {"history", "retrieve", "ingest", "answer"},
    {"llm", "evaluate", "baselines"},
    {"api", "__init__"},
    {"watch"},
    {"cli", "web"},
    {"__main__"},
]
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}


def parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text("utf-8"), filename=str(path))


def imports(tree: ast.Module) -> list[tuple[str, bool]]:
    """(imported module, imported at module level?) for every import in the file.

    Imports inside functions (lazy) or under `if TYPE_CHECKING:` are not at module level.
    """
    top = {id(node) for node in tree.body}
    found: list[tuple[str, bool]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, id(node) in top) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.level:  # relative: from .x import y
                found.append((f"assistant.{node.module}", id(node) in top))
                continue
            found.append((node.module, id(node) in top))
            if node.module == "assistant":  # from assistant import ingest
                found.extend((f"assistant.{a.name}", id(node) in top) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level:  # from . import x
            found.extend((f"assistant.{a.name}", id(node) in top) for a in node.names)
    return found


def internal(name: str) -> str | None:
    """`ingest` for `assistant.ingest` (and `assistant.ingest.x`), else None."""
    parts = name.split(".")
    return parts[1] if parts[0] == "assistant" and len(parts) > 1 else None


def test_the_walk_sees_the_package() -> None:
    names = {p.name for p in MODULES}
    assert {"__init__.py", "api.py", "store.py", "embeddings.py", "ingest.py"} <= names
    store = dict(imports(parse(PACKAGE / "store.py")))
    assert store["chromadb"] is False  # imported lazily, inside the constructor
    assert "assistant.errors" in store


# The evaluation baseline is, on purpose, the plain LangChain pipeline (its own splitter,
# embeddings and Chroma), so it may import what the product keeps in one module each.
BASELINE = "baselines.py"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_heavy_dependencies_stay_in_their_module(path: Path) -> None:
    wrong = sorted(
        name for name, _ in imports(parse(path))
        if (root := name.split(".")[0]) in HEAVY and HEAVY[root] != path.name
        and not (path.name == BASELINE and root in {"chromadb", "langchain_chroma"})
    )
    assert wrong == [], f"{path.name} imports {wrong}; only their own module may"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_nothing_imports_the_delivery_layers(path: Path) -> None:
    for name, top_level in imports(parse(path)):
        target = internal(name)
        if target not in ("cli", "web"):
            continue
        allowed = (path.name == "__main__.py" and (target == "cli" or not top_level)) or (
            path.name == "cli.py" and target == "web" and not top_level)
        assert allowed, f"{path.name} imports assistant.{target}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_imports_point_down(path: Path) -> None:
    me = path.stem
    if me not in RANK:
        pytest.skip(f"{path.name} is not placed in a layer")
    upward = sorted(
        f"assistant.{target}" for name, _ in imports(parse(path))
        if (target := internal(name)) in RANK and RANK[target] > RANK[me]
    )
    assert upward == [], f"{path.name} imports {upward} from a higher layer"


def test_api_is_used_only_by_delivery_code() -> None:
    users = sorted(p.name for p in MODULES
                   if any(internal(n) == "api" for n, _ in imports(parse(p))))
    assert set(users) <= {"__init__.py", "__main__.py", "cli.py", "web.py", "watch.py"}, users


def public_definitions(tree: ast.Module) -> list[tuple[str, ast.AST]]:
    """Module-level public functions and classes, and public methods of module-level classes."""
    found: list[tuple[str, ast.AST]] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            if not node.name.startswith("_"):
                found.append((node.name, node))
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if (isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
                            and not item.name.startswith("_")
                            and not any("overload" in ast.unparse(d)
                                        for d in item.decorator_list)):
                        found.append((f"{node.name}.{item.name}", item))
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_public_code_has_docstrings(path: Path) -> None:
    tree = parse(path)
    assert ast.get_docstring(tree), f"{path.name} has no module docstring"
    missing = [name for name, node in public_definitions(tree)
               if not ast.get_docstring(node)]  # type: ignore[arg-type]
    assert missing == [], f"{path.name}: no docstring on {missing}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_modules_are_small(path: Path) -> None:
    lines = len(path.read_text("utf-8").splitlines())
    assert lines < MAX_LINES, f"{path.name} has {lines} lines; split it by concept"
