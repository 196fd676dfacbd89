import io

from warcio.archiveiterator import ArchiveIterator
from warcio.warcwriter import WARCWriter

from diancang.storage.local import LocalWarcStore
from diancang.storage.recovery import close_torn_warc


def _write_open_warc(path, count):
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for i in range(count):
            body = bytes([65 + i]) * 5000
            record = writer.create_warc_record(
                f"http://h/{i}", "resource", payload=io.BytesIO(body), length=len(body)
            )
            writer.write_record(record)


def _uris(path):
    with path.open("rb") as fh:
        return [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(fh)]


def test_torn_last_record_is_cut_and_file_closed(tmp_path):
    path = tmp_path / "c-1.warc.gz.open"
    _write_open_warc(path, 3)
    size = path.stat().st_size
    with path.open("r+b") as fh:
        fh.truncate(size - 20)
    closed = close_torn_warc(path)
    assert closed == tmp_path / "c-1.warc.gz"
    assert not path.exists()
    assert _uris(closed) == ["http://h/0", "http://h/1"]


def test_intact_open_file_keeps_every_record(tmp_path):
    path = tmp_path / "c-2.warc.gz.open"
    _write_open_warc(path, 3)
    size = path.stat().st_size
    closed = close_torn_warc(path)
    assert closed.stat().st_size == size
    assert _uris(closed) == ["http://h/0", "http://h/1", "http://h/2"]


def test_file_without_a_complete_record_is_removed(tmp_path):
    path = tmp_path / "c-3.warc.gz.open"
    _write_open_warc(path, 1)
    with path.open("r+b") as fh:
        fh.truncate(30)
    assert close_torn_warc(path) is None
    assert not path.exists()


def test_store_recovers_and_never_lists_open_files(tmp_path):
    store = LocalWarcStore(tmp_path)
    (tmp_path / "govinfo-500000").mkdir()
    _write_open_warc(tmp_path / "govinfo-500000" / "x.warc.gz.open", 2)
    assert list(store.list()) == []
    recovered = store.recover()
    assert [p.name for p in recovered] == ["x.warc.gz"]
    assert [w.name for w in store.list()] == ["x.warc.gz"]
