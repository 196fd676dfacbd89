import io
import socket

from warcio.archiveiterator import ArchiveIterator
from warcio.warcwriter import WARCWriter

from diancang.crawler.shared_state import owns_warc
from diancang.settings import load_settings
from diancang.storage.local import LocalWarcStore
from diancang.storage.recovery import close_torn_warc
from diancang.storage.s3 import S3Location, S3WarcStore, TransferOptions


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


def _two_workers_open_files(directory):
    """A torn ``.open`` file of worker w1 and one of worker w2 (still writing elsewhere)."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = {}
    for worker in ("w1", "w2"):
        path = directory / f"govinfo-20261201-00001-{worker}.warc.gz.open"
        _write_open_warc(path, 3)
        with path.open("r+b") as fh:
            fh.truncate(path.stat().st_size - 20)
        paths[worker] = path
    return paths, paths["w2"].read_bytes()


def _only_own_files_closed(recovered, paths, others_bytes):
    assert [p.name for p in recovered] == ["govinfo-20261201-00001-w1.warc.gz"]
    assert _uris(recovered[0]) == ["http://h/0", "http://h/1"]
    assert not paths["w1"].exists()
    assert paths["w2"].read_bytes() == others_bytes  # another worker's file is left alone


def _worker_settings(tmp_path):
    return load_settings({"DIANCANG_DATA_DIR": str(tmp_path / "data"), "DIANCANG_WORKER_ID": "w1"})


def test_a_worker_closes_only_its_own_open_files_in_a_local_store(tmp_path):
    store = LocalWarcStore(tmp_path / "warcs")
    paths, others = _two_workers_open_files(tmp_path / "warcs" / "govinfo-500000")
    recovered = store.recover(owned=owns_warc(_worker_settings(tmp_path)))
    _only_own_files_closed(recovered, paths, others)


def test_a_worker_closes_only_its_own_open_files_in_an_s3_spool(tmp_path, bucket, prefix, spool):
    store = S3WarcStore(S3Location(bucket, prefix), spool, TransferOptions.configured({}))
    paths, others = _two_workers_open_files(store.spool_dir("govinfo-500000"))
    recovered = store.recover(upload=False, owned=owns_warc(_worker_settings(tmp_path)))
    _only_own_files_closed(recovered, paths, others)


def test_without_a_worker_id_a_worker_owns_the_files_of_its_host(tmp_path):
    owned = owns_warc(load_settings({"DIANCANG_DATA_DIR": str(tmp_path)}))
    host = socket.gethostname()
    assert owned(f"govinfo-20261201-00001-{host}-4242.warc.gz.open")
    assert not owned("govinfo-20261201-00001-otherhost-4242.warc.gz.open")
    assert not owned("govinfo-20261201-00001-w2.warc.gz.open")
