"""Item pipelines: what the spider learned about a capture goes into a metadata record."""

from __future__ import annotations

from scrapy.exceptions import DropItem

from diancang.crawler.context import crawl_context
from diancang.crawler.items import RequestHandled
from diancang.crawler.recording import warc_sink
from diancang.crawler.signals import request_done


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
    """Writes outlinks and the hop path of a capture, concurrent to its response record."""

    def __init__(self, crawler):
        self.seeds = crawl_context(crawler).seeds
        self.sink = warc_sink(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item: dict) -> dict:
        fields = [("seed", item["seed_id"]), ("hopsFromSeed", item["hops"] or "-")]
        if item["via"]:
            fields.append(("via", item["via"]))
        if item.get("listing"):
            fields.append(("listing", item["listing"]))
        fields.extend(
            ("outlink", f"{link.url} {link.hop} {link.context}") for link in item["outlinks"]
        )
        seed = self.seeds[item["seed_id"]]
        self.sink.record_metadata(seed, item["uri"], item["record_id"], fields)
        return item
