"""Read a YAML seed list: a list of mappings, or a mapping with `seeds:`.

The file is composed into nodes first so that every value keeps the line it was written on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, SequenceNode

from seeds.raw import FIELDS, LIMIT_FIELDS, SCOPE_FIELDS, RawSeed
from seeds.schema import SeedError

_TOP = tuple(f for f in FIELDS if f not in SCOPE_FIELDS + LIMIT_FIELDS) + ("limits",)
_SCOPE = ("mode", *SCOPE_FIELDS)
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when installed


def read_yaml(path: str, text: str) -> tuple[list[RawSeed], list[SeedError]]:
    try:
        root = yaml.compose(text, Loader=_FAST_LOADER)
    except yaml.YAMLError as e:
        return [], [_syntax_error(path, text, _pure_python_error(text) or e)]
    if root is None:
        return [], [SeedError(path, None, None, "empty file: no seeds")]
    errors: list[SeedError] = []
    items = _seed_nodes(path, root, errors)
    rows = [raw for node in items if (raw := _read_seed(path, node, errors)) is not None]
    if not items and not errors:
        errors.append(SeedError(path, _line(root), "seeds", "the list of seeds is empty"))
    return rows, errors


def _pure_python_error(text: str) -> yaml.YAMLError | None:
    """PyYAML's own parser words its errors better than libyaml does, and the same way
    whether or not libyaml is installed."""
    try:
        yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        return e
    return None


def _syntax_error(path: str, text: str, e: yaml.YAMLError) -> SeedError:
    mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
    message = "bad YAML: " + " ".join(str(getattr(e, "problem", None) or e).split())
    if mark is None:
        return SeedError(path, None, None, message)
    lines = text.splitlines()
    line = min(mark.line + 1, max(len(lines), 1))  # errors at the end of the stream
    if re.search(r":\s*\*", lines[line - 1] if lines else ""):
        message += ' (quote a value that starts with *, e.g. schedule: "*/30 * * * *")'
    return SeedError(path, line, None, message)


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _value(node: Node) -> Any:
    return SafeConstructor().construct_document(node)


def _seed_nodes(path: str, root: Node, errors: list[SeedError]) -> list[Node]:
    if isinstance(root, MappingNode):
        keys = {str(_value(k)): (k, v) for k, v in root.value}
        if "seeds" not in keys:
            found = f" (found {', '.join(keys)})" if keys else ""
            message = f"expected a list of seeds or a mapping with 'seeds:'{found}"
            errors.append(SeedError(path, _line(root), None, message))
            return []
        for key, (key_node, _) in keys.items():
            if key != "seeds":
                errors.append(SeedError(path, _line(key_node), key, "unknown key (expected seeds)"))
        root = keys["seeds"][1]
    if not isinstance(root, SequenceNode):
        errors.append(
            SeedError(
                path, _line(root), None, "expected a list of seeds or a mapping with 'seeds:'"
            )
        )
        return []
    return root.value


def _pairs(
    path: str, node: MappingNode, errors: list[SeedError], prefix: str = ""
) -> Iterator[tuple[str, int, Node]]:
    """(key, line of the key, value node) of a mapping, reporting repeated keys."""
    seen: set[str] = set()
    for key_node, value_node in node.value:
        key = str(_value(key_node))
        if key in seen:
            errors.append(SeedError(path, _line(key_node), prefix + key, "repeated key"))
        seen.add(key)
        yield key, _line(key_node), value_node


def _read_seed(path: str, node: Node, errors: list[SeedError]) -> RawSeed | None:
    if not isinstance(node, MappingNode):
        errors.append(SeedError(path, _line(node), None, "expected a mapping of seed fields"))
        return None
    raw = RawSeed(_line(node))
    found: list[SeedError] = []
    for key, key_line, value in _pairs(path, node, found):
        if key == "scope" and isinstance(value, MappingNode):
            _read_nested(path, raw, value, "scope", _SCOPE, found)
        elif key == "limits" and isinstance(value, MappingNode):
            _read_nested(path, raw, value, "limits", LIMIT_FIELDS, found)
        elif key == "limits":
            expected = f"expected a mapping of {', '.join(LIMIT_FIELDS)}"
            found.append(SeedError(path, _line(value), key, expected))
        elif key in _TOP:
            raw.set(key, _value(value), _line(value))
        else:
            found.append(SeedError(path, key_line, key, _unknown(key)))
    raw.bad = bool(found)
    errors += found
    return raw


def _read_nested(
    path: str,
    raw: RawSeed,
    node: MappingNode,
    section: str,
    known: tuple[str, ...],
    errors: list[SeedError],
) -> None:
    for key, key_line, value in _pairs(path, node, errors, prefix=f"{section}."):
        label = f"{section}.{key}"
        if key not in known:
            errors.append(
                SeedError(path, key_line, label, f"unknown key (known: {', '.join(known)})")
            )
            continue
        raw.set("scope" if key == "mode" else key, _value(value), _line(value), label)


def _unknown(key: str) -> str:
    if key in SCOPE_FIELDS:
        return f"unknown field (did you mean scope.{key}?)"
    if key in LIMIT_FIELDS:
        return f"unknown field (did you mean limits.{key}?)"
    return "unknown field"
