"""Chinese and numeric date forms → ISO 8601 (YYYY-MM-DD)."""

from __future__ import annotations

import re
from datetime import date

_DATE = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*(?:年|[-/.])\s*(?P<m>\d{1,2})\s*(?:月|[-/.])\s*(?P<d>\d{1,2})\s*日?"
)
_COMPACT = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<m>\d{2})(?P<d>\d{2})(?!\d)")
_FULLWIDTH = str.maketrans("０１２３４５６７８９／－．", "0123456789/-.")


def normalise_date(text: str | None) -> str | None:
    """The first valid date in ``text`` as YYYY-MM-DD, or None.

    Accepts 2024年3月5日, 2024-03-05, 2024/3/5, 2024.3.5, 20240305 and a trailing time
    (2020-09-11 08:38). An impossible date (2024-13-40) gives None.
    """
    if not text:
        return None
    text = text.translate(_FULLWIDTH)
    for pattern in (_DATE, _COMPACT):
        for match in pattern.finditer(text):
            try:
                return date(int(match["y"]), int(match["m"]), int(match["d"])).isoformat()
            except ValueError:
                continue
    return None


def looks_like_date(text: str | None) -> bool:
    """True when ``text`` has a date shape, valid or not (used to flag invalid dates)."""
    if not text:
        return False
    text = text.translate(_FULLWIDTH)
    return bool(_DATE.search(text) or _COMPACT.search(text))
