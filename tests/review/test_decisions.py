"""``review.decisions.decide`` on both database backends: what a decision does to the item,
its record's review state, publication and OAI datestamp, and the audit log it appends to
(which the database refuses to change)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from review_helpers import Page, finished_job
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError

from diancang.accounts.libraries import add_library
from diancang.accounts.users import add_user
from diancang.catalog.db import Catalog
from diancang.catalog.records_builder import commit_with_datestamps
from diancang.review.decisions import NotAllowed, ReviewError, decide
from diancang.review.models import Decision
from diancang.review.states import APPROVE, APPROVED, PENDING, REJECT, REJECTED

REASONS = ("内容不完整", "页面无法回放", "其他")


@pytest.fixture
def db(database_url) -> Iterator:
    catalog = Catalog(database_url)
    with catalog.session() as session:
        add_library(session, "河北省图书馆", "province", "130000")
        library = add_library(session, "石家庄市图书馆", "city", "130100", parent="河北省图书馆")
        session.flush()
        session.info["library_id"] = library.id
        for username, role in (("curator", "curator"), ("librarian", "librarian")):
            add_user(session, username, role, "长城-great-wall-2026", "石家庄市图书馆")
        session.commit()
        yield session
    catalog.dispose()


def user(db, username):
    from diancang.accounts.models import User

    return db.scalars(select(User).where(User.username == username)).one()


def one_item(db, **page):
    _job, (item,) = finished_job(db, db.info["library_id"], [Page("http://sjz.example/a", **page)])
    commit_with_datestamps(db)
    return item


def stamp_of(db, record):
    db.refresh(record)
    return record.datestamp


def test_approve_publishes_the_record_and_moves_its_datestamp_to_the_commit(db):
    item = one_item(db)
    record, before = item.record, stamp_of(db, item.record)
    line = decide(db, item, user(db, "curator"), APPROVE, comment="  好  ")
    commit_with_datestamps(db)
    assert item.state == APPROVED and record.review_state == APPROVED and record.published
    assert stamp_of(db, record) > before
    assert (line.state_before, line.state_after, line.published_before) == (
        PENDING,
        APPROVED,
        False,
    )
    assert (line.username, line.role, line.comment) == ("curator", "curator", "好")


def test_rejecting_a_published_record_keeps_it_published_as_a_deleted_record(db):
    item = one_item(db, published=True)
    record, before = item.record, stamp_of(db, item.record)
    line = decide(db, item, user(db, "curator"), REJECT, reason="内容不完整", reasons=REASONS)
    commit_with_datestamps(db)
    assert record.review_state == REJECTED and record.published  # OAI-PMH: a deleted record
    assert stamp_of(db, record) > before
    assert line.published_before and line.reason == "内容不完整"


def test_approving_a_rejected_published_record_again_moves_its_datestamp(db):
    """A harvester saw it deleted; served again, it must be harvested again."""
    item = one_item(db, published=True)
    curator = user(db, "curator")
    decide(db, item, curator, REJECT, reason="其他", reasons=REASONS)
    commit_with_datestamps(db)
    rejected_at = stamp_of(db, item.record)
    decide(db, item, curator, APPROVE)
    commit_with_datestamps(db)
    assert item.record.review_state == APPROVED and item.record.published
    assert stamp_of(db, item.record) > rejected_at


def test_rejecting_an_unpublished_record_leaves_its_datestamp(db):
    item = one_item(db)
    before = stamp_of(db, item.record)
    decide(db, item, user(db, "curator"), REJECT, reason="其他", reasons=REASONS)
    commit_with_datestamps(db)
    assert item.record.review_state == REJECTED and not item.record.published
    assert stamp_of(db, item.record) == before


@pytest.mark.parametrize("reason", [None, "", "我不喜欢"])
def test_a_reject_needs_one_of_the_configured_reasons(db, reason):
    item = one_item(db)
    with pytest.raises(ReviewError, match="请选择退回原因：内容不完整、页面无法回放、其他"):
        decide(db, item, user(db, "curator"), REJECT, reason=reason, reasons=REASONS)
    assert item.state == PENDING
    assert db.scalars(select(Decision).where(Decision.item_id == item.id)).all() == []


def test_a_librarian_may_not_decide(db):
    item = one_item(db)
    with pytest.raises(NotAllowed):
        decide(db, item, user(db, "librarian"), APPROVE)
    assert item.state == PENDING


def test_the_database_refuses_to_change_or_delete_an_audit_line(db):
    item = one_item(db)
    line = decide(db, item, user(db, "curator"), APPROVE)
    commit_with_datestamps(db)
    for statement in (
        update(Decision).where(Decision.id == line.id).values(action=REJECT),
        delete(Decision).where(Decision.id == line.id),
    ):
        with pytest.raises(DBAPIError, match="append-only audit log"):
            db.execute(statement)
        db.rollback()
    assert db.get(Decision, line.id).action == APPROVE
