"""What each role may see and change: the one rule every console page and API call asks.

| role      | sees                                         | edits (seeds, jobs…) | reviews |
| --------- | -------------------------------------------- | -------------------- | ------- |
| admin     | every library                                | every library        | every   |
| librarian | their library                                | their library        | nothing |
| curator   | their library                                | nothing              | theirs  |
| auditor   | their provincial library and all under it    | nothing              | samples |

Librarians see QA scores but decide nothing; an auditor decides only on the items of the
samples (抽检) they drew, which ``diancang.review`` checks item by item. Managing libraries
and accounts is the admin's alone (``manages_accounts``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from diancang.accounts.models import ADMIN, AUDITOR, CURATOR, LIBRARIAN, Library, User

EDIT = "edit"  # registering seeds, scheduling and running crawls
REVIEW = "review"  # the curator's review of captures and records
ACTIONS = (EDIT, REVIEW)


@dataclass(frozen=True)
class Access:
    """Library ids a user may see, edit and review."""

    see: frozenset[int]
    edit: frozenset[int]
    review: frozenset[int]

    def can_see(self, library_id: int | None) -> bool:
        return library_id in self.see

    def can(self, action: str, library_id: int | None) -> bool:
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}; expected one of {', '.join(ACTIONS)}")
        return library_id in (self.edit if action == EDIT else self.review)


def access(session: Session, user: User) -> Access:
    """The libraries ``user`` may see, edit and review (nothing for an inactive account)."""
    if not user.active:
        return Access(frozenset(), frozenset(), frozenset())
    if user.role == ADMIN:
        every = frozenset(session.scalars(select(Library.id)))
        return Access(every, every, every)
    own = frozenset([user.library_id]) if user.library_id is not None else frozenset()
    if user.role == LIBRARIAN:
        return Access(own, own, frozenset())
    if user.role == CURATOR:
        return Access(own, frozenset(), own)
    if user.role == AUDITOR:
        return Access(_subtree(session, user.library_id), frozenset(), frozenset())
    return Access(frozenset(), frozenset(), frozenset())


def manages_accounts(user: User) -> bool:
    """Only an admin registers libraries and creates accounts."""
    return user.active and user.role == ADMIN


def _subtree(session: Session, root: int | None) -> frozenset[int]:
    """``root`` and every library below it (cities under a province, counties under those)."""
    if root is None:
        return frozenset()
    children: dict[int, list[int]] = {}
    for library_id, parent_id in session.execute(select(Library.id, Library.parent_id)):
        children.setdefault(parent_id, []).append(library_id)
    found, todo = {root}, [root]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return frozenset(found)
