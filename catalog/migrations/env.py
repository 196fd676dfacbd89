"""Alembic environment of the catalogue; its version table is ``catalog_alembic_version``."""

from alembic import context
from sqlalchemy import engine_from_config, event, pool

import diancang.accounts.models  # noqa: F401  (their tables share the catalogue's metadata)
import diancang.jobs.models  # noqa: F401
import diancang.registry.models  # noqa: F401
import diancang.replay.models  # noqa: F401
import diancang.review.models  # noqa: F401
from diancang.catalog.models import Base
from diancang.catalog.search_index import add_sqlite_functions

config = context.config
target_metadata = Base.metadata
VERSION_TABLE = config.get_main_option("version_table") or "catalog_alembic_version"


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        version_table=VERSION_TABLE,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is None:
        connectable = engine_from_config(
            config.get_section(config.config_ini_section, {}),
            prefix="sqlalchemy.",
            poolclass=pool.NullPool,
        )
        if connectable.dialect.name == "sqlite":  # the search index's triggers call them
            event.listen(connectable, "connect", add_sqlite_functions)
    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            version_table=VERSION_TABLE,
            render_as_batch=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
