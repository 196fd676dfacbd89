"""Package stored WARCs as a WACZ: the WARCs, a CDXJ index, page lists, datapackage.json.

The index (ZipNum-compressed CDXJ, ``indexes/index.cdx.gz`` with ``indexes/index.idx``)
is written by py-wacz's own indexer, as ReplayWeb.page expects it. Pages come from the
WARCs: each seed's captured page (title from the crawl's warcinfo) in ``pages.jsonl``, every
other HTML page captured with status 200 (a response, or a revisit of an unchanged one) in
``extraPages.jsonl``.

A package is whole: a revisit record in it (a re-crawl found the payload unchanged) needs
the response it refers to, or players show "Original Archived Page Missing". Responses that
the chosen WARCs refer to but do not hold are found in the other WARCs of their collection
and copied, byte for byte (record ID and digests unchanged), into one more WARC of the
package, ``archive/referred-originals.warc.gz``; the index lists them under their own URL
and date, which is how ReplayWeb.page and pywb resolve a revisit (WARC-Refers-To-Target-URI
and WARC-Refers-To-Date). They add no page to the page lists.

Two ``datapackage.json`` flavours: ``1.2.0`` follows WACZ 1.2.0 to the letter
(``profile: wacz``, ``home``, no ``wacz_version``); ``1.1.1`` (the default) also carries
``profile: data-package`` and ``wacz_version: 1.1.1``, because ``wacz validate`` (py-wacz
0.6.0, the only validator on PyPI) rejects any other version and profile. Apart from
those two fields the packages are the same, and both have every 1.2.0 part. Neither py-wacz
0.6 nor ReplayWeb.page 2.5 opens a ``1.2.0`` package (ReplayWeb.page: "Unknown package
profile").
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import shutil
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.warcwriter import WARCWriter

from diancang import __version__
from diancang.catalog.warc_records import parse_warcinfo
from diancang.media_types import HTML_TYPES
from diancang.storage.base import StoredWarc, WarcStore
from diancang.storage.bounded_payload import MAX_WARCINFO_BYTES
from diancang.storage.fixity import FixityRecord
from diancang.storage.transfer_listing import crawl_time
from diancang.upstream.cdxj_bounded import BoundedIndexing
from diancang.upstream.wacz_indexer import wacz_indexer_class
from diancang.warc_names import INFO_SEED_TITLE, INFO_SEED_URL

SPEC_VERSIONS = ("1.1.1", "1.2.0")
REFERRED_WARC = "referred-originals.warc.gz"
PAGE_RECORDS = ("response", "revisit")
_CHUNK = 1 << 20


class ExportError(Exception):
    """The package cannot be made; the message names the file and why."""


def _wacz_indexer_class():
    """py-wacz's indexer, finding pages as it indexes (diancang.upstream.wacz_indexer)."""
    WACZIndexer = wacz_indexer_class()

    class PageFindingIndexer(BoundedIndexing, WACZIndexer):
        """Collects HTML pages captured with status 200 while it indexes."""

        def check_pages_and_text(self, record) -> None:
            if record.rec_type not in PAGE_RECORDS or not record.http_headers:
                return
            if record.http_headers.get_statuscode() != "200":
                return
            mime = (record.http_headers.get_header("Content-Type") or "").split(";")[0]
            if mime.strip().lower() not in HTML_TYPES:
                return
            url = record.rec_headers.get_header("WARC-Target-URI")
            ts = record.rec_headers.get_header("WARC-Date")
            self.found_pages.setdefault((url, ts), {"url": url, "ts": ts})

    return PageFindingIndexer


@dataclass
class WaczSummary:
    path: Path
    warcs: list[str]
    pages: int
    extra_pages: int
    size: int
    referred: int = 0  # responses copied in because revisits in the package refer to them
    unresolved: list[str] = field(default_factory=list)  # revisits whose original is gone
    datapackage: dict = field(repr=False, default_factory=dict)


class _HashingWriter:
    """Counts and hashes what is written through it (zip entries cannot be re-read cheaply)."""

    def __init__(self, out: BinaryIO):
        self.out = out
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self.out.write(data)

    def flush(self) -> None:
        self.out.flush()


def _resource(path: str, digest: str, size: int) -> dict:
    return {
        "name": path.rsplit("/", 1)[-1].lower(),
        "path": path,
        "hash": f"sha256:{digest}",
        "bytes": size,
    }


def _zip_time() -> tuple[int, int, int, int, int, int]:
    return tuple(datetime.now(UTC).timetuple()[:6])


def _seeds(path: Path) -> list[dict]:
    """Seed URL and title from the warcinfo record that starts each of our WARCs."""
    with path.open("rb") as fh:
        for record in ArchiveIterator(fh):
            if record.rec_type != "warcinfo":
                return []
            fields = parse_warcinfo(record.raw_stream.read(MAX_WARCINFO_BYTES))
            url = fields.get(INFO_SEED_URL)
            return [{"url": url, "title": fields.get(INFO_SEED_TITLE) or url}] if url else []
    return []


def _materialize(
    store: WarcStore, warcs: list[StoredWarc], scratch: Path
) -> list[tuple[StoredWarc, Path]]:
    """A local file for each WARC: the store's own file, or a download checked by SHA-256."""
    return [(warc, _local_copy(store, warc, scratch)) for warc in warcs]


def _local_copy(store: WarcStore, warc: StoredWarc, scratch: Path) -> Path:
    path = Path(warc.location)
    if "://" not in warc.location and path.is_file():
        return path
    target = scratch / warc.name
    digest = hashlib.sha256()
    with store.open(warc) as source, target.open("wb") as out:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            out.write(chunk)
    _check_fixity(store.fixity_record(warc.collection, warc.name), warc, digest.hexdigest())
    return target


Capture = tuple[str, str]  # (WARC-Target-URI, WARC-Date) of a response record


def _missing_originals(files: list[tuple[StoredWarc, Path]]) -> dict[Capture, str]:
    """The originals that revisits in ``files`` refer to and ``files`` lack.

    Maps (WARC-Refers-To-Target-URI, WARC-Refers-To-Date) to the collection of the revisit.
    """
    held: set[Capture] = set()
    wanted: dict[Capture, str] = {}
    for warc, path in files:
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                headers = record.rec_headers
                if record.rec_type == "response":
                    held.add(
                        (headers.get_header("WARC-Target-URI"), headers.get_header("WARC-Date"))
                    )
                elif record.rec_type == "revisit":
                    target = headers.get_header("WARC-Refers-To-Target-URI")
                    date = headers.get_header("WARC-Refers-To-Date")
                    if target and date:
                        wanted.setdefault((target, date), warc.collection)
    return {capture: c for capture, c in wanted.items() if capture not in held}


def _copy_referred(
    store: WarcStore, files: list[tuple[StoredWarc, Path]], scratch: Path
) -> tuple[Path | None, set[Capture], list[str]]:
    """Copy the responses that revisits in ``files`` refer to into one more WARC.

    Returns that WARC (None if nothing was wanted), the captures copied, and the URI of
    each original that no WARC of its collection holds.
    """
    wanted = _missing_originals(files)
    if not wanted:
        return None, set(), []
    chosen = {warc.name for warc, _ in files}
    dates = [_warc_date(date) for _, date in wanted]
    latest = None if None in dates else max(dates)  # no pruning past a date we cannot read
    candidates = sorted(
        {w.name: w for c in set(wanted.values()) for w in store.list(c)}.values(),
        key=lambda w: w.name,
    )
    target = scratch / REFERRED_WARC
    found: set[Capture] = set()
    with target.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        info = {
            "software": f"Diancang {__version__}",
            "description": "Response records copied byte for byte from the WARC files of "
            "their collection, because revisit records in this package refer to them",
        }
        writer.write_record(writer.create_warcinfo_record(REFERRED_WARC, info))
        for warc in candidates:
            begun = crawl_time(warc.name)
            if warc.name in chosen or (begun and latest and begun > latest):
                continue  # a file begun after the latest original cannot hold it
            local = _local_copy(store, warc, scratch)
            try:
                found |= _copy_records(local, wanted.keys() - found, out)
            finally:
                if local.parent == scratch:
                    local.unlink()
            if found == wanted.keys():
                break
    unresolved = sorted({uri for uri, _ in wanted.keys() - found})
    if not found:
        target.unlink()
        return None, found, unresolved
    return target, found, unresolved


def _warc_date(value: str) -> datetime | None:
    """A WARC-Date (seconds kept, fractions dropped) as a UTC time."""
    try:
        return datetime.strptime(value[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def _copy_records(path: Path, wanted: set[Capture], out: BinaryIO) -> set[Capture]:
    """Append the ``wanted`` response records of ``path`` to ``out``, unchanged."""
    spans = []
    copied: set[Capture] = set()
    with path.open("rb") as fh:
        records = ArchiveIterator(fh)
        for record in records:
            if record.rec_type != "response":
                continue
            headers = record.rec_headers
            capture = (headers.get_header("WARC-Target-URI"), headers.get_header("WARC-Date"))
            if capture in wanted and capture not in copied:
                spans.append((records.get_record_offset(), records.get_record_length()))
                copied.add(capture)
        for offset, length in spans:
            fh.seek(offset)
            if path.name.endswith(".gz"):  # one gzip member per record: copy it as it is
                _copy_span(fh, out, length)
            else:
                with gzip.GzipFile(fileobj=out, mode="wb") as member:
                    _copy_span(fh, member, length)
                    member.write(b"\r\n\r\n")  # the record's end, left out of its length
    return copied


def _copy_span(source: BinaryIO, out, length: int) -> None:
    while length > 0:
        chunk = source.read(min(_CHUNK, length))
        if not chunk:
            raise ExportError(f"{source.name}: ends inside a record")
        out.write(chunk)
        length -= len(chunk)


def _check_fixity(record: FixityRecord | None, warc: StoredWarc, digest: str) -> None:
    if record is not None and record.sha256 != digest:
        raise ExportError(
            f"{warc.location}: sha256 {digest} differs from its fixity record "
            f"{record.sha256}; run `diancang storage verify`"
        )


def _page_lines(header: dict, pages: Iterable[dict]) -> bytes:
    lines = [json.dumps(header, ensure_ascii=False)]
    for page in pages:
        page_id = hashlib.sha1(f"{page['ts']} {page['url']}".encode()).hexdigest()[:16]
        lines.append(json.dumps({"id": page_id, **page}, ensure_ascii=False))
    return ("\n".join(lines) + "\n").encode("utf-8")


def export_wacz(
    store: WarcStore,
    warcs: list[StoredWarc],
    output: Path,
    title: str,
    description: str = "",
    spec: str = "1.1.1",
) -> WaczSummary:
    """Write ``warcs`` of ``store`` to ``output`` as one WACZ file (replaced atomically)."""
    if spec not in SPEC_VERSIONS:
        raise ExportError(f"WACZ version {spec!r}: choose one of {', '.join(SPEC_VERSIONS)}")
    if not warcs:
        raise ExportError("no WARC file to export")
    names = [w.name for w in warcs]
    if len(set(names)) != len(names):
        raise ExportError("two WARC files share a name; export their collections separately")
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".wacz-", dir=output.parent) as tmp:
        scratch = Path(tmp)
        files = _materialize(store, warcs, scratch)
        if REFERRED_WARC in {w.name for w in warcs}:
            raise ExportError(f"{REFERRED_WARC}: a stored WARC has the name this export uses")
        referred, copied, unresolved = _copy_referred(store, files, scratch)
        if referred is not None:
            files.append((StoredWarc("", REFERRED_WARC, referred.stat().st_size, ""), referred))
        partial = scratch / "partial.wacz"
        summary = _write_package(store, files, partial, title, description, spec, copied)
        summary.referred, summary.unresolved = len(copied), unresolved
        partial.replace(output)
    summary.path = output
    summary.size = output.stat().st_size
    return summary


def _write_package(
    store: WarcStore,
    files: list[tuple[StoredWarc, Path]],
    target: Path,
    title: str,
    description: str,
    spec: str,
    referred: set[tuple[str, str]],
) -> WaczSummary:
    resources = []
    total = sum(path.stat().st_size for _, path in files)
    indexer_class = _wacz_indexer_class()
    with zipfile.ZipFile(target, "w", allowZip64=True) as wacz:
        index_text = io.StringIO()
        cdx_info = zipfile.ZipInfo("indexes/index.cdx.gz", _zip_time())
        with wacz.open(cdx_info, "w", force_zip64=total > 1 << 30) as raw:
            cdx = _HashingWriter(raw)
            indexer = indexer_class(
                index_text,
                [str(path) for _, path in files],
                sort=True,
                post_append=True,
                compress=cdx,
                lines=1024,
                digest_records=True,
                fields="referrer,req.http:cookie",
                data_out_name="index.cdx.gz",
                hash_type="sha256",
                main_url="",
                detect_pages=False,
            )
            indexer.found_pages = {}
            indexer.process_all()
        resources.append(_resource(cdx_info.filename, cdx.digest.hexdigest(), cdx.size))
        idx = index_text.getvalue().encode("utf-8")
        _write_small(wacz, "indexes/index.idx", idx, resources)

        for warc, path in files:
            info = zipfile.ZipInfo.from_file(path, f"archive/{warc.name}")
            info.compress_type = zipfile.ZIP_STORED
            with path.open("rb") as source, wacz.open(info, "w") as raw:
                out = _HashingWriter(raw)
                shutil.copyfileobj(source, out, _CHUNK)
            digest = out.digest.hexdigest()
            if warc.name != REFERRED_WARC:
                _check_fixity(store.fixity_record(warc.collection, warc.name), warc, digest)
            resources.append(_resource(info.filename, digest, out.size))

        seeds = {s["url"]: s["title"] for _, path in files for s in _seeds(path)}
        found = sorted(
            (p for p in indexer.found_pages.values() if (p["url"], p["ts"]) not in referred),
            key=lambda p: (p["ts"], p["url"]),
        )
        main = [dict(p, title=seeds[p["url"]]) for p in found if p["url"] in seeds]
        if not main and found:
            main = [found[0]]
        chosen = {(p["url"], p["ts"]) for p in main}
        extra = [p for p in found if (p["url"], p["ts"]) not in chosen]
        header = {"format": "json-pages-1.0", "id": "pages", "title": "Seeds"}
        _write_small(wacz, "pages/pages.jsonl", _page_lines(header, main), resources)
        if extra:
            header = {"format": "json-pages-1.0", "id": "extra-pages", "title": "Other pages"}
            _write_small(wacz, "pages/extraPages.jsonl", _page_lines(header, extra), resources)

        package = _datapackage(resources, title, description, spec, main[0] if main else None)
        data = json.dumps(package, indent=2, ensure_ascii=False).encode("utf-8")
        _write_small(wacz, "datapackage.json", data, None)
        digest = {"path": "datapackage.json", "hash": "sha256:" + hashlib.sha256(data).hexdigest()}
        _write_small(wacz, "datapackage-digest.json", json.dumps(digest).encode(), None)
    return WaczSummary(
        target, [w.name for w, _ in files], len(main), len(extra), 0, datapackage=package
    )


def _write_small(wacz: zipfile.ZipFile, path: str, data: bytes, resources: list | None) -> None:
    info = zipfile.ZipInfo(path, _zip_time())
    info.compress_type = zipfile.ZIP_DEFLATED
    wacz.writestr(info, data)
    if resources is not None:
        resources.append(_resource(path, hashlib.sha256(data).hexdigest(), len(data)))


def _datapackage(
    resources: list[dict], title: str, description: str, spec: str, home: dict | None
) -> dict:
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    package: dict = {"profile": "wacz" if spec == "1.2.0" else "data-package"}
    if spec == "1.1.1":
        package["wacz_version"] = "1.1.1"
    package.update(
        {
            "title": title,
            "description": description,
            "created": now,
            "modified": now,
            "software": f"Diancang {__version__} (index by py-wacz)",
        }
    )
    if home is not None:
        package["home"] = {"url": home["url"], "ts": home["ts"]}
        if spec == "1.1.1":
            package["mainPageURL"] = home["url"]
            package["mainPageDate"] = home["ts"]
    package["resources"] = resources
    return package
