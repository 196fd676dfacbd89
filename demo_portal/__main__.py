"""``python -m demo_portal [--host H] [--port N] [--files-host H]``: serve until Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import threading

from diancang.demo_portal.server import DemoPortal


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m demo_portal",
        description="Serve the demo government portal (重庆市人民政府) on loopback.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="main site address")
    parser.add_argument("--port", type=int, default=0, help="main site port (0: any free port)")
    parser.add_argument("--files-host", default="127.0.0.2", help="attachment host address")
    parser.add_argument("--files-port", type=int, default=0, help="attachment host port")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added per request")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    portal = DemoPortal(
        host=args.host,
        port=args.port,
        files_host=args.files_host,
        latency=args.latency,
        files_port=args.files_port,
    ).start()
    print(f"demo portal:  {portal.base_url}", flush=True)
    print(f"files host:   {portal.files_url}", flush=True)
    print(f"dynamic list: {portal.dynamic_page_url()}", flush=True)
    expected = len(portal.expected_urls())
    print(f"{expected} URLs expected from a polite crawl; Ctrl-C to stop", flush=True)
    stop = threading.Event()
    # Handle SIGINT explicitly: a shell starting us in the background may have ignored it.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    finally:
        portal.stop()
    print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
