"""The values the app's code passes to a function, found by reading the source:
every action code given to ``audit.services.record``, every kind of mail given
to ``notifications.services.enqueue``. A test then checks each has a label.

An argument is followed back as far as a reader would follow it: a literal, an
f-string, either branch of ``a if c else b``, a name assigned in the function
(also by unpacking a tuple), an attribute assigned in the function, a
module's constant or enum member, a parameter annotated with an enum (any of
its members) or else the arguments of the module's calls to the function.
An argument that cannot be followed is reported, so that the code is written
in a way that can be checked rather than skipped."""

import ast
import importlib
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from types import ModuleType

from thinktank.paths import ROOT

PACKAGE = ROOT / "thinktank"


class Unresolved(Exception):
    pass


@dataclass
class Call:
    where: str  # path:line
    values: set[str] | None  # None: the argument could not be followed


@dataclass
class _Module:
    module: ModuleType
    tree: ast.Module
    parents: dict[ast.AST, ast.AST]


def _modules() -> Iterator[_Module]:
    for path in sorted(PACKAGE.rglob("*.py")):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        if name.endswith(".__init__"):
            name = name.removesuffix(".__init__")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        yield _Module(importlib.import_module(name), tree, parents)


def _function_of(node: ast.AST, module: _Module) -> ast.FunctionDef | None:
    while node in module.parents:
        node = module.parents[node]
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return node
    return None


def _as_text(value) -> str:
    return value.value if isinstance(value, Enum) else value


def _values(node: ast.AST, module: _Module, function, depth: int = 0) -> set:
    """Every value ``node`` may have: strings or enum members."""
    if depth > 10:
        raise Unresolved

    def again(other: ast.AST) -> set:
        return _values(other, module, function, depth + 1)

    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.JoinedStr):
        parts = [{part.value} if isinstance(part, ast.Constant)
                 else {str(_as_text(v)) for v in again(part.value)} for part in node.values]
        return {"".join(choice) for choice in itertools.product(*parts)}
    if isinstance(node, ast.IfExp):
        return again(node.body) | again(node.orelse)
    if isinstance(node, ast.Attribute) and node.attr == "value":
        return {_as_text(v) for v in again(node.value)}
    if isinstance(node, ast.Name | ast.Attribute) and function is not None:
        assigned = list(_assignments(node, function))
        if assigned:
            return set().union(*(again(value) for value in assigned))
        if isinstance(node, ast.Name):
            parameter = _parameter(node.id, function)
            if parameter is not None:
                return _parameter_values(parameter, function, module, depth)
    return _constant(node, module.module)


def _same_target(target: ast.AST, node: ast.AST) -> bool:
    return ast.unparse(target) == ast.unparse(node)


def _assignments(node: ast.AST, function) -> Iterator[ast.AST]:
    """The values assigned to ``node`` (a name or an attribute) in ``function``."""
    for statement in ast.walk(function):
        if not isinstance(statement, ast.Assign):
            continue
        for target in statement.targets:
            if _same_target(target, node):
                yield statement.value
            elif isinstance(target, ast.Tuple) and isinstance(statement.value, ast.Tuple):
                for element, value in zip(target.elts, statement.value.elts, strict=True):
                    if _same_target(element, node):
                        yield value


def _parameter(name: str, function) -> ast.arg | None:
    arguments = function.args
    for parameter in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
        if parameter.arg == name:
            return parameter
    return None


def _parameter_values(parameter: ast.arg, function, module: _Module, depth: int) -> set:
    """An enum-annotated parameter takes any member; another one, whatever the
    module's calls of the function give it."""
    if parameter.annotation is not None:
        try:
            annotation = _evaluate(parameter.annotation, module.module)
        except (Unresolved, AttributeError):
            annotation = None
        if isinstance(annotation, type) and issubclass(annotation, Enum):
            return set(annotation)
    position = [p.arg for p in function.args.args].index(parameter.arg) \
        if parameter in function.args.args else None
    found = set()
    calls = [node for node in ast.walk(module.tree) if isinstance(node, ast.Call)
             and isinstance(node.func, ast.Name) and node.func.id == function.name]
    if not calls:
        raise Unresolved
    for call in calls:
        given = next((k.value for k in call.keywords if k.arg == parameter.arg), None)
        if given is None and position is not None and position < len(call.args):
            given = call.args[position]
        if given is None:
            raise Unresolved
        found |= _values(given, module, _function_of(call, module), depth + 1)
    return found


def _evaluate(node: ast.AST, module: ModuleType):
    """A module-level name or dotted name (``MailKind.INVITATION``), evaluated
    in the module."""
    names = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or not hasattr(module, node.id):
        raise Unresolved
    value = getattr(module, node.id)
    for name in reversed(names):
        value = getattr(value, name)
    return value


def _constant(node: ast.AST, module: ModuleType) -> set:
    value = _evaluate(node, module)
    if isinstance(value, str | Enum):
        return {value}
    raise Unresolved


def calls_of(function: Callable, argument: str, position: int | None = None) -> list[Call]:
    """Every call of ``function`` in the package, with the values it may give
    ``argument`` (that keyword, or the ``position``-th positional argument)."""
    found = []
    for module in _modules():
        for node in ast.walk(module.tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and getattr(module.module, node.func.id, None) is function):
                continue
            given = next((k.value for k in node.keywords if k.arg == argument), None)
            if given is None and position is not None and position < len(node.args):
                given = node.args[position]
            where = f"{module.module.__file__}:{node.lineno}"
            try:
                values = {_as_text(v) for v in
                          _values(given, module, _function_of(node, module))}
            except Unresolved:
                values = None
            found.append(Call(where, values))
    return found
