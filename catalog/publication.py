"""What the catalogue publishes, under ``settings.publish_policy``: one rule for OAI-PMH and
every other reader that asks which records a harvester sees.

- ``reviewed`` (the default): only records a curator approved (``Record.published``) are
  served; once published, a record is served for good, and a published record that review
  later rejected is served as a deleted record.
- ``all``: every record is served, as before review existed; a rejected one as deleted.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement

from diancang.catalog.models import Record
from diancang.review.states import PUBLISH_POLICIES, REJECTED, REVIEWED


def served(policy: str) -> list[ColumnElement[bool]]:
    """The WHERE clauses of the records served under ``policy`` (none for ``all``)."""
    if policy not in PUBLISH_POLICIES:
        raise ValueError(
            f"publish policy {policy!r}: expected one of {', '.join(PUBLISH_POLICIES)}"
        )
    return [Record.published.is_(True)] if policy == REVIEWED else []


def is_served(record: Record, policy: str) -> bool:
    return record.published or policy != REVIEWED


def served_as_deleted(record: Record) -> bool:
    """A served record that is withdrawn (a duplicate) or that review rejected: a harvester
    gets its header with status="deleted" and no metadata."""
    return record.deleted or record.review_state == REJECTED
