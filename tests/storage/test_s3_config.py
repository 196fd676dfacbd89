"""The store URL and S3 tuning: clear errors that name the setting (no server needed)."""

from __future__ import annotations

import pytest
from warc_files import write_html_warc

from diancang.settings import load_settings
from diancang.storage import LocalWarcStore, open_store
from diancang.storage.s3 import S3WarcStore
from diancang.storage.s3_client import S3Location, StoreConfigError, TransferOptions


def test_store_url_gives_bucket_and_prefix():
    assert S3Location.parse("s3://archive/warcs/v1/") == S3Location("archive", "warcs/v1")
    assert S3Location.parse("s3://archive").key("c", "n.warc.gz") == "c/n.warc.gz"


@pytest.mark.parametrize(
    "url", ["s3://", "s3:///prefix", "s3://key:secret@bucket/p", "s3://bucket/p?region=x"]
)
def test_bad_store_urls_are_refused_by_name(url):
    with pytest.raises(StoreConfigError, match="DIANCANG_WARC_STORE"):
        S3Location.parse(url)


def test_tuning_from_the_environment_and_its_errors():
    options = TransferOptions.configured({"DIANCANG_S3_MULTIPART_THRESHOLD": "8388608"})
    assert options.multipart_threshold == 8 * 2**20 and options.max_concurrency == 4
    with pytest.raises(StoreConfigError, match="DIANCANG_S3_MULTIPART_CHUNKSIZE"):
        TransferOptions.configured({"DIANCANG_S3_MULTIPART_CHUNKSIZE": "16MB"})


def test_open_store_switches_on_configuration_only(tmp_path):
    env = {"DIANCANG_DATA_DIR": str(tmp_path)}
    assert isinstance(open_store(load_settings(env)), LocalWarcStore)
    s3 = open_store(load_settings({**env, "DIANCANG_WARC_STORE": "s3://archive/warcs"}))
    assert isinstance(s3, S3WarcStore)
    assert s3.spool_dir("govinfo-500000") == tmp_path / "spool" / "govinfo-500000"
    assert s3.archive_path("govinfo-500000") == "s3://archive/warcs/govinfo-500000/"


def test_endpoint_region_and_keys_can_come_from_the_aws_config_files(
    s3_server, prefix, tmp_path, monkeypatch
):
    for name in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    config, credentials = tmp_path / "aws-config", tmp_path / "aws-credentials"
    config.write_text(
        f"[profile archive]\nregion = us-east-1\nendpoint_url = {s3_server.endpoint}\n"
    )
    credentials.write_text("[archive]\naws_access_key_id = k\naws_secret_access_key = s\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_PROFILE", "archive")

    store = open_store(
        load_settings(
            {
                "DIANCANG_DATA_DIR": str(tmp_path / "data"),
                "DIANCANG_WARC_STORE": f"s3://{s3_server.bucket}/{prefix}",
            }
        )
    )
    write_html_warc(store.spool_dir("govinfo-500000") / "cfg.warc.gz")
    assert [r.name for r in store.sync().stored] == ["cfg.warc.gz"]
