"""catalogue schema: WARC files, captures, records, attachments

Revision ID: 0001
Revises:
Create Date: 2026-11-25 07:53:49.944533
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "catalog_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("datestamp", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("collection", sa.String(length=64), nullable=True),
        sa.Column("jurisdiction_code", sa.String(length=6), nullable=True),
        sa.Column("jurisdiction_name", sa.String(length=128), nullable=True),
        sa.Column("province_code", sa.String(length=6), nullable=True),
        sa.Column("city_code", sa.String(length=6), nullable=True),
        sa.Column("site_name", sa.String(length=255), nullable=True),
        sa.Column("site_key", sa.String(length=64), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("index_no", sa.String(length=128), nullable=True),
        sa.Column("category", sa.Text(), nullable=True),
        sa.Column("agency", sa.String(length=255), nullable=True),
        sa.Column("written_date", sa.String(length=10), nullable=True),
        sa.Column("doc_number", sa.String(length=255), nullable=True),
        sa.Column("pub_date", sa.String(length=10), nullable=True),
        sa.Column("keywords", sa.Text(), nullable=True),
        sa.Column("validity", sa.String(length=64), nullable=True),
        sa.Column("doc_type", sa.String(length=64), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("source_url", sa.Text(), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("raw_values", sa.JSON(), nullable=False),
        sa.Column("provenance", sa.JSON(), nullable=False),
        sa.Column("title_key", sa.String(length=40), nullable=True),
        sa.Column("simhash", sa.BigInteger(), nullable=True),
        sa.Column("band0", sa.Integer(), nullable=True),
        sa.Column("band1", sa.Integer(), nullable=True),
        sa.Column("band2", sa.Integer(), nullable=True),
        sa.Column("band3", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("site_key"),
    )
    with op.batch_alter_table("catalog_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_catalog_records_band0"), ["band0"], unique=False)
        batch_op.create_index(batch_op.f("ix_catalog_records_band1"), ["band1"], unique=False)
        batch_op.create_index(batch_op.f("ix_catalog_records_band2"), ["band2"], unique=False)
        batch_op.create_index(batch_op.f("ix_catalog_records_band3"), ["band3"], unique=False)
        batch_op.create_index(batch_op.f("ix_catalog_records_index_no"), ["index_no"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_catalog_records_title_key"), ["title_key"], unique=False
        )
        batch_op.create_index("ix_record_agency_docno", ["agency", "doc_number"], unique=False)
        batch_op.create_index(
            "ix_record_city_datestamp", ["city_code", "datestamp", "id"], unique=False
        )
        batch_op.create_index(
            "ix_record_collection_datestamp", ["collection", "datestamp", "id"], unique=False
        )
        batch_op.create_index("ix_record_datestamp", ["datestamp", "id"], unique=False)
        batch_op.create_index(
            "ix_record_jurisdiction_datestamp",
            ["jurisdiction_code", "datestamp", "id"],
            unique=False,
        )
        batch_op.create_index("ix_record_kind_datestamp", ["kind", "datestamp", "id"], unique=False)
        batch_op.create_index(
            "ix_record_province_datestamp", ["province_code", "datestamp", "id"], unique=False
        )

    op.create_table(
        "catalog_warc_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("ingested_at", sa.DateTime(), nullable=False),
        sa.Column("captures_count", sa.Integer(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("collection", sa.String(length=64), nullable=True),
        sa.Column("jurisdiction", sa.String(length=6), nullable=True),
        sa.Column("seed", sa.String(length=255), nullable=True),
        sa.Column("seed_url", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", "size", name="uq_warc_file_name_size"),
    )
    op.create_table(
        "catalog_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("url_hash", sa.String(length=40), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["catalog_records.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("catalog_attachments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_catalog_attachments_record_id"), ["record_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_catalog_attachments_url_hash"), ["url_hash"], unique=False
        )

    op.create_table(
        "catalog_captures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("warc_file_id", sa.Integer(), nullable=False),
        sa.Column("offset", sa.BigInteger(), nullable=False),
        sa.Column("length", sa.BigInteger(), nullable=False),
        sa.Column("warc_type", sa.String(length=16), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("url_hash", sa.String(length=40), nullable=False),
        sa.Column("captured_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("mime", sa.String(length=255), nullable=True),
        sa.Column("payload_digest", sa.String(length=128), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("seed", sa.String(length=255), nullable=True),
        sa.Column("collection", sa.String(length=64), nullable=True),
        sa.Column("jurisdiction", sa.String(length=6), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("charset", sa.String(length=32), nullable=True),
        sa.Column("replay_url", sa.Text(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("match_reason", sa.String(length=32), nullable=True),
        sa.Column("match_detail", sa.Text(), nullable=True),
        sa.Column("site_record_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["catalog_records.id"],
        ),
        sa.ForeignKeyConstraint(
            ["site_record_id"],
            ["catalog_records.id"],
        ),
        sa.ForeignKeyConstraint(
            ["warc_file_id"],
            ["catalog_warc_files.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("warc_file_id", "offset", name="uq_capture_warc_offset"),
    )
    with op.batch_alter_table("catalog_captures", schema=None) as batch_op:
        batch_op.create_index("ix_capture_url_hash", ["url_hash", "captured_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_catalog_captures_payload_digest"), ["payload_digest"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_catalog_captures_record_id"), ["record_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_catalog_captures_site_record_id"), ["site_record_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("catalog_captures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_captures_site_record_id"))
        batch_op.drop_index(batch_op.f("ix_catalog_captures_record_id"))
        batch_op.drop_index(batch_op.f("ix_catalog_captures_payload_digest"))
        batch_op.drop_index("ix_capture_url_hash")

    op.drop_table("catalog_captures")
    with op.batch_alter_table("catalog_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_attachments_url_hash"))
        batch_op.drop_index(batch_op.f("ix_catalog_attachments_record_id"))

    op.drop_table("catalog_attachments")
    op.drop_table("catalog_warc_files")
    with op.batch_alter_table("catalog_records", schema=None) as batch_op:
        batch_op.drop_index("ix_record_province_datestamp")
        batch_op.drop_index("ix_record_kind_datestamp")
        batch_op.drop_index("ix_record_jurisdiction_datestamp")
        batch_op.drop_index("ix_record_datestamp")
        batch_op.drop_index("ix_record_collection_datestamp")
        batch_op.drop_index("ix_record_city_datestamp")
        batch_op.drop_index("ix_record_agency_docno")
        batch_op.drop_index(batch_op.f("ix_catalog_records_title_key"))
        batch_op.drop_index(batch_op.f("ix_catalog_records_index_no"))
        batch_op.drop_index(batch_op.f("ix_catalog_records_band3"))
        batch_op.drop_index(batch_op.f("ix_catalog_records_band2"))
        batch_op.drop_index(batch_op.f("ix_catalog_records_band1"))
        batch_op.drop_index(batch_op.f("ix_catalog_records_band0"))

    op.drop_table("catalog_records")
