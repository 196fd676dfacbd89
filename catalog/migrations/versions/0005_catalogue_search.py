"""catalogue search: trigram index of records' text, URL-prefix index of captures

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 19:00:00
"""

from alembic import op

from diancang.catalog import search_index

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("catalog_records", schema=None) as batch_op:
        batch_op.create_index("ix_record_doc_number", ["doc_number"], unique=False)
    search_index.create(op.get_bind())


def downgrade() -> None:
    search_index.drop(op.get_bind())
    with op.batch_alter_table("catalog_records", schema=None) as batch_op:
        batch_op.drop_index("ix_record_doc_number")
