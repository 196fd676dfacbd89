"""GB/T 2260 jurisdiction keys of a record: its own code, its province and its city."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from diancang import jurisdictions

_CODE = re.compile(r"^\d{6}$")


@dataclass(frozen=True)
class Place:
    code: str
    name: str | None
    province: str | None
    city: str | None


@functools.lru_cache(maxsize=4096)  # asked for each capture an ingest catalogues
def place_of(code: str | None) -> Place | None:
    """The place for a six-digit code, or None when ``code`` is not a GB/T 2260 code."""
    if not code or not _CODE.match(code):
        return None
    province = jurisdictions.province_of(code)
    city = jurisdictions.city_of(code)
    if jurisdictions.lookup(code) is None:
        # Codes retired from the current standard keep their structural keys.
        return Place(code, None, code[:2] + "0000", code[:4] + "00" if code[2:4] != "00" else None)
    return Place(
        code=code,
        name=jurisdictions.full_name(code),
        province=province.code if province else None,
        city=city.code if city else None,
    )


def code_from_site_id(site_id_code: str | None) -> str | None:
    """``SiteIDCode`` 1304000009 begins with the site's code (130400); ministries use ``bm…``."""
    if site_id_code and len(site_id_code) >= 6 and site_id_code[:6].isdigit():
        return site_id_code[:6]
    return None


def set_level(code: str) -> str:
    """Which column a ``jurisdiction:CODE`` set filters on: province, city or the code itself."""
    place = jurisdictions.lookup(code)
    if place is not None:
        return place.level
    if code.endswith("0000"):
        return "province"
    return "city" if code.endswith("00") else "county"
