"""The package's layers: no module imports a higher layer, serving and batch do not know each other,
and no two modules import each other (directly or around a loop), lazy imports included.

A new module is placed by its package (``modelport.stores.*`` is a store); a new top-level module must
be given a layer in :data:`LAYERS`, or this test names it.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import sys
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import modelport

SRC = Path(modelport.__file__).parent

LAYERS: dict[str, int] = {
    # 0: the bottom: values, settings, the metadata and artifact stores' plumbing, per-process state
    "modelport.clock": 0,
    "modelport.errors": 0,
    "modelport.settings": 0,
    "modelport.columns": 0,
    "modelport.redact": 0,
    "modelport.schemas": 0,
    "modelport.principal": 0,
    "modelport.db": 0,
    "modelport.artifacts": 0,
    "modelport.flavors": 0,
    "modelport.context": 0,
    # 1: persistence, tables of rows, metrics
    "modelport.stores": 1,
    "modelport.migrations": 1,
    "modelport.tabular": 1,
    "modelport.monitoring": 1,
    # 2: the online path, batch runs, and training (profiles, cleaning, search, jobs on the worker)
    "modelport.serving": 2,
    "modelport.batch": 2,
    "modelport.training": 2,
    # 3: the rules and transactions (and the scheduler, which creates executions through them)
    "modelport.services": 3,
    # 4: what calls the services: the HTTP API, the demo loader; the HTTP client (SDK)
    "modelport.api": 4,
    "modelport.demo": 4,
    "modelport.sdk": 4,
    # 5: the command line
    "modelport.cli": 5,
}
"""Layer of each package or top-level module: a module may import its own layer and lower ones."""

APART = ("modelport.serving", "modelport.batch")
"""Packages of one layer that must not import each other."""


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES: dict[str, Path] = {module_name(p): p for p in sorted(SRC.rglob("*.py"))}


def layer_of(module: str) -> tuple[str, int]:
    for prefix, layer in LAYERS.items():
        if module == prefix or module.startswith(prefix + "."):
            return prefix, layer
    raise AssertionError(f"{module} has no layer: add it (or its package) to LAYERS in {__file__}")


def imports_of(module: str) -> Iterator[tuple[str, int]]:
    """The modelport modules ``module`` imports (anywhere in it), with their line numbers."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                yield (sub if sub in MODULES else target), node.lineno


def graph() -> dict[str, set[str]]:
    """modelport module -> the modelport modules it imports. The root package (``__version__`` and the
    SDK's ``Client``, re-exported for ``import modelport``) is left out: it is the distribution's face,
    not a layer."""
    edges: dict[str, set[str]] = {}
    for module in MODULES:
        if module == "modelport":
            continue
        edges[module] = {
            target
            for target, _ in imports_of(module)
            if target in MODULES and target not in ("modelport", module)
        }
    return edges


def test_every_module_imports() -> None:
    for module in MODULES:
        if module.startswith("modelport.migrations"):
            continue  # alembic's env.py runs a migration when imported
        importlib.import_module(module)


def test_no_module_imports_a_higher_layer() -> None:
    wrong = []
    for module in MODULES:
        if module == "modelport":
            continue
        own, layer = layer_of(module)
        for target, line in imports_of(module):
            if target not in MODULES or target == "modelport":
                continue
            other, other_layer = layer_of(target)
            if other_layer > layer:
                wrong.append(f"{module}:{line} imports {target} (layer {other_layer} > {layer})")
            elif own != other and own in APART and other in APART:
                wrong.append(f"{module}:{line} imports {target} ({own} and {other} stay apart)")
    assert wrong == []


def test_no_import_cycle() -> None:
    edges = graph()
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in sorted(edges.get(module, ())):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target)
        path.pop()
        state[module] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module)
    assert [" -> ".join(cycle) for cycle in cycles] == []


def test_the_graph_holds_lazy_imports() -> None:
    """A checker that missed imports inside functions would pass anything: it does not."""
    edges = graph()
    assert "modelport.batch.spark" in edges["modelport.batch.engines"]  # imported inside get_engine
    assert "modelport.batch.engines" not in edges["modelport.batch.spark"]  # the cycle that was


OWN_TABLES = ("modelport.stores", "modelport.db", "modelport.migrations")
"""The packages that may import the ORM tables: the stores return domain objects to everyone else."""


def test_only_the_stores_import_the_tables() -> None:
    wrong = [
        f"{module}:{line} imports {target}"
        for module in MODULES
        if not module.startswith(OWN_TABLES)
        for target, line in imports_of(module)
        if target == "modelport.db.tables"
    ]
    assert wrong == []


def store_classes() -> Iterator[type]:
    """Every ``...Store`` class defined in ``modelport.stores``."""
    for module in MODULES:
        if module.startswith("modelport.stores."):
            loaded = importlib.import_module(module)
            for _, cls in inspect.getmembers(loaded, inspect.isclass):
                if cls.__module__ == module and cls.__name__.endswith("Store"):
                    yield cls


def public_methods(cls: type) -> Iterator[tuple[str, Any]]:
    for name, member in vars(cls).items():
        if not name.startswith("_") and inspect.isfunction(member):
            yield name, member


def test_every_store_method_states_its_contract() -> None:
    """Each public store method says in its docstring what it returns and what it raises (mlflow's
    ``abstract_store.py``): "Returns ...; raises NotFound if ..." ("raises nothing" is a contract too)."""
    classes = list(store_classes())
    assert {"CatalogStore", "DeploymentStore", "ExecutionStore", "UserStore"} <= {c.__name__ for c in classes}
    missing = []
    for cls in classes:
        for name, method in public_methods(cls):
            doc = (inspect.getdoc(method) or "").lower()
            if "return" not in doc or "raise" not in doc:
                missing.append(f"{cls.__name__}.{name}")
    assert missing == []


def test_store_methods_take_and_return_no_rows() -> None:
    """No public store method hands an ORM row out or takes one in: the signatures name domain objects."""
    from modelport.db.tables import Base

    def rows_in(hint: Any) -> bool:
        if isinstance(hint, type) and issubclass(hint, Base):
            return True
        return any(rows_in(arg) for arg in typing.get_args(hint))

    leaks = []
    for cls in store_classes():
        for name, method in public_methods(cls):
            hints = typing.get_type_hints(method, vars(sys.modules[cls.__module__]))
            leaks += [f"{cls.__name__}.{name} ({arg})" for arg, hint in hints.items() if rows_in(hint)]
    assert leaks == []
