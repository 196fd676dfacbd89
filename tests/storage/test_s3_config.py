"""The store URL and S3 tuning: clear errors that name the setting (no server needed)."""

from __future__ import annotations

import pytest

from diancang.settings import load_settings
from storage import LocalWarcStore, open_store
from storage.s3 import S3WarcStore
from storage.s3_client import S3Location, StoreConfigError, TransferOptions


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
    options = TransferOptions.from_env({"DIANCANG_S3_MULTIPART_THRESHOLD": "8388608"})
    assert options.multipart_threshold == 8 * 2**20 and options.max_concurrency == 4
    with pytest.raises(StoreConfigError, match="DIANCANG_S3_MULTIPART_CHUNKSIZE"):
        TransferOptions.from_env({"DIANCANG_S3_MULTIPART_CHUNKSIZE": "16MB"})


def test_open_store_switches_on_configuration_only(tmp_path):
    env = {"DIANCANG_DATA_DIR": str(tmp_path)}
    assert isinstance(open_store(load_settings(env)), LocalWarcStore)
    s3 = open_store(load_settings({**env, "DIANCANG_WARC_STORE": "s3://archive/warcs"}))
    assert isinstance(s3, S3WarcStore)
    assert s3.spool_dir("govinfo-500000") == tmp_path / "spool" / "govinfo-500000"
    assert s3.archive_path("govinfo-500000") == "s3://archive/warcs/govinfo-500000/"
