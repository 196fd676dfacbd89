"""SQLite two-character words: an FTS5 table of the records' character pairs

A two-character term, too short for the trigram index, was matched by ``LIKE`` over the
records read newest first: every record for a rare one.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 19:00:00
"""

from alembic import op

from diancang.catalog.search_index import create_pairs, drop_pairs

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        drop_pairs(op.get_bind())  # a catalogue created at this version has it from 0005
        create_pairs(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        drop_pairs(op.get_bind())
