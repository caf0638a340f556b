"""The shape of the package (docs/architecture.md): imports run downward, without circles, and
modules stay small enough to read."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "portal"
# Features in the order create_app sets them up: each may import those before it, never after.
FEATURES = ["media", "news", "push", "accounts", "bookmarks", "reading", "desk", "search", "wire", "demo", "ops"]
# Plumbing below every feature: it imports none of them.
PLUMBING = {"portal.config", "portal.extensions", "portal.database", "portal.signals"}
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported_modules(name: str) -> set[str]:
    """Every portal module `name` imports: at the top, inside functions, under TYPE_CHECKING.
    A module named in the import counts, packages' __init__ (the app factory, portal, included)
    too. So does what importing runs besides: the __init__ of each package above it, unless it is
    one of the importing module's own packages (already being imported) or portal, whose
    __init__ runs for every module."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    own_packages = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            # `from . import x` imports the submodule x when there is one.
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        else:
            continue
        for target in (t for t in targets if t == "portal" or t.startswith("portal.")):
            while target not in MODULES:
                target = target.rpartition(".")[0]
            found.add(target)
            above = target.rpartition(".")[0]
            while above and above != "portal":
                if above not in own_packages:
                    found.add(above)
                above = above.rpartition(".")[0]
    found.discard(name)
    return found


GRAPH = {name: imported_modules(name) for name in MODULES}


def feature_of(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in FEATURES else None


def test_no_import_circles():
    visiting, done, circles = [], set(), []

    def visit(name):
        if name in visiting:
            circles.append(visiting[visiting.index(name):] + [name])
            return
        if name in done:
            return
        visiting.append(name)
        for target in sorted(GRAPH[name]):
            visit(target)
        visiting.pop()
        done.add(name)

    for name in sorted(GRAPH):
        visit(name)
    assert circles == []


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n.startswith("portal.web") or n in PLUMBING))
def test_plumbing_imports_no_feature(name):
    assert {target for target in GRAPH[name] if feature_of(target) or target == "portal.models"} == set()


def test_features_import_only_the_features_below_them():
    upward = sorted(
        (name, target) for name, targets in GRAPH.items() for target in targets
        if feature_of(name) and feature_of(target)
        and FEATURES.index(feature_of(target)) > FEATURES.index(feature_of(name))
    )
    assert upward == []


def test_feature_code_imports_its_own_models_not_the_facade():
    assert sorted(name for name, targets in GRAPH.items() if feature_of(name) and "portal.models" in targets) == []


def test_nothing_in_the_package_imports_the_app_factory():
    assert sorted(name for name, targets in GRAPH.items() if "portal" in targets) == []


def test_every_feature_is_a_package_the_app_sets_up_in_this_order():
    factory = (PACKAGE / "__init__.py").read_text()
    set_up = [line.strip().removesuffix(".init_app(app)") for line in factory.splitlines()
              if line.strip().endswith(".init_app(app)") and line.strip().split(".")[0] in ["web", *FEATURES]]
    assert set_up == ["web", *FEATURES]
    for feature in set_up:
        assert (PACKAGE / feature / "__init__.py").is_file()


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_stay_under_the_size_limit(name):
    assert len(MODULES[name].read_text().splitlines()) <= MAX_LINES
