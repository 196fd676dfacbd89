"""The crawl report: counts by status, MIME type, scope, robots and errors, kept as JSON."""

from __future__ import annotations

import json
from pathlib import Path

from diancang.crawler.declared_listings import listings_of


def _prefixed(stats: dict, prefix: str) -> dict[str, int]:
    return {k.removeprefix(prefix): v for k, v in sorted(stats.items()) if k.startswith(prefix)}


def build_report(stats: dict, **facts) -> dict:
    started, finished = stats.get("start_time"), stats.get("finish_time")
    return {
        **facts,
        "started": started.isoformat() if started else None,
        "finished": finished.isoformat() if finished else None,
        "elapsed_seconds": stats.get("elapsed_time_seconds"),
        "finish_reason": stats.get("finish_reason"),
        "responses": sum(_prefixed(stats, "status/").values()),
        "by_status": _prefixed(stats, "status/"),
        "by_mime": _prefixed(stats, "mime/"),
        "out_of_scope": stats.get("links/out_of_scope", 0),
        "beyond_depth": stats.get("links/beyond_depth", 0),
        "invalid_links": stats.get("links/invalid", 0),
        "robots_blocked": stats.get("robotstxt/forbidden", 0),
        "refused_addresses": stats.get("refused/address", 0),
        "traps": _prefixed(stats, "links/trap/"),
        "listings": listings_of(stats),
        "limits": _prefixed(stats, "limits/"),
        "truncated": _prefixed(stats, "truncated/"),
        "errors": _prefixed(stats, "errors/"),
        "browser": {
            **_prefixed(stats, "browser/"),
            "pages_opened": stats.get("playwright/page_count", 0),
        },
        "bytes_received": stats.get("bytes/received", 0),
        "payload_bytes_stored": stats.get("warc/payload_bytes", 0),
        "revisits": stats.get("warc/revisits", 0),
        "warc_records": stats.get("warc/records", 0),
        "frontier_resumed": stats.get("frontier/resumed", 0),
        "frontier_pending": stats.get("frontier/pending_at_close", 0),
    }


def write_report(report: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(path)


def spool_line(count: int, reason: str | None) -> str:
    return (
        f"  NOT STORED    {count} WARC files wait in the local spool ({reason}); "
        "`diancang storage sync` uploads them"
    )


def summary(report: dict) -> str:
    def counts(d: dict) -> str:
        return ", ".join(f"{k} {v}" for k, v in d.items()) or "none"

    lines = [
        f"Crawl {report['job']} finished ({report['finish_reason']}) "
        f"in {report['elapsed_seconds'] or 0:.1f} s",
        f"  responses     {report['responses']}  ({counts(report['by_status'])})",
        f"  MIME types    {counts(report['by_mime'])}",
        f"  out of scope  {report['out_of_scope']}   robots-blocked {report['robots_blocked']}"
        f"   refused addresses {report['refused_addresses']}",
        f"  traps         {counts(report['traps'])}   limits {counts(report['limits'])}"
        f"   invalid links {report['invalid_links']}",
        f"  truncated     {counts(report['truncated'])}",
        f"  errors        {counts(report['errors'])}",
        *(
            f"  listing       {key}: {n['pages']} pages, {n['items']} items"
            for key, n in report.get("listings", {}).items()
        ),
        f"  received {report['bytes_received']} B; stored payload "
        f"{report['payload_bytes_stored']} B; revisits {report['revisits']}",
        f"  WARC files    {len(report['warc_files'])}",
    ]
    if report.get("spool_waiting"):
        lines.append(spool_line(len(report["spool_waiting"]), report["spool_reason"]))
    lines += [f"  not closed: {failure}" for failure in report.get("warc_failures", [])]
    lines += [f"  refused: {line}" for line in report.get("refused", [])]
    return "\n".join(lines)
