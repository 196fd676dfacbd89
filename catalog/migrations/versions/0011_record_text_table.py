"""PostgreSQL: the records' trigram index over a table of their text, kept by a trigger

A GIN index on ``catalog_records`` made every change of a record (its datestamp, at each
revisit, review decision or withdrawal) re-insert all its trigrams.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 13:30:00
"""

from alembic import op

from diancang.catalog.search_index import (
    PG_RECORDS_TEXT_INDEX,
    PG_SEARCH_TEXT,
    create_pg_text,
    drop_pg_text,
)

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {PG_RECORDS_TEXT_INDEX}")
        create_pg_text(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        drop_pg_text(op.get_bind())
        op.execute(
            f"CREATE INDEX {PG_RECORDS_TEXT_INDEX} ON catalog_records "
            f"USING gin (({PG_SEARCH_TEXT.format(t='')}) gin_trgm_ops)"
        )
