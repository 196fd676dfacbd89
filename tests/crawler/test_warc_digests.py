"""WARC-Payload-Digest only where WARC 1.1 gives a record a payload, checked by warcio and by
fastwarc: metadata records carry none (as Heritrix and wget write them)."""

from __future__ import annotations

import hashlib
import subprocess
from base64 import b32encode

from crawl_helpers import BIN, records, warc_files


def sha1_label(data: bytes) -> str:
    return "sha1:" + b32encode(hashlib.sha1(data).digest()).decode()


def fastwarc_failures(path) -> tuple[int, set[str]]:
    """(exit status, record ids) of ``fastwarc check -p`` on one WARC."""
    result = subprocess.run(
        [str(BIN / "fastwarc"), "check", "-p", "-q", "-o", "-", str(path)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    # one line per record: "<urn:uuid:…>: OK, PAYLOAD_FAIL"
    failed = {line.partition(">")[0] + ">" for line in result.stdout.splitlines() if "FAIL" in line}
    return result.returncode, failed


def test_metadata_records_carry_no_payload_digest(demo_crawl):
    kinds: dict[str, int] = {}
    for record in records(demo_crawl.data_dir):
        kinds[record.rec_type] = kinds.get(record.rec_type, 0) + 1
        digest = record.rec_headers.get_header("WARC-Payload-Digest")
        if record.rec_type in ("metadata", "warcinfo"):
            assert digest is None, record.rec_headers
        elif record.rec_type == "resource":  # the whole block is the resource
            assert digest == sha1_label(record.content)
        else:  # request, response; a revisit names the payload it repeats
            assert digest, record.rec_headers
    assert kinds.get("metadata", 0) > 10 and kinds.get("resource") and kinds.get("revisit")
    for path in warc_files(demo_crawl.data_dir):
        result = subprocess.run(
            [str(BIN / "warcio"), "check", "-v", str(path)], capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout[-3000:]


def test_fastwarc_verifies_every_digest_of_a_crawl(control_character_crawl):
    paths = warc_files(control_character_crawl.data_dir)
    assert paths
    for path in paths:
        status, failed = fastwarc_failures(path)
        assert (status, failed) == (0, set())


def test_fastwarc_flags_only_what_it_cannot_check(demo_crawl):
    """fastwarc verifies payload digests of HTTP records only, so it reports every revisit
    (whose payload lies in the record it refers to) and every resource record (whose
    payload is its block: checked above with warcio) -- and nothing else."""
    by_id = {
        r.rec_headers.get_header("WARC-Record-ID"): r.rec_type for r in records(demo_crawl.data_dir)
    }
    for path in warc_files(demo_crawl.data_dir):
        _, failed = fastwarc_failures(path)
        assert {by_id[record_id] for record_id in failed} <= {"revisit", "resource"}
