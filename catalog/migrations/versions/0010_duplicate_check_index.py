"""查重 on a page of search results: the agency + 发文字号 index covers what it reads

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 09:30:00
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

INDEX = "ix_record_agency_docno"
COVERING = ["agency", "doc_number", "deleted", "library_id", "index_no"]


def upgrade() -> None:
    op.drop_index(INDEX, table_name="catalog_records")
    op.create_index(INDEX, "catalog_records", COVERING)


def downgrade() -> None:
    op.drop_index(INDEX, table_name="catalog_records")
    op.create_index(INDEX, "catalog_records", COVERING[:2])
