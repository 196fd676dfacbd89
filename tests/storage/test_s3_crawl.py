"""A real crawl of the demo portal with DIANCANG_WARC_STORE=s3://…: stored, verified."""

from __future__ import annotations

from cli_runner import S3Crawl, run
from seaweedfs_server import SeaweedS3


def test_crawl_stores_every_warc_in_the_bucket_and_empties_the_spool(
    s3_crawl: S3Crawl, s3_server: SeaweedS3
):
    names = s3_crawl.report["warc_files"]
    assert names, "the crawl wrote no WARC file"
    listed = s3_server.client().list_objects_v2(
        Bucket=s3_server.bucket, Prefix=f"{s3_crawl.prefix}/govinfo-500000/"
    )
    keys = {item["Key"].rsplit("/", 1)[1] for item in listed.get("Contents", [])}
    assert keys == set(names)
    assert not list((s3_crawl.data_dir / "spool").glob("*/*.warc.gz*"))
    assert not (s3_crawl.data_dir / "warcs" / "govinfo-500000").exists()


def test_verify_reports_every_crawled_file_intact(s3_crawl: S3Crawl):
    result = run(["diancang", "storage", "verify"], s3_crawl.env)
    assert result.returncode == 0, result.stdout + result.stderr
    n = len(s3_crawl.report["warc_files"])
    assert f"{n} files checked: {n} intact, 0 missing, 0 truncated, 0 altered" in result.stdout


def test_manifest_lists_name_size_sha256_and_stored_time(s3_crawl: S3Crawl):
    result = run(["diancang", "storage", "manifest", "--format", "sha256sum"], s3_crawl.env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert sorted(line.split("  ")[1] for line in lines) == sorted(
        f"govinfo-500000/{name}" for name in s3_crawl.report["warc_files"]
    )
    assert all(len(line.split("  ")[0]) == 64 for line in lines)
