"""Settings: default.toml is the one source of defaults; every DIANCANG_* is read in settings.py."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from diancang import settings as settings_module
from diancang.settings import SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[2]
# every folder of code the package installs (config/ holds only data)
PACKAGE_FOLDERS = sorted(
    set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
            "package-dir"
        ].values()
    )
    - {"config"}
)


def test_every_setting_has_its_default_in_the_toml_and_its_variable(tmp_path):
    defaults = load_settings({})
    assert defaults.replay_url == "http://127.0.0.1:8080/" and defaults.crawl.retry_times == 2
    assert defaults.oai.page_size == 100 and defaults.s3.max_concurrency == 4
    assert defaults.reports_dir == defaults.warc_dir / "reports"
    changed = load_settings(
        {
            "DIANCANG_DATA_DIR": str(tmp_path),
            "DIANCANG_REPLAY_URL": "http://replay.example/wayback",
            "DIANCANG_RETRY_TIMES": "0",
            "DIANCANG_OAI_REPOSITORY_ID": "archive.example",
            "DIANCANG_OAI_PAGE_SIZE": "7",
            "DIANCANG_S3_MAX_CONCURRENCY": "9",
            "DIANCANG_API_TOKENS": "harvester:" + "0" * 64,
        }
    )
    assert changed.replay_url == "http://replay.example/wayback/"
    assert changed.crawl.retry_times == 0
    assert changed.oai.repository_id == "archive.example" and changed.oai.page_size == 7
    assert changed.s3.max_concurrency == 9
    assert changed.api_tokens == "harvester:" + "0" * 64
    assert changed.reports_dir == tmp_path / "warcs" / "reports"


def test_a_key_missing_from_the_configuration_is_named(tmp_path, monkeypatch):
    text = settings_module.DEFAULT_CONFIG.read_text(encoding="utf-8")
    stripped = tmp_path / "default.toml"
    stripped.write_text(re.sub(r"(?m)^retry_times = .*\n", "", text), encoding="utf-8")
    monkeypatch.setattr(settings_module, "DEFAULT_CONFIG", stripped)
    with pytest.raises(SettingsError, match="'crawl.retry_times' is missing"):
        load_settings({})


def test_bad_values_and_unknown_keys_are_named(tmp_path):
    with pytest.raises(SettingsError, match="DIANCANG_RETRY_TIMES='two'"):
        load_settings({"DIANCANG_RETRY_TIMES": "two"})
    override = tmp_path / "site.toml"
    override.write_text("[crawl]\nretry_tmes = 1\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="retry_tmes"):
        load_settings({"DIANCANG_CONFIG": str(override)})
    override.write_text('data_dri = "/srv/data"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="data_dri"):
        load_settings({"DIANCANG_CONFIG": str(override)})


def test_no_module_but_settings_reads_the_environment():
    reads = re.compile(r"\b(env|environ)(\.get\(|\[)|getenv\(")  # a read of the environment
    readers = sorted(
        str(path.relative_to(ROOT))
        for folder in PACKAGE_FOLDERS
        for path in (ROOT / folder).rglob("*.py")
        if path.name != "settings.py" and reads.search(path.read_text(encoding="utf-8"))
    )
    assert readers == []


def test_the_production_example_and_its_environment_file_load():
    env_file = ROOT / "config" / "systemd" / "diancang.env.example"
    environ = dict(
        line.split("=", 1)
        for line in env_file.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    )
    environ["DIANCANG_CONFIG"] = str(ROOT / "config" / "production.example.toml")
    production = load_settings(environ)
    assert production.frontier_url.startswith("redis://:")
    assert production.dedup_url.startswith("postgresql://")
    assert production.database_url.startswith("postgresql+psycopg://")
    assert production.warc_store.startswith("s3://")
    assert production.crawl.delay == 1.0 and production.crawl.lease_ttl == 30
