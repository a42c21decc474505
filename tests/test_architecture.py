"""The house: no import cycle inside mttr_lab, and every module imports only from its own or
lower floors, as the floor map in docs/design.md draws them."""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "mttr_lab"
DESIGN = PACKAGE.parent / "docs" / "design.md"
#: Modules expected soon; the map must place them already (a missing one fails the test).
EXPECTED = ("units", "explorer", "timeline", "response", "playbooks", "response_plots", "vendor_api")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts) or "__init__"


@functools.cache
def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The mttr_lab modules ``name`` imports anywhere in its text (lazy imports included)."""
    package = name.split(".") if path.name == "__init__.py" and name != "__init__" else name.split(".")[:-1]
    found: set[str] = set()

    def add(stem: list[str], names: list[str]) -> None:
        for alias in names:  # ``from .readers import generic``: the module readers.generic
            module = ".".join([*stem, alias])
            found.add(module if module in known else ".".join(stem) or "__init__")

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - (node.level - 1)]
            add([*base, *(node.module.split(".") if node.module else [])], [a.name for a in node.names])
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "mttr_lab":
            add(node.module.split(".")[1:], [a.name for a in node.names])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".", 1)[1] for a in node.names if a.name.startswith("mttr_lab."))
    found.discard(name)
    return found


@functools.cache
def graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imports(name, path, set(found)) for name, path in found.items()}


def floor_map() -> list[tuple[str, list[str]]]:
    """(floor, module names) from the table under "Modules, by floor", top floor first."""
    text = DESIGN.read_text(encoding="utf-8")
    section = text.split("## Modules, by floor", 1)[1].split("\n## ", 1)[0]
    floors = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 2 or cells[0] in ("floor", "") or set(cells[0]) <= set("-: "):
            continue
        listed = cells[1]
        while re.search(r"\([^()]*\)", listed):  # descriptions in parentheses name no modules
            listed = re.sub(r"\([^()]*\)", "", listed)
        floors.append((cells[0], re.findall(r"`([\w./]+)`", listed)))
    return floors


def floor_of() -> dict[str, int]:
    """Module (or ``readers/`` package) -> floor number, 0 for the ground floor."""
    floors = floor_map()
    return {
        name.rstrip("/").replace("/", "."): len(floors) - 1 - i
        for i, (_floor, names) in enumerate(floors)
        for name in names
    }


def placed(module: str, floors: dict[str, int]) -> str | None:
    """The map entry that places ``module`` (``readers._build`` is placed by ``readers/``)."""
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        if ".".join(parts[:n]) in floors:
            return ".".join(parts[:n])
    return None


def test_the_floor_map_is_readable():
    floors = floor_map()
    assert next(f for f, _ in floors) == "top" and [f for f, _ in floors][-1] == "ground"
    assert {"frames", "schema", "timeparse"} <= set(dict(floors)["ground"])


def test_there_is_no_import_cycle():
    edges = graph()
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                cycle = [*path[path.index(nxt) :], nxt]
                pytest.fail("import cycle inside mttr_lab: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)


@pytest.mark.parametrize("name", sorted(modules()))
def test_every_module_is_on_the_map_and_imports_only_downward(name):
    floors = floor_of()
    floors["__init__"] = max(floors.values())  # the package's front door sits with the top floor
    entry = placed(name, floors)
    assert entry is not None, (
        f"mttr_lab/{name.replace('.', '/')}.py is not on the floor map: add it to the table "
        "'Modules, by floor' in docs/design.md"
    )
    for target in sorted(graph()[name]):
        other = placed(target, floors)
        assert other is not None, f"{target} (imported by {name}) is not on the floor map in docs/design.md"
        assert floors[other] <= floors[entry], (
            f"{name} (floor {floors[entry]}) imports {target} (floor {floors[other]}), a higher floor; "
            "move the shared part down or the importer up (docs/design.md, 'Modules, by floor')"
        )


def test_the_map_already_places_the_modules_on_their_way():
    floors = floor_of()
    missing = [name for name in EXPECTED if name not in floors]
    assert not missing, f"add {', '.join(missing)} to the floor map in docs/design.md"


def test_no_public_name_is_also_a_module_name():
    # The package imports its public names on first use; a function named like its module
    # (say fetch in fetch.py) would become the module once anyone imports the module itself,
    # and mttr.fetch(...) would then fail with "module is not callable".
    import mttr_lab

    modules = {p.stem for p in PACKAGE.glob("*.py")} | {p.name for p in PACKAGE.iterdir() if p.is_dir()}
    assert not (set(mttr_lab.__all__) & modules)


def test_a_public_name_stays_itself_after_its_module_is_imported():
    import subprocess
    import sys

    code = (
        "import mttr_lab.vendor_api, mttr_lab.explorer\n"
        "import mttr_lab as mttr\n"
        "assert callable(mttr.fetch) and callable(mttr.explore), (mttr.fetch, mttr.explore)\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.stdout.strip() == "ok", out.stderr
