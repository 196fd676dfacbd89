"""A real S3-compatible server for tests: SeaweedFS (`weed server -s3`) on loopback ports."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from ports import free_port

WEED = Path(sys.executable).with_name("weed")
ROLES = ("s3", "master", "volume", "filer")


GRPC_OFFSET = 10000  # weed's gRPC port of a role defaults to its port + 10000


class SeaweedS3:
    """``weed server`` with S3 on free ports and one bucket; stop() and start() keep the data."""

    def __init__(self, directory: Path, bucket: str = "diancang-test"):
        self.directory = directory
        self.bucket = bucket
        self.ports = {role: free_port(GRPC_OFFSET) for role in ROLES}
        self.grpc_ports = {role: free_port(GRPC_OFFSET) for role in ROLES}
        self.log = directory.parent / "weed.log"
        self.process: subprocess.Popen | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3']}"

    def env(self) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": "any",
            "AWS_SECRET_ACCESS_KEY": "any",
            "AWS_DEFAULT_REGION": "us-east-1",
        }

    def command(self) -> list[str]:
        args = [str(WEED), "server", f"-dir={self.directory}", "-s3", "-ip=127.0.0.1"]
        for role in ROLES:
            args.append(f"-{role}.port={self.ports[role]}")
            args.append(f"-{role}.port.grpc={self.grpc_ports[role]}")
        return [
            *args,
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-volume.preStopSeconds=0",
            "-master.telemetry=false",
            # a restarted master would wait ~15 s for a raft election; the topology is
            # rebuilt from the volume server's heartbeats instead (data and metadata stay)
            "-master.resumeState=false",
            # every bucket is a SeaweedFS collection that grows several volumes at once
            "-master.volumeSizeLimitMB=64",
            "-volume.max=64",
        ]

    def start(self, timeout: float = 60) -> SeaweedS3:
        self.directory.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.command(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env=_without_aws_keys(os.environ),
            )
        self._wait_ready(timeout)
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"weed exited with {self.process.returncode}; see {self.log}")
            try:
                urllib.request.urlopen(self.endpoint + "/", timeout=1).close()
                if self._writable():
                    return
            except urllib.error.HTTPError:
                if self._writable():
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"SeaweedFS S3 not ready after {timeout} s; see {self.log}")

    def _writable(self) -> bool:
        """S3 answers before the volume server has joined; a write proves the whole stack."""
        client = self.client()
        try:
            try:
                client.head_bucket(Bucket=self.bucket)
            except ClientError:
                client.create_bucket(Bucket=self.bucket)
            client.put_object(Bucket=self.bucket, Key="probe", Body=b"ok")
            return True
        except (ClientError, BotoCoreError):
            return False

    def stop(self, grace: float = 1) -> None:
        """Terminate; kill if still running after ``grace`` seconds (the filer's gRPC
        graceful stop waits 15 s for its streams). Written data is already in the files."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(grace)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def client(self):
        env = self.env()
        return boto3.session.Session(
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
            region_name=env["AWS_DEFAULT_REGION"],
        ).client("s3", endpoint_url=self.endpoint)


def _without_aws_keys(environ) -> dict[str, str]:
    """weed (4.x) makes AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY of its environment its only
    S3 identity: started under a test that had set them, it refused every other key."""
    return {
        k: v
        for k, v in environ.items()
        if k
        not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY", "AWS_SECRET_KEY")
    }


def aws_env(server: SeaweedS3) -> dict[str, str]:
    """The process environment with the server's AWS_* variables (for subprocesses)."""
    return {**os.environ, **server.env()}
