"""SQLite word search: who may see a record as keys in the FTS5 table (a scope column)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 19:30:00
"""

from alembic import op

from diancang.catalog.search_index import (
    FTS_STATEMENTS,
    FTS_TABLE,
    TRIGGERS,
    drop_fts,
    rebuild_fts,
)

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        drop_fts(op.get_bind())
        for statement in FTS_STATEMENTS:
            op.execute(statement)
        rebuild_fts(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    drop_fts(op.get_bind())
    for statement in (  # the index as migration 0005 made it
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(title, body, "
        "content='catalog_records', content_rowid='id', tokenize='trigram')",
        f"""CREATE TRIGGER {TRIGGERS[0]} AFTER INSERT ON catalog_records BEGIN
            INSERT INTO {FTS_TABLE}(rowid, title, body) VALUES (new.id, new.title, new.body);
        END""",
        f"""CREATE TRIGGER {TRIGGERS[1]} AFTER DELETE ON catalog_records BEGIN
            INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, body)
            VALUES ('delete', old.id, old.title, old.body);
        END""",
        f"""CREATE TRIGGER {TRIGGERS[2]} AFTER UPDATE OF title, body ON catalog_records BEGIN
            INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, body)
            VALUES ('delete', old.id, old.title, old.body);
            INSERT INTO {FTS_TABLE}(rowid, title, body) VALUES (new.id, new.title, new.body);
        END""",
    ):
        op.execute(statement)
    rebuild_fts(op.get_bind())
