"""Read a YAML seed list: a list of mappings, or a mapping with `seeds:`.

The file is composed into nodes first so that every value keeps the line it was written on.
Before that, one pass over the parser's events bounds the document: its nesting depth, and
its number of values counting each alias as a copy of what it names, which is what a
"billion laughs" alias bomb multiplies.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from diancang.seeds.raw import (
    FIELDS,
    LIMIT_FIELDS,
    LISTING_FIELDS,
    LISTING_PARTS,
    SCOPE_FIELDS,
    RawSeed,
)
from diancang.seeds.schema import SeedError
from diancang.seeds.shown import clip, name

_NESTED = SCOPE_FIELDS + LIMIT_FIELDS + LISTING_FIELDS
_TOP = tuple(f for f in FIELDS if f not in _NESTED) + ("limits", "listing")
_SCOPE = ("mode", *SCOPE_FIELDS)
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when installed
MAX_DEPTH = 32  # a seed list needs 6 levels (seeds, list, seed, scope, include, pattern)
MAX_VALUES = 1_000_000  # about 300 MB of composed nodes
# PyYAML's pure-Python parser rewords an error; it runs at some 0.2 MB/s, so not on big files
_REWORD_LIMIT = 256 * 1024


class _Constructor(SafeConstructor):
    def construct_yaml_int(self, node: ScalarNode) -> int | str:
        try:
            return super().construct_yaml_int(node)
        except ValueError:  # beyond Python's digit limit: the field parser says "too large"
            return self.construct_scalar(node)


_Constructor.add_constructor("tag:yaml.org,2002:int", _Constructor.construct_yaml_int)


def read_yaml(path: str, text: str) -> Iterator[RawSeed | SeedError]:
    """Each seed's RawSeed and each problem found, in file order."""
    try:
        problem = _bound(path, text, _FAST_LOADER)
        root = None if problem else yaml.compose(text, Loader=_FAST_LOADER)
    except yaml.YAMLError as e:
        yield _syntax_error(path, text, _reworded(path, text, e))
        return
    if problem:
        yield problem
        return
    if root is None:
        yield SeedError(path, None, None, "empty file: no seeds")
        return
    errors: list[SeedError] = []
    items = _seed_nodes(path, root, errors)
    yield from errors
    if not items and not errors:
        yield SeedError(path, _line(root), "seeds", "the list of seeds is empty")
    for node in items:
        found: list[SeedError] = []
        raw = _read_seed(path, node, found)
        yield from found
        if raw is not None:
            yield raw


def _bound(path: str, text: str, loader: type) -> SeedError | None:
    """The first place where the document nests too deep or holds too many values."""
    expanded: dict[str, int] = {}  # anchor -> values it stands for
    open_anchors: list[tuple[str | None, int]] = []  # (anchor, count at start) per collection
    count = 0
    for event in yaml.parse(text, Loader=loader):
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent):
            if any(anchor == event.anchor for anchor, _ in open_anchors):
                message = f"bad YAML: alias *{name(event.anchor)} inside what it names"
                return SeedError(path, line, None, message)
            count += expanded.get(event.anchor, 1)  # an undefined alias fails in compose
        elif isinstance(event, yaml.ScalarEvent):
            count += 1
            if event.anchor is not None:
                expanded[event.anchor] = 1
        elif isinstance(event, yaml.CollectionStartEvent):
            if len(open_anchors) == MAX_DEPTH:
                message = f"bad YAML: nested more than {MAX_DEPTH} levels deep"
                return SeedError(path, line, None, message)
            count += 1
            open_anchors.append((event.anchor, count - 1))
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, start = open_anchors.pop()
            if anchor is not None:
                expanded[anchor] = count - start
        if count > MAX_VALUES:
            message = (
                f"bad YAML: more than {MAX_VALUES} values, counting each alias (*name) "
                "as a copy of what it names"
            )
            return SeedError(path, line, None, message)
    return None


def _reworded(path: str, text: str, e: yaml.YAMLError) -> yaml.YAMLError:
    """PyYAML's own parser words its errors better than libyaml does, and the same way
    whether or not libyaml is installed."""
    if len(text) > _REWORD_LIMIT or "maximum nesting depth" in str(e):
        return e
    try:
        if _bound(path, text, yaml.SafeLoader) is None:
            yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as pure:
        return pure
    return e


def _syntax_error(path: str, text: str, e: yaml.YAMLError) -> SeedError:
    mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
    problem = str(getattr(e, "problem", None) or e)
    if "maximum nesting depth" in problem:  # libyaml's own bound, at 1000 levels
        problem = f"nested more than {MAX_DEPTH} levels deep"
    message = "bad YAML: " + clip(problem)
    if mark is None:
        return SeedError(path, None, None, message)
    lines = text.splitlines()
    line = min(mark.line + 1, max(len(lines), 1))  # errors at the end of the stream
    if re.search(r":\s*\*", lines[line - 1] if lines else ""):
        message += ' (quote a value that starts with *, e.g. schedule: "*/30 * * * *")'
    return SeedError(path, line, None, message)


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _key(node: Node) -> str:
    """A mapping key as written; keys that are lists or mappings never name a field."""
    return node.value if isinstance(node, ScalarNode) else f"({node.id} as a key)"


def _set(
    path: str, raw: RawSeed, field: str, node: Node, errors: list[SeedError], label: str
) -> None:
    """The constructed value into raw; a value YAML cannot construct (an unsupported tag
    like !!python/object, a date like 2024-13-45) is an error of that field."""
    try:
        value: Any = _Constructor().construct_document(node)
    except (yaml.YAMLError, ValueError) as e:
        message = f"bad YAML value: {clip(str(getattr(e, 'problem', None) or e))}"
        errors.append(SeedError(path, _line(node), label, message))
        raw.unreadable.add(field)
        return
    raw.set(field, value, _line(node), label)


def _seed_nodes(path: str, root: Node, errors: list[SeedError]) -> list[Node]:
    if isinstance(root, MappingNode):
        keys = {_key(k): (k, v) for k, v in root.value}
        if "seeds" not in keys:
            found = f" (found {clip(', '.join(map(name, list(keys)[:10])))})" if keys else ""
            message = f"expected a list of seeds or a mapping with 'seeds:'{found}"
            errors.append(SeedError(path, _line(root), None, message))
            return []
        for key, (key_node, _) in keys.items():
            if key != "seeds":
                message = "unknown key (expected seeds)"
                errors.append(SeedError(path, _line(key_node), name(key), message))
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
        key = _key(key_node)
        if key in seen:
            errors.append(SeedError(path, _line(key_node), prefix + name(key), "repeated key"))
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
        elif key == "listing" and isinstance(value, MappingNode):
            _read_listing(path, raw, key_line, value, found)
        elif key == "listing":
            expected = f"expected a mapping of {', '.join(LISTING_PARTS)}"
            found.append(SeedError(path, _line(value), key, expected))
        elif key in _TOP:
            _set(path, raw, key, value, found, key)
        else:
            found.append(SeedError(path, key_line, name(key), _unknown(key)))
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
    flat=lambda key: "scope" if key == "mode" else key,
) -> None:
    for key, key_line, value in _pairs(path, node, errors, prefix=f"{section}."):
        label = f"{section}.{name(key)}"
        if key not in known:
            errors.append(
                SeedError(path, key_line, label, f"unknown key (known: {', '.join(known)})")
            )
            continue
        _set(path, raw, flat(key), value, errors, label)


def _read_listing(
    path: str, raw: RawSeed, line: int, node: MappingNode, errors: list[SeedError]
) -> None:
    """``listing: {url, first, ...}``; a part left out is named ``listing.PART`` at the line
    of ``listing:``."""
    for part in LISTING_PARTS:
        raw.lines[f"listing_{part}"], raw.labels[f"listing_{part}"] = line, f"listing.{part}"
    _read_nested(path, raw, node, "listing", LISTING_PARTS, errors, lambda key: f"listing_{key}")


def _unknown(key: str) -> str:
    if key in SCOPE_FIELDS:
        return f"unknown field (did you mean scope.{key}?)"
    if key in LIMIT_FIELDS:
        return f"unknown field (did you mean limits.{key}?)"
    if key in LISTING_FIELDS:
        return f"unknown field (did you mean listing.{key.removeprefix('listing_')}?)"
    return "unknown field"
