"""Jinja2 rendering of the portal's pages into bytes in the page's own encoding."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

_ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(("html",)),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def render(template: str, encoding: str = "utf-8", **context: Any) -> bytes:
    """Render ``template`` and encode it strictly: a character the page's charset cannot
    hold is an error naming the template, not a silent ``?``."""
    text = _ENV.get_template(template).render(**context)
    try:
        return text.encode(encoding)
    except UnicodeEncodeError as error:
        bad = error.object[error.start : error.end]
        raise ValueError(
            f"{TEMPLATES / template}: character {bad!r} cannot be encoded as {encoding}"
        ) from None


def static_file(name: str) -> bytes:
    """The bytes of a file in ``static/`` (style sheet, scripts)."""
    return (STATIC / name).read_bytes()
