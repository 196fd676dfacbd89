"""The few object operations the S3 store needs, over one bucket and prefix."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

from diancang.storage.fixity import sha256_stream
from diancang.storage.s3_client import S3Location, TransferOptions, is_not_found


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    metadata: dict[str, str]


class Bucket:
    def __init__(self, location: S3Location, client, transfer: TransferOptions):
        self.location = location
        self.client = client
        self.name = location.bucket
        self._transfer = TransferConfig(
            multipart_threshold=transfer.multipart_threshold,
            multipart_chunksize=transfer.multipart_chunksize,
            max_concurrency=transfer.max_concurrency,
        )

    def head(self, key: str) -> ObjectInfo | None:
        try:
            response = self.client.head_object(Bucket=self.name, Key=key)
        except ClientError as exc:
            if is_not_found(exc):
                return None
            raise
        return ObjectInfo(key, int(response["ContentLength"]), response.get("Metadata", {}))

    def upload(
        self,
        path: Path,
        key: str,
        metadata: dict[str, str],
        progress: Callable[[int], None] | None = None,
    ) -> None:
        """Upload a file; multipart (parts in parallel) above the threshold."""
        self.client.upload_file(
            str(path),
            self.name,
            key,
            ExtraArgs={"Metadata": metadata, "ContentType": "application/warc"},
            Config=self._transfer,
            Callback=progress,
        )

    def open(self, key: str, start: int = 0) -> BinaryIO:
        args = {"Bucket": self.name, "Key": key}
        if start:
            args["Range"] = f"bytes={start}-"
        return self.client.get_object(**args)["Body"]

    def sha256(self, key: str) -> tuple[str, int]:
        """Read the whole object back and hash it."""
        with self.open(key) as body:
            return sha256_stream(body)

    def get_bytes(self, key: str) -> bytes | None:
        try:
            with self.open(key) as body:
                return body.read()
        except ClientError as exc:
            if is_not_found(exc):
                return None
            raise

    def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.name, Key=key, Body=data, ContentType=content_type)

    def list(self, prefix: str) -> Iterator[tuple[str, int]]:
        """(key, size) of every object under ``prefix``, in key order."""
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.name, Prefix=prefix):
            for item in page.get("Contents", []):
                yield item["Key"], int(item["Size"])

    def abort_uploads(self, key: str) -> int:
        """Abort multipart uploads of ``key`` left unfinished by a killed process."""
        response = self.client.list_multipart_uploads(Bucket=self.name, Prefix=key)
        aborted = 0
        for upload in response.get("Uploads", []):
            if upload["Key"] == key:
                self.client.abort_multipart_upload(
                    Bucket=self.name, Key=key, UploadId=upload["UploadId"]
                )
                aborted += 1
        return aborted

    def presign(self, key: str, expires: int) -> str:
        return self.client.generate_presigned_url(
            "get_object", Params={"Bucket": self.name, "Key": key}, ExpiresIn=expires
        )
