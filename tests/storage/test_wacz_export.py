"""`diancang export wacz` packages the S3 crawl: valid for `wacz validate`, replays in pywb."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest
from cli_runner import S3Crawl, run
from pywb_runner import get, wayback


@pytest.fixture(scope="module")
def exported(s3_crawl: S3Crawl, tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("wacz") / "govinfo.wacz"
    result = run(
        ["diancang", "export", "wacz", str(output), "--collection", "govinfo-500000"],
        s3_crawl.env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return output


def test_export_passes_wacz_validate(exported: Path):
    result = run(["wacz", "validate", "-f", str(exported)], {})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validation succeeded, the passed WACZ is valid" in result.stdout


def test_package_holds_the_crawl_its_index_pages_and_hashes(exported: Path, s3_crawl: S3Crawl):
    with zipfile.ZipFile(exported) as wacz:
        names = set(wacz.namelist())
        package = json.loads(wacz.read("datapackage.json"))
        pages = [json.loads(line) for line in wacz.read("pages/pages.jsonl").splitlines()]
        for resource in package["resources"]:
            digest = hashlib.sha256(wacz.read(resource["path"])).hexdigest()
            assert resource["hash"] == f"sha256:{digest}", resource["path"]
        stored = {i.filename: i.compress_type for i in wacz.infolist()}
    assert {f"archive/{n}" for n in s3_crawl.report["warc_files"]} <= names
    assert {"indexes/index.cdx.gz", "indexes/index.idx", "pages/pages.jsonl"} <= names
    assert all(t == zipfile.ZIP_STORED for n, t in stored.items() if n.startswith("archive/"))
    assert stored["indexes/index.cdx.gz"] == zipfile.ZIP_STORED
    assert pages[0]["format"] == "json-pages-1.0"
    assert [(p["url"], p["title"]) for p in pages[1:]] == [(s3_crawl.base_url, "重庆市人民政府")]
    assert package["home"] == {"url": s3_crawl.base_url, "ts": pages[1]["ts"]}


@pytest.mark.slow
def test_export_replays_in_pywb(exported: Path, s3_crawl: S3Crawl, tmp_path: Path):
    added = run(["wb-manager", "init", "wacz"], {}, cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    added = run(["wb-manager", "add", "--unpack-wacz", "wacz", str(exported)], {}, cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    with wayback(tmp_path, {}) as url:
        status, body = get(f"{url}/wacz/mp_/{s3_crawl.base_url}")
    assert status == 200, body[:500]
    assert "重庆市人民政府" in body


def test_strict_1_2_0_package(s3_crawl: S3Crawl, tmp_path: Path):
    output = tmp_path / "strict.wacz"
    result = run(
        ["diancang", "export", "wacz", str(output), "--crawl", "seeds", "--wacz-version", "1.2.0"],
        s3_crawl.env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    with zipfile.ZipFile(output) as wacz:
        package = json.loads(wacz.read("datapackage.json"))
        digest = json.loads(wacz.read("datapackage-digest.json"))
        assert (
            digest["hash"] == "sha256:" + hashlib.sha256(wacz.read("datapackage.json")).hexdigest()
        )
    assert package["profile"] == "wacz"
    assert "wacz_version" not in package and "mainPageURL" not in package
    assert package["home"]["url"] == s3_crawl.base_url
