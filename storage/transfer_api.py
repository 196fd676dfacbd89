"""The transfer listing over HTTP (WASAPI), as a Flask blueprint the web app mounts.

    app.register_blueprint(transfer_blueprint(open_store(settings), reports_dir))

``GET /wasapi/v1/webdata`` lists stored WARCs (JSON, paged with ``count``, ``next`` and
``previous``; the query parameters of ``diancang.storage.transfer_listing``); each file's
``locations`` hold this server's own download URL, ``GET /wasapi/v1/webdata/COLLECTION/NAME``
(which streams the file with its SHA-256 in a ``Digest`` header), and for S3 stores a
pre-signed URL after it.

``/wasapi/v1/jobs`` answers as the spec asks of a server that runs no derivative jobs
(WAT, CDX, WANE): an empty page of jobs, a 400 for a new one, a 404 for any job token.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, jsonify, request, stream_with_context, url_for

from diancang.storage.base import StoredWarc, WarcStore
from diancang.storage.transfer_listing import (
    CrawlReports,
    QueryError,
    TransferQuery,
    list_transfers,
)
from diancang.warc_names import WARC_SUFFIXES

_CHUNK = 1 << 20
_SAFE_COLLECTION = re.compile(r"[\w][\w.-]*")
NO_JOBS = (
    "this server runs no WASAPI jobs: it offers its WARC files only, through /webdata "
    "(derivatives such as WAT or CDX are not built here)"
)


def transfer_blueprint(
    store: WarcStore,
    reports_dir: Path | None = None,
    page_size: int = 100,
    link_expires: int = 3600,
) -> Blueprint:
    """``/wasapi/v1`` over ``store`` and the crawl reports in ``reports_dir``.

    Pre-signed links last ``link_expires`` seconds.
    """
    blueprint = Blueprint("transfer", __name__, url_prefix="/wasapi/v1")
    reports = CrawlReports(reports_dir)

    def page_url(number: int) -> str:
        args = [(k, v) for k, v in request.args.items(multi=True) if k != "page"]
        args.append(("page", str(number)))
        return url_for(request.endpoint, _external=True) + "?" + urlencode(args)

    @blueprint.get("/webdata", strict_slashes=False)
    def webdata() -> Response:
        try:
            query = TransferQuery.from_args(request.args.to_dict(flat=False), page_size)
        except QueryError as exc:
            return jsonify({"error": str(exc)}), 400
        page = list_transfers(store, query, reports.runs_by_file())
        files = []
        for item in page.files:
            record = item.record
            locations = [
                url_for(
                    "transfer.download",
                    collection=record.collection,
                    name=record.name,
                    _external=True,
                )
            ]
            warc = StoredWarc(record.collection, record.name, record.size, "")
            link = store.download_url(warc, link_expires)
            if link:
                locations.append(link)
            files.append(item.to_dict(locations))
        return jsonify(
            {
                "count": page.count,
                "next": page_url(page.page + 1) if page.has_next else None,
                "previous": page_url(page.page - 1) if page.page > 1 else None,
                "includes-extra": False,
                "files": files,
            }
        )

    @blueprint.get("/webdata/<collection>/<name>")
    def download(collection: str, name: str) -> Response:
        if not _SAFE_COLLECTION.fullmatch(collection) or not name.endswith(WARC_SUFFIXES):
            abort(404)
        record = store.fixity_record(collection, name)
        warc = store.locate(collection, name) if record is not None else None
        if warc is None:
            abort(404)
        stream = store.open(warc)

        def body() -> Iterator[bytes]:
            with stream:
                while chunk := stream.read(_CHUNK):
                    yield chunk

        digest = base64.b64encode(bytes.fromhex(record.sha256)).decode("ascii")
        return Response(
            stream_with_context(body()),
            mimetype="application/warc",
            headers={
                "Content-Length": str(record.size),
                "Content-Disposition": f'attachment; filename="{name}"',
                "Digest": f"sha-256={digest}",
            },
        )

    @blueprint.get("/jobs", strict_slashes=False)
    def jobs() -> Response:
        return jsonify({"count": 0, "next": None, "previous": None, "jobs": []})

    @blueprint.post("/jobs", strict_slashes=False)
    def submit_job() -> Response:
        return jsonify({"error": NO_JOBS}), 400

    @blueprint.route("/jobs/<path:token>", methods=["GET", "POST"])
    def job(token: str) -> Response:
        return jsonify({"error": f"no such job: {NO_JOBS}"}), 404

    return blueprint
