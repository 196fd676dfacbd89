"""The calendar crawler trap: ``/calendar/?month=YYYY-MM`` links the previous and the next
month, every month, so a crawler that follows links blindly never ends (years 0001-9999)."""

from __future__ import annotations

import calendar
import re
from urllib.parse import parse_qs

from diancang.demo_portal.rendering import render
from diancang.demo_portal.serving import Page

CALENDAR_PATH = "/calendar/"
FIRST_MONTH = "2024-03"  # the month linked from the site: the only in-scope trap page
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_HTML = "text/html; charset=UTF-8"


def trap_path(month: str = FIRST_MONTH) -> str:
    return f"{CALENDAR_PATH}?month={month}"


def _shift(year: int, month: int, delta: int) -> str | None:
    index = year * 12 + (month - 1) + delta
    new_year, new_month = divmod(index, 12)
    if not 1 <= new_year <= 9999:
        return None
    return f"{new_year:04d}-{new_month + 1:02d}"


def parse_month(query: str) -> tuple[int, int] | None:
    """(year, month) from a query string; the first month when absent; None when invalid."""
    values = parse_qs(query).get("month", [FIRST_MONTH])
    match = _MONTH.match(values[0])
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= year <= 9999 and 1 <= month <= 12):
        return None
    return year, month


def calendar_page(year: int, month: int, site: dict[str, str]) -> Page:
    """The page of one month: a grid of days and links to the months around it."""
    body = render(
        "calendar.html",
        charset="utf-8",
        site=site,
        year=year,
        month=month,
        weeks=calendar.Calendar(firstweekday=0).monthdayscalendar(year, month),
        prev_month=_shift(year, month, -1),
        next_month=_shift(year, month, +1),
    )
    return Page(body=body, content_type=_HTML)
