"""Two-character words: an index of the records' character pairs

A two-character term, too short for a trigram index, was matched by ``LIKE`` over the
records read newest first: every record for a rare one. SQLite: an FTS5 table of the text
with each character doubled; PostgreSQL: the doubled text in the text table, under a
trigram index of its own.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 19:00:00
"""

from alembic import op

from diancang.catalog.search_index import create_pairs, create_pg_text, drop_pairs, drop_pg_text

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a catalogue created at this version has the index from 0005 already: made again
    if op.get_bind().dialect.name == "sqlite":
        drop_pairs(op.get_bind())
        create_pairs(op.get_bind())
    else:
        drop_pg_text(op.get_bind())
        create_pg_text(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        drop_pairs(op.get_bind())
    else:
        drop_pg_text(op.get_bind())
        create_pg_text(op.get_bind(), pairs=False)
