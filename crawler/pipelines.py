"""Item pipelines: what the spider learned about a capture goes into a metadata record."""

from __future__ import annotations

from scrapy.exceptions import DropItem

from diancang.crawler.context import crawl_context
from diancang.crawler.items import RequestHandled
from diancang.crawler.recording import warc_sink
from diancang.crawler.signals import request_done
from diancang.warc_names import (
    META_FETCH_ERROR,
    META_HOPS,
    META_LISTING,
    META_NOT_FOLLOWED,
    META_OUTLINK,
    META_SEED,
    META_VIA,
)


class FrontierCheckpointPipeline:
    """Tells the frontier that a request is fully handled (see RequestHandled)."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        if not isinstance(item, RequestHandled):
            return item
        self.crawler.signals.send_catch_log(signal=request_done, request=item.request)
        raise DropItem("checkpoint", log_level="DEBUG")


class MetadataRecordPipeline:
    """Writes outlinks and the hop path of a capture, concurrent to its response record;
    on a listing page also its listing key and the links not followed, with why; and a
    record of its own for a fetch that failed (no response to be concurrent to)."""

    def __init__(self, crawler):
        self.seeds = crawl_context(crawler).seeds
        self.sink = warc_sink(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item: dict) -> dict:
        seed = self.seeds[item["seed_id"]]
        fields = [(META_SEED, item["seed_id"])]
        if "fetch_error" in item:
            if item["via"]:
                fields.append((META_VIA, item["via"]))
            fields.append((META_FETCH_ERROR, item["fetch_error"]))
            self.sink.record_metadata(seed, item["uri"], None, fields)
            return item
        fields.append((META_HOPS, item["hops"] or "-"))
        if item["via"]:
            fields.append((META_VIA, item["via"]))
        listing = item.get("listing")
        if listing is not None:
            fields.append((META_LISTING, listing))
        fields.extend(
            (META_OUTLINK, f"{link.url} {link.hop} {link.context}") for link in item["outlinks"]
        )
        if listing is not None:
            fields.extend((META_NOT_FOLLOWED, f"{url} {why}") for url, why in item["not_followed"])
        self.sink.record_metadata(seed, item["uri"], item["record_id"], fields)
        if listing is not None:
            self.sink.add_listing_page(seed, item["uri"])
        return item
