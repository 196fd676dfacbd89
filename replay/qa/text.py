"""The text QA compares, in one form for its score and for the review page's comparison:
whitespace collapsed (an HTML source and a rendered page break lines in different places)."""

from __future__ import annotations

import re

MAX_TEXT = 200_000  # characters compared of each text
_SPACE = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    return _SPACE.sub(" ", text).strip()[:MAX_TEXT]
