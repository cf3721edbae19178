"""The layering, checked on the source: the import graph of every bayesreg module (all
``import`` statements, including those inside functions) read with ``ast``.

* the spec (priors, likelihoods, penalties, suffstats, spec, the shared helpers) imports no
  backend, and no backend imports the ``Model`` facade (``bayesreg.model``);
* no private name (``_x``) is imported from another package;
* no cycle among module-level imports;
* no ``isinstance`` on a concrete prior or likelihood class, and no ``family ==``, outside the
  class's own package.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import bayesreg
from bayesreg.likelihoods import LIKELIHOODS
from bayesreg.priors import PRIORS

ROOT = Path(bayesreg.__file__).resolve().parent
SPEC = ("bayesreg.priors", "bayesreg.likelihoods", "bayesreg.penalties", "bayesreg.suffstats",
        "bayesreg.spec", "bayesreg._validation", "bayesreg._errors")
BACKENDS = ("bayesreg.map", "bayesreg.samplers", "bayesreg.pymc", "bayesreg.dask")
FRONTENDS = ("bayesreg.model", "bayesreg.diagnostics", "bayesreg.cli", "bayesreg.estimators",
             "bayesreg.conversions", "bayesreg.compact", "bayesreg.datasets", "bayesreg.__init__")


def _modules():
    out = {}
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT.parent).with_suffix("")
        parts = list(rel.parts)
        is_pkg = parts[-1] == "__init__"
        if is_pkg:
            parts = parts[:-1]
        out[".".join(parts)] = (path, is_pkg)
    return out


MODULES = _modules()


def _resolve(mod: str, is_pkg: bool, node) -> list[tuple[str, list[str]]]:
    """(imported module, imported names) of an import node inside ``mod``."""
    if isinstance(node, ast.Import):
        return [(a.name, []) for a in node.names]
    base = mod.split(".") if is_pkg else mod.split(".")[:-1]
    if node.level:
        base = base[:len(base) - node.level + 1]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    names = [a.name for a in node.names]
    out = [(target, names)]
    for n in names:  # ``from . import priors``: the name may be a submodule
        if f"{target}.{n}" in MODULES:
            out.append((f"{target}.{n}", []))
    return out


def _edges(top_level_only: bool = False):
    edges = []
    for mod, (path, is_pkg) in MODULES.items():
        tree = ast.parse(path.read_text())
        nodes = tree.body if top_level_only else list(ast.walk(tree))
        for node in nodes:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                if top_level_only and isinstance(node, ast.ImportFrom) and node.module == "__future__":
                    continue
                for target, names in _resolve(mod, is_pkg, node):
                    if target.startswith("bayesreg"):
                        edges.append((mod, target, names, node.lineno))
    return edges


def _in(mod: str, prefixes) -> bool:
    return any(mod == p or mod.startswith(p + ".") for p in prefixes)


def _package(mod: str) -> str:
    parts = mod.split(".")
    path, is_pkg = MODULES.get(mod, (None, False))
    return ".".join(parts[:2]) if (len(parts) > 2 or is_pkg) else mod


def test_the_spec_imports_no_backend_and_no_backend_imports_the_facade():
    bad = [(m, t, line) for m, t, _, line in _edges()
           if (_in(m, SPEC) and _in(t, BACKENDS + FRONTENDS))
           or (_in(m, BACKENDS) and _in(t, ("bayesreg.model",)))]
    assert not bad, bad


def test_no_private_name_crosses_a_package():
    bad = []
    for m, t, names, line in _edges():
        if _package(m) == _package(t):
            continue
        bad += [(m, t, n, line) for n in names if n.startswith("_") and not n.startswith("__")]
    assert not bad, bad


def test_no_cycle_among_module_level_imports():
    graph: dict[str, set] = {}
    for m, t, _, _ in _edges(top_level_only=True):
        if t in MODULES and t != m:
            graph.setdefault(m, set()).add(t)
    # a package's __init__ importing its own submodules is not a cycle of the layering
    state: dict[str, int] = {}
    cycles = []

    def visit(u, stack):
        state[u] = 1
        for v in graph.get(u, ()):
            if v.startswith(u + "."):
                continue
            if state.get(v) == 1:
                cycles.append(stack[stack.index(v):] + [v] if v in stack else [u, v])
            elif state.get(v) is None:
                visit(v, stack + [v])
        state[u] = 2

    for u in list(graph):
        if state.get(u) is None:
            visit(u, [u])
    assert not cycles, cycles


@pytest.mark.parametrize("kind", ["isinstance", "family"])
def test_no_type_switch_outside_the_classes_own_package(kind):
    classes = {name: ("bayesreg.priors" if name in PRIORS else "bayesreg.likelihoods")
               for name in [*PRIORS, *LIKELIHOODS, "HierarchicalPrior"]}
    bad = []
    for mod, (path, _) in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if kind == "isinstance" and isinstance(node, ast.Call) and getattr(
                    node.func, "id", None) == "isinstance" and len(node.args) == 2:
                arg = node.args[1]
                names = [e.id for e in (arg.elts if isinstance(arg, ast.Tuple) else [arg])
                         if isinstance(e, ast.Name)]
                bad += [(mod, n, node.lineno) for n in names
                        if n in classes and not _in(mod, (classes[n],))]
            if kind == "family" and isinstance(node, ast.Compare):
                sides = [node.left, *node.comparators]
                if any(isinstance(s, ast.Attribute) and s.attr == "family" for s in sides) \
                        or any(isinstance(s, ast.Name) and s.id in ("family", "fam") for s in sides):
                    if not _in(mod, ("bayesreg.likelihoods",)):
                        bad.append((mod, node.lineno))
    assert not bad, bad


def _diagnostics_modules():
    return [(mod, path) for mod, (path, _) in MODULES.items() if _in(mod, ("bayesreg.diagnostics",))]


def test_diagnostics_type_checks_name_their_classes():
    """Stricter for bayesreg.diagnostics: every ``isinstance`` names its classes (builtins,
    attributes such as ``np.integer``, or imported names), so a prior/likelihood class cannot
    hide in a variable (``for cls in (Normal, Laplace): isinstance(prior, cls)``), and no
    concrete prior or likelihood class is ever an isinstance target there."""
    import builtins

    classes = set(PRIORS) | set(LIKELIHOODS) | {"HierarchicalPrior", "Prior", "Likelihood"}
    bad = []
    for mod, path in _diagnostics_modules():
        tree = ast.parse(path.read_text())
        imported = {a.asname or a.name.split(".")[0] for node in ast.walk(tree)
                    if isinstance(node, (ast.Import, ast.ImportFrom)) for a in node.names}
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "isinstance"
                    and len(node.args) == 2):
                continue
            arg = node.args[1]
            for e in (arg.elts if isinstance(arg, ast.Tuple) else [arg]):
                if isinstance(e, ast.Attribute):
                    continue
                name = getattr(e, "id", None)
                if name is None or name in classes or not (
                        name in imported or hasattr(builtins, name)):
                    bad.append((mod, ast.unparse(e), node.lineno))
    assert not bad, bad


def test_diagnostics_use_the_density_face_only():
    """Diagnostics work for priors without a finite mode: they never touch the penalty face
    (``penalty_weights``, ``penalty``, ``prox``; ``has_mode`` is the one question they ask)."""
    faces = {"penalty_weights", "prox", "subgradient_distance", "zero_threshold", "penalty"}
    bad = []
    for mod, path in _diagnostics_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in faces:
                bad.append((mod, node.attr, node.lineno))
    assert not bad, bad
