"""the seed registry (diancang.registry), crawl jobs (diancang.jobs), records' library

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 18:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registry_seeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("library_id", sa.Integer(), nullable=False),
        sa.Column("seed_key", sa.String(length=100), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("url_key", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("jurisdiction", sa.String(length=6), nullable=False),
        sa.Column("collection", sa.String(length=16), nullable=False),
        sa.Column("schedule", sa.String(length=128), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("next_run_at", sa.DateTime(), nullable=True),
        sa.Column("last_due_at", sa.DateTime(), nullable=True),
        sa.Column("last_job_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["library_id"],
            ["accounts_libraries.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("library_id", "url_key", name="uq_registry_seed_library_url"),
        sa.UniqueConstraint("seed_key"),
    )
    with op.batch_alter_table("registry_seeds", schema=None) as batch_op:
        batch_op.create_index("ix_registry_seed_next_run", ["next_run_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_registry_seeds_collection"), ["collection"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_registry_seeds_jurisdiction"), ["jurisdiction"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_registry_seeds_last_job_id"), ["last_job_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_registry_seeds_library_id"), ["library_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_registry_seeds_url_key"), ["url_key"], unique=False)

    op.create_table(
        "jobs_crawl_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("library_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("resume", sa.Boolean(), nullable=False),
        sa.Column("stop_requested", sa.Boolean(), nullable=False),
        sa.Column("worker", sa.String(length=255), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("queued_urls", sa.Integer(), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("pages_per_minute", sa.Float(), nullable=False),
        sa.Column("job_dir", sa.Text(), nullable=True),
        sa.Column("report_path", sa.Text(), nullable=True),
        sa.Column("warcs", sa.JSON(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("ingested_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["accounts_users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["library_id"],
            ["accounts_libraries.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("jobs_crawl_jobs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_jobs_crawl_jobs_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_jobs_crawl_jobs_library_id"), ["library_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_jobs_crawl_jobs_state"), ["state"], unique=False)

    op.create_table(
        "jobs_job_seeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("seed_id", sa.Integer(), nullable=True),
        sa.Column("seed_key", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["jobs_crawl_jobs.id"],
        ),
        sa.ForeignKeyConstraint(["seed_id"], ["registry_seeds.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("job_id", "seed_id", name="uq_job_seed"),
    )
    with op.batch_alter_table("jobs_job_seeds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jobs_job_seeds_job_id"), ["job_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_jobs_job_seeds_seed_id"), ["seed_id"], unique=False)

    with op.batch_alter_table("catalog_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("library_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            "ix_record_library_kind_created",
            ["library_id", "kind", "created_at", "deleted"],
            unique=False,
        )
        batch_op.create_foreign_key(
            "fk_record_library", "accounts_libraries", ["library_id"], ["id"]
        )
    op.create_index(
        "ix_capture_seed_captured", "catalog_captures", ["seed", "captured_at", "status"]
    )


def downgrade() -> None:
    op.drop_index("ix_capture_seed_captured", table_name="catalog_captures")
    with op.batch_alter_table("catalog_records", schema=None) as batch_op:
        batch_op.drop_constraint("fk_record_library", type_="foreignkey")
        batch_op.drop_index("ix_record_library_kind_created")
        batch_op.drop_column("library_id")

    with op.batch_alter_table("jobs_job_seeds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_job_seeds_seed_id"))
        batch_op.drop_index(batch_op.f("ix_jobs_job_seeds_job_id"))

    op.drop_table("jobs_job_seeds")
    with op.batch_alter_table("jobs_crawl_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_crawl_jobs_state"))
        batch_op.drop_index(batch_op.f("ix_jobs_crawl_jobs_library_id"))
        batch_op.drop_index(batch_op.f("ix_jobs_crawl_jobs_created_at"))

    op.drop_table("jobs_crawl_jobs")
    with op.batch_alter_table("registry_seeds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registry_seeds_url_key"))
        batch_op.drop_index(batch_op.f("ix_registry_seeds_library_id"))
        batch_op.drop_index(batch_op.f("ix_registry_seeds_last_job_id"))
        batch_op.drop_index(batch_op.f("ix_registry_seeds_jurisdiction"))
        batch_op.drop_index(batch_op.f("ix_registry_seeds_collection"))
        batch_op.drop_index("ix_registry_seed_next_run")

    op.drop_table("registry_seeds")
