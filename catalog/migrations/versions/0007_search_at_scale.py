"""search at 10^6 records: a covering URL-prefix index on SQLite

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 03:40:00
"""

from alembic import op

from diancang.catalog.search_index import URL_INDEX, URL_INDEX_SQLITE

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"DROP INDEX IF EXISTS {URL_INDEX}")
        op.execute(URL_INDEX_SQLITE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"DROP INDEX IF EXISTS {URL_INDEX}")
        op.execute(f"CREATE INDEX {URL_INDEX} ON catalog_captures (url)")
