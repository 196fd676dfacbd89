"""The `diancang` command. Each stage's commands live in a module of their own under console/."""

from __future__ import annotations

import importlib

import click

# (module, attribute) of each click command or group; imported lazily so that one
# stage's heavy imports (Scrapy, pywb, SQLAlchemy) do not slow the others down.
COMMANDS = {
    "seeds": ("diancang.console.seeds_commands", "seeds"),
    "crawl": ("diancang.console.crawl_commands", "crawl"),
    "replay": ("diancang.console.replay_commands", "replay"),
    "demo": ("diancang.console.demo_commands", "demo"),
    "catalog": ("diancang.console.catalog_commands", "catalog"),
    "serve": ("diancang.console.serve_commands", "serve"),
    "storage": ("diancang.console.storage_commands", "storage"),
    "export": ("diancang.console.export_commands", "export"),
    "libraries": ("diancang.console.accounts_commands", "libraries"),
    "users": ("diancang.console.accounts_commands", "users"),
    "scheduler": ("diancang.console.jobs_commands", "scheduler"),
    "worker": ("diancang.console.jobs_commands", "worker"),
    "qa": ("diancang.console.qa_commands", "qa"),
    "access": ("diancang.console.access_commands", "access"),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name, (module, _) in COMMANDS.items() if _module_exists(module))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attr = COMMANDS[name]
        return getattr(importlib.import_module(module), attr)


def _module_exists(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


@click.group(cls=LazyGroup)
@click.version_option(package_name="diancang")
def main() -> None:
    """Diancang (典藏): capture, preserve, catalogue and replay government websites."""
