"""listing coverage: listings, their pages and links, failed fetches, redirect targets

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("catalog_captures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("redirect_to", sa.Text(), nullable=True))

    op.create_table(
        "catalog_listings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("key_hash", sa.String(length=40), nullable=False),
        sa.Column("collection", sa.String(length=64), nullable=False),
        sa.Column("seed", sa.String(length=255), nullable=True),
        sa.Column("jurisdiction", sa.String(length=6), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("collection", "key_hash", name="uq_listing_key"),
    )
    op.create_table(
        "catalog_listing_pages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("warc_file_id", sa.Integer(), nullable=False),
        sa.Column("offset", sa.BigInteger(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("url_hash", sa.String(length=40), nullable=False),
        sa.Column("captured_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["listing_id"], ["catalog_listings.id"]),
        sa.ForeignKeyConstraint(["warc_file_id"], ["catalog_warc_files.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("warc_file_id", "offset", name="uq_listing_page_warc_offset"),
    )
    with op.batch_alter_table("catalog_listing_pages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_catalog_listing_pages_listing_id"), ["listing_id"], unique=False
        )
    op.create_table(
        "catalog_listing_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("url_hash", sa.String(length=40), nullable=False),
        sa.Column("hop", sa.String(length=1), nullable=True),
        sa.Column("not_followed", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["page_id"], ["catalog_listing_pages.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("catalog_listing_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_catalog_listing_links_page_id"), ["page_id"], unique=False
        )
    op.create_table(
        "catalog_fetch_errors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("warc_file_id", sa.Integer(), nullable=False),
        sa.Column("offset", sa.BigInteger(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("url_hash", sa.String(length=40), nullable=False),
        sa.Column("captured_at", sa.DateTime(), nullable=False),
        sa.Column("seed", sa.String(length=255), nullable=True),
        sa.Column("collection", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["warc_file_id"], ["catalog_warc_files.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("warc_file_id", "offset", name="uq_fetch_error_warc_offset"),
    )
    with op.batch_alter_table("catalog_fetch_errors", schema=None) as batch_op:
        batch_op.create_index("ix_fetch_error_url_hash", ["url_hash", "captured_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("catalog_fetch_errors", schema=None) as batch_op:
        batch_op.drop_index("ix_fetch_error_url_hash")
    op.drop_table("catalog_fetch_errors")
    with op.batch_alter_table("catalog_listing_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_listing_links_page_id"))
    op.drop_table("catalog_listing_links")
    with op.batch_alter_table("catalog_listing_pages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_listing_pages_listing_id"))
    op.drop_table("catalog_listing_pages")
    op.drop_table("catalog_listings")
    with op.batch_alter_table("catalog_captures", schema=None) as batch_op:
        batch_op.drop_column("redirect_to")
