"""libraries, console accounts and personal API tokens (diancang.accounts)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 15:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts_libraries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("jurisdiction", sa.String(length=6), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("records_target", sa.Integer(), nullable=False),
        sa.Column("websites_target", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["accounts_libraries.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    with op.batch_alter_table("accounts_libraries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_accounts_libraries_jurisdiction"), ["jurisdiction"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_accounts_libraries_parent_id"), ["parent_id"], unique=False
        )

    op.create_table(
        "accounts_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("library_id", sa.Integer(), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["library_id"], ["accounts_libraries.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    with op.batch_alter_table("accounts_users", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_accounts_users_library_id"), ["library_id"], unique=False
        )

    op.create_table(
        "accounts_api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["accounts_users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("digest"),
    )
    with op.batch_alter_table("accounts_api_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_accounts_api_tokens_user_id"), ["user_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("accounts_api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accounts_api_tokens_user_id"))
    op.drop_table("accounts_api_tokens")
    with op.batch_alter_table("accounts_users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accounts_users_library_id"))
    op.drop_table("accounts_users")
    with op.batch_alter_table("accounts_libraries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accounts_libraries_parent_id"))
        batch_op.drop_index(batch_op.f("ix_accounts_libraries_jurisdiction"))
    op.drop_table("accounts_libraries")
