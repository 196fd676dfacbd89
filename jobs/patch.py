"""A patch job's crawl: exactly the URLs a curator named for a review item, into the page's
collection, and the page scored again afterwards.

The crawl is an ordinary ``diancang crawl`` of a one-row seed list and a URL list
(``--urls``, crawler/start_urls.py). The row is the item's seed as registered (its URL and
title name the seed in the warcinfo), with the collection, jurisdiction and seed key of the
item's capture, so the new captures land in the pywb collection the page replays from and
replay with it. Only the named URLs are fetched, with existing seed-list columns: depth 0
(no links) and an exclude pattern matching every URL (no page requisites or attachments
either; a patch URL's own start request is never scope-checked). The curator names what
replay misses, as Archive-It's patch crawl takes the missing URLs its QA found; a
stylesheet's own images, once it replays, show up as missing in the next QA.

robots.txt is not obeyed for these URLs: each is a curator's explicit request for a
resource of a page already captured, a handful of fetches with no link following, as
Archive-It's patch crawl lets its user ignore robots.txt. The WARC says so: the warcinfo of
a patch crawl's files records ``robots: ignore``. Browser capture and its detection are
off: a patch fetches each URL once over HTTP.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from diancang.catalog.db import Catalog
from diancang.jobs.models import CrawlJob
from diancang.jobs.queue import JobError
from diancang.pywb_collections import collection_name
from diancang.registry.seed_files import seed_row, write_rows
from diancang.review.models import ReviewItem
from diancang.seeds.raw import FIELDS
from diancang.settings import Settings

log = logging.getLogger(__name__)

FOLLOW_NOTHING = "^"  # an exclude pattern every URL matches
URL_LIST_SUFFIX = ".urls"  # beside the job's seed list: job-ID.urls
# Environment of a patch crawl: one HTTP fetch a URL (see the module docstring).
CRAWL_ENV = {"DIANCANG_BROWSER_DETECT": "0"}
# the seed-list columns a patch row sets, whatever the seed has (the rest are the seed's)
_PATCH_COLUMNS = {
    "scope": "host",
    "prefix": "",
    "include": "",
    "exclude": FOLLOW_NOTHING,
    "requisite_hosts": "",
    "depth": "0",
    "pages": "",
    "bytes": "",
    "duration": "",
    "robots": "ignore",
    "browser": "false",
    "behaviors": "",
    "schedule": "",
    "recrawl": "all",
    **{name: "" for name in FIELDS if name.startswith("listing_")},
}


@dataclass(frozen=True)
class PatchTarget:
    """The page a patch job patches: its review item and the capture it replays from."""

    item_id: int
    capture_id: int
    url: str
    collection: str
    jurisdiction: str | None
    seed_key: str
    seed_url: str | None  # as the capture's WARC names it


def patch_target(db: Session, job: CrawlJob) -> PatchTarget | None:
    """The page ``job`` patches; None when its review item is gone."""
    item = db.get(ReviewItem, job.patch_item_id) if job.patch_item_id is not None else None
    if item is None:
        return None
    capture = item.capture
    seed_key = capture.seed or item.seed or job.seeds[0].seed_key
    return PatchTarget(
        item.id,
        capture.id,
        capture.url,
        capture.collection,
        capture.jurisdiction,
        seed_key,
        capture.warc_file.seed_url,
    )


def url_list(seed_list: Path) -> Path:
    return seed_list.with_suffix(URL_LIST_SUFFIX)


def patch_row(
    seed: dict[str, str], seed_key: str, collection: str, jurisdiction: str | None
) -> dict[str, str]:
    """The seed-list row of a patch crawl for ``seed`` (a seed-list row) that stores its
    captures under ``seed_key`` in ``collection`` and ``jurisdiction``."""
    row = {**seed, **_PATCH_COLUMNS, "id": seed_key, "collection": collection}
    row["jurisdiction"] = jurisdiction or seed["jurisdiction"]
    return row


def write_patch_crawl(db: Session, job: CrawlJob, seed_list: Path) -> str:
    """Write the seed list and URL list of patch job ``job`` (``url_list(seed_list)``); the
    pywb collection its captures go to. JobError when its page is gone."""
    target = patch_target(db, job)
    if target is None:
        raise JobError("要补采的页面已不在审核队列中", field="patch_item_id")
    link = job.seeds[0]
    if link.seed is not None:
        seed = seed_row(link.seed)
    else:  # the seed was deleted since: the capture's WARC still names it
        seed = {name: "" for name in FIELDS}
        seed.update(url=target.seed_url or target.url, title=target.seed_key)
    row = patch_row(seed, target.seed_key, target.collection, target.jurisdiction)
    with seed_list.open("w", newline="", encoding="utf-8") as fh:
        write_rows([row], fh)
    url_list(seed_list).write_text("".join(f"{url}\n" for url in job.patch_urls), "utf-8")
    return collection_name(row["collection"], row["jurisdiction"])


def rescore(settings: Settings, catalog: Catalog, job_id: int, item_id: int) -> str | None:
    """Score the patched page again (``diancang.replay.qa``); None, or why it could not be:
    a QA failure never fails the patch job, whose captures are kept."""
    try:
        from diancang.review.qa_runs import score_items  # noqa: PLC0415 - QA's own stack

        score_items(settings, catalog, [item_id], job_id=job_id)
    except Exception as exc:  # noqa: BLE001 - reported on the job, which stays finished
        log.warning("job %s: QA of review item %s failed: %s", job_id, item_id, exc)
        return f"补采完成，但重新质检失败：{exc}"
    return None
