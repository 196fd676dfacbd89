"""Seed include/exclude patterns, matched by RE2 in time linear in the URL's length.

Python's backtracking engine takes exponential time on patterns like ``(a+)+b`` against a
hostile URL, and it would do so on the crawl's event loop. RE2 has no backreferences or
lookaround, and spells Python's ``\\Z`` as ``\\z``; such patterns are refused when the
seed list is read.
"""

from __future__ import annotations

import functools

import re2

from diancang.seeds.shown import clip, shown

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # RE2 would print each bad pattern to stderr itself


@functools.cache
def compile_pattern(pattern: str) -> re2._Regexp:
    """The compiled pattern; ValueError naming what RE2 could not compile."""
    try:
        return re2.compile(pattern, _OPTIONS)
    except re2.error as e:
        reason = e.args[0].decode("utf-8", "replace") if e.args else "cannot compile"
        raise ValueError(
            f"bad regex {shown(pattern)}: {clip(reason)} (RE2 syntax: no backreferences "
            "or lookaround, \\z for the end of text)"
        ) from None
