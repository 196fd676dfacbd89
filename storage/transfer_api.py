"""The transfer listing over HTTP, as a Flask blueprint the web app mounts.

    app.register_blueprint(transfer_blueprint(open_store(settings)))

``GET /wasapi/v1/webdata`` lists stored WARCs (JSON, paged; parameters ``collection``,
``jurisdiction``, ``crawl-start-after``, ``crawl-start-before``, ``filename``, ``page``,
``page_size``); each file's ``locations`` hold a pre-signed URL (S3) and this server's own
download URL, ``GET /wasapi/v1/webdata/COLLECTION/NAME``, which streams the file with its
SHA-256 in a ``Digest`` header.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator

from flask import Blueprint, Response, abort, jsonify, request, stream_with_context, url_for

from storage.base import StoredWarc, WarcStore
from storage.transfer_listing import QueryError, TransferQuery, list_transfers

_CHUNK = 1 << 20
_SAFE_COLLECTION = re.compile(r"[\w][\w.-]*")
WARC_SUFFIXES = (".warc.gz", ".warc")


def transfer_blueprint(
    store: WarcStore, page_size: int = 100, link_expires: int = 3600
) -> Blueprint:
    """``/wasapi/v1/webdata`` over ``store``; pre-signed links last ``link_expires`` seconds."""
    blueprint = Blueprint("transfer", __name__, url_prefix="/wasapi/v1")

    @blueprint.get("/webdata")
    def webdata() -> Response:
        try:
            query = TransferQuery.from_args(request.args.to_dict(), page_size)
        except QueryError as exc:
            return jsonify({"error": str(exc)}), 400
        page = list_transfers(store, query)

        def page_url(number: int) -> str:
            args = {**request.args.to_dict(), "page": str(number)}
            return url_for("transfer.webdata", _external=True, **args)

        files = []
        for item in page.files:
            record = item.record
            locations = []
            warc = StoredWarc(record.collection, record.name, record.size, "")
            link = store.download_url(warc, link_expires)
            if link:
                locations.append(link)
            locations.append(
                url_for(
                    "transfer.download",
                    collection=record.collection,
                    name=record.name,
                    _external=True,
                )
            )
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

    return blueprint
