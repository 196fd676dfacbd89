"""URL prefix on PostgreSQL: a stored url_head column and a covering index over it

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 19:00:00
"""

from alembic import op

from diancang.catalog.search_index import (
    PG_URL_HEAD_COLUMN,
    PG_URL_HEAD_DROP,
    PG_URL_INDEX,
    PG_URL_PREFIX,
    URL_INDEX,
)

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {URL_INDEX}")
        op.execute(PG_URL_HEAD_COLUMN)
        op.execute(PG_URL_INDEX)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {URL_INDEX}")
        op.execute(PG_URL_HEAD_DROP)
        op.execute(
            f"CREATE INDEX {URL_INDEX} ON catalog_captures "
            f"(left(url, {PG_URL_PREFIX}) text_pattern_ops)"
        )
