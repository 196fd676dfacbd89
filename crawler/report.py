"""The crawl report: counts by status, MIME type, scope, robots and errors, the limits and
traps that stopped anything (with examples) and the listings crawled, kept as JSON."""

from __future__ import annotations

import json
from pathlib import Path

from diancang.crawler.recrawl import OUTCOMES, STATS_PREFIX
from diancang.crawler.stopped import stopped_by

SUMMARY_LISTINGS = 20  # listings named in the text summary; the JSON has them all


def _prefixed(stats: dict, prefix: str) -> dict[str, int]:
    return {k.removeprefix(prefix): v for k, v in sorted(stats.items()) if k.startswith(prefix)}


def build_report(
    stats: dict,
    stop_examples: dict[str, list[str]] | None = None,
    listings: dict[str, dict[str, int]] | None = None,
    **facts,
) -> dict:
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
        # pages (requisites aside) new to the collection, changed, or unchanged
        "recrawl": {outcome: stats.get(STATS_PREFIX + outcome, 0) for outcome in OUTCOMES},
        "warc_records": stats.get("warc/records", 0),
        "frontier_resumed": stats.get("frontier/resumed", 0),
        "frontier_pending": stats.get("frontier/pending_at_close", 0),
        "stopped_by": stopped_by(stats, stop_examples or {}),
        "listings": listings or {},
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
        f"  received {report['bytes_received']} B; stored payload "
        f"{report['payload_bytes_stored']} B; revisits {report['revisits']}",
        f"  recrawl       {counts(report['recrawl'])}",
        f"  WARC files    {len(report['warc_files'])}",
    ]
    for stop in report.get("stopped_by", []):
        examples = f", e.g. {', '.join(stop['examples'][:2])}" if stop["examples"] else ""
        left = f"{stop['not_followed']} not followed"
        lines.append(f"  stopped by    {stop['name']}: {left}{examples}")
    listings = report.get("listings", {})
    for key, counted in list(listings.items())[:SUMMARY_LISTINGS]:
        lines.append(f"  listing       {key}: {counted['pages']} pages, {counted['items']} items")
    if len(listings) > SUMMARY_LISTINGS:
        lines.append(f"  listings      {len(listings) - SUMMARY_LISTINGS} more in the JSON report")
    if report.get("spool_waiting"):
        lines.append(spool_line(len(report["spool_waiting"]), report["spool_reason"]))
    lines += [f"  not closed: {failure}" for failure in report.get("warc_failures", [])]
    lines += [f"  refused: {line}" for line in report.get("refused", [])]
    return "\n".join(lines)
