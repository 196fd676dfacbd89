"""Free loopback ports for servers that must be told their port before they start."""

from __future__ import annotations

import socket


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port(grpc_offset: int | None = None) -> int:
    """A port free now; with ``grpc_offset``, ``port + grpc_offset`` is free too (SeaweedFS
    opens its gRPC port there)."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if grpc_offset is None:
            return port
        if port + grpc_offset < 65536 and port_free(port + grpc_offset):
            return port
