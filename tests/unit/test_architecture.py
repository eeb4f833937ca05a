"""The shape of the package, checked with a short `ast` walk over assistant/.

The subpackages are the layers, and the rules below are what each may import: data flows one
way (nothing imports `interfaces`; `index` knows nothing of `ingest` or `answering`), one heavy
dependency per module, a docstring on everything public, and modules small enough to read.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "assistant"
MODULES = sorted(PACKAGE.rglob("*.py"))
MAX_LINES = 400

# Third-party packages that only one module may import (path relative to assistant/), or one
# folder's modules where the value ends with "/".
HEAVY = {
    "chromadb": "index/store.py",
    "langchain_chroma": "index/store.py",
    "sentence_transformers": "index/embeddings.py",
    "langchain_huggingface": "index/embeddings.py",
    "transformers": "index/embeddings.py",
    "torch": "index/embeddings.py",
    "onnxruntime": "index/onnx_embeddings.py",
    "tokenizers": "index/onnx_embeddings.py",
    "gradio": "interfaces/web/app.py",
    "mcp": "interfaces/mcp_server.py",
}
# The web page's parts beside app.py (a document viewer, a compare view ...) build their own
# Gradio components; nothing else under assistant/ may import gradio.
HEAVY_ALSO = {"gradio": "interfaces/web/ui/"}


def may_import_heavy(root: str, module: str) -> bool:
    """True when the module at `module` (a path under assistant/) may import `root`."""
    folder = HEAVY_ALSO.get(root)
    return HEAVY[root] == module or (folder is not None and module.startswith(folder))


# The domain: plain types, settings and errors that every layer may use.
DOMAIN = {"errors", "config", "schema", "fitted", "exports"}

# What each layer may import besides the domain and itself.
MAY_IMPORT: dict[str, set[str]] = {
    "domain": set(),
    "index": set(),
    "ingest": {"index"},
    "answering": {"index"},
    "api": {"index", "ingest", "answering"},
    "evaluation": {"index", "ingest", "answering", "api"},
    "interfaces": {"index", "ingest", "answering", "api", "evaluation"},
    "main": {"interfaces"},
}


def rel(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def layer(module: str) -> str:
    """The layer of `assistant.x.y` given as "x.y" (or "x" for a top-level module)."""
    top = module.split(".")[0]
    if top in DOMAIN:
        return "domain"
    if top in {"api", "__init__", "wiring"}:
        return "api"
    if top == "langchain":  # the LangChain retriever consumes the api, like the interfaces
        return "interfaces"
    if top == "__main__":
        return "main"
    assert top in MAY_IMPORT, f"assistant.{module} is in no layer; add it to MAY_IMPORT"
    return top


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    return ".".join(parts)


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
    """`ingest.sync` for `assistant.ingest.sync`; None for a module outside the package."""
    parts = name.split(".")
    return ".".join(parts[1:]) if parts[0] == "assistant" and len(parts) > 1 else None


def test_the_walk_sees_the_package() -> None:
    names = {rel(p) for p in MODULES}
    assert {
        "__init__.py",
        "api.py",
        "index/store.py",
        "index/embeddings.py",
        "ingest/sync.py",
        "interfaces/web/app.py",
    } <= names
    store = dict(imports(parse(PACKAGE / "index" / "store.py")))
    assert store["chromadb"] is False  # imported lazily, inside the constructor
    assert "assistant.errors" in store


def test_every_module_is_in_a_layer() -> None:
    for path in MODULES:
        layer(module_name(path))  # raises for a module outside the known layers


# The evaluation baseline is, on purpose, the plain LangChain pipeline (its own splitter,
# embeddings and Chroma), so it may import what the product keeps in one module each.
BASELINE = "evaluation/baselines.py"


@pytest.mark.parametrize("path", MODULES, ids=rel)
def test_heavy_dependencies_stay_in_their_module(path: Path) -> None:
    wrong = sorted(
        name
        for name, _ in imports(parse(path))
        if (root := name.split(".")[0]) in HEAVY
        and not may_import_heavy(root, rel(path))
        and not (rel(path) == BASELINE and root in {"chromadb", "langchain_chroma"})
    )
    assert wrong == [], f"{rel(path)} imports {wrong}; only their own module may"


@pytest.mark.parametrize("path", MODULES, ids=rel)
def test_imports_follow_the_layers(path: Path) -> None:
    me = layer(module_name(path))
    allowed = {me, "domain"} | MAY_IMPORT[me]
    wrong = sorted(
        f"assistant.{target}"
        for name, _ in imports(parse(path))
        if (target := internal(name)) and layer(target) not in allowed
    )
    assert wrong == [], f"{rel(path)} ({me}) imports {wrong}"


def test_the_rules_catch_an_upward_import(tmp_path: Path) -> None:
    # The check itself: an index module that imports answering is caught.
    tree = ast.parse("from assistant.answering.question import analyse\n")
    targets = [internal(name) for name, _ in imports(tree)]
    assert targets == ["answering.question"]
    assert layer("answering.question") not in {"index", "domain"} | MAY_IMPORT["index"]


def test_nothing_below_interfaces_imports_them() -> None:
    users = sorted(
        rel(p)
        for p in MODULES
        if layer(module_name(p)) not in {"interfaces", "main"}
        and any((internal(n) or "").startswith("interfaces") for n, _ in imports(parse(p)))
    )
    assert users == []


def public_definitions(tree: ast.Module) -> list[tuple[str, ast.AST]]:
    """Module-level public functions and classes, and public methods of module-level classes."""
    found: list[tuple[str, ast.AST]] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            if not node.name.startswith("_"):
                found.append((node.name, node))
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if (
                        isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
                        and not item.name.startswith("_")
                        and not any("overload" in ast.unparse(d) for d in item.decorator_list)
                    ):
                        found.append((f"{node.name}.{item.name}", item))
    return found


@pytest.mark.parametrize("path", MODULES, ids=rel)
def test_public_code_has_docstrings(path: Path) -> None:
    tree = parse(path)
    assert ast.get_docstring(tree), f"{rel(path)} has no module docstring"
    missing = [name for name, node in public_definitions(tree) if not ast.get_docstring(node)]  # type: ignore[arg-type]
    assert missing == [], f"{rel(path)}: no docstring on {missing}"


@pytest.mark.parametrize("path", MODULES, ids=rel)
def test_modules_are_small(path: Path) -> None:
    lines = len(path.read_text("utf-8").splitlines())
    assert lines < MAX_LINES, f"{rel(path)} has {lines} lines; split it by concept"
