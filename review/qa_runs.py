"""QA runs: a job's pages (all, or a random sample) replayed and scored against their capture.

    score_job(settings, catalog, job_id)            # after a crawl: enqueue, then score
    score_items(settings, catalog, item_ids)        # exactly these items (after a patch)

Each run adds a ``QaRun`` and one new ``QaScore`` per page (older scores stay: the history
of a page's QA), and points each review item at its new score. Images go under
``DATA_DIR/qa/RUN/``; a score names them relative to ``DATA_DIR/qa``.
"""

from __future__ import annotations

import asyncio
import random
import time
from pathlib import Path

from PIL import UnidentifiedImageError
from sqlalchemy import func, select

from diancang.catalog.db import Catalog
from diancang.catalog.records_builder import utcnow
from diancang.jobs.models import CrawlJob
from diancang.replay.qa.compare import compare_screenshots, compare_texts
from diancang.replay.qa.replayer import PageReplayer, Replayed, Target, qa_dir, qa_wayback
from diancang.replay.qa.text import MAX_TEXT
from diancang.review.models import QaRun, QaScore, ReviewItem
from diancang.review.qa_evidence import EvidenceError, capture_evidence, pywb_collection
from diancang.review.queue import enqueue_job
from diancang.review.states import GOOD, MODERATE, SEVERE, SEVERITY_NAMES, lowest, severity
from diancang.settings import Settings
from diancang.storage import open_store

UNSCORED = "未评分"
NO_SCREENSHOT = "仅 HTTP 采集，没有采集时截图，无法比较截图；文本与采集到的 HTML 的文本比较"


class QaError(Exception):
    """QA cannot run as asked (zh message for the librarian)."""


def score_job(settings: Settings, catalog: Catalog, job_id: int) -> QaRun:
    """Queue the job's pages for review, then score them all, or a random sample of
    ``qa_sample_size`` when there are more than ``qa_sample_above``."""
    with catalog.session() as db:
        job = db.get(CrawlJob, job_id)
        if job is None:
            raise QaError(f"没有编号为 {job_id} 的采集任务")
        items = [item.id for item in enqueue_job(db, job)]
    if not items:
        raise QaError(f"采集任务 {job_id} 没有采集到 HTML 页面，无可评分")
    review = settings.review
    sampled = len(items) > review.qa_sample_above
    chosen = random.sample(items, min(review.qa_sample_size, len(items))) if sampled else items
    return _score(settings, catalog, sorted(chosen), job_id, len(items), sampled)


def score_items(
    settings: Settings, catalog: Catalog, item_ids: list[int], job_id: int | None = None
) -> QaRun:
    """Score exactly the review items ``item_ids`` (no sampling)."""
    ids = sorted(set(item_ids))
    with catalog.session() as db:
        known = set(db.scalars(select(ReviewItem.id).where(ReviewItem.id.in_(ids))))
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise QaError(f"没有这些审核条目：{', '.join(map(str, unknown))}")
    if not ids:
        raise QaError("没有要评分的页面")
    return _score(settings, catalog, ids, job_id, len(ids), False)


def _score(
    settings: Settings,
    catalog: Catalog,
    item_ids: list[int],
    job_id: int | None,
    population: int,
    sampled: bool,
) -> QaRun:
    with catalog.session() as db:
        run = QaRun(
            job_id=job_id, started_at=utcnow(), population=population,
            sample_size=len(item_ids), sampled=sampled,
        )  # fmt: skip
        db.add(run)
        db.flush()
        run_id = run.id
        targets = []
        for item in db.scalars(select(ReviewItem).where(ReviewItem.id.in_(item_ids))):
            page = item.capture
            targets.append(Target(item.id, pywb_collection(page), page.captured_at, page.url))
    started = time.monotonic()
    scorer = _Scorer(settings, catalog, run_id)
    message = None
    try:
        with qa_wayback(settings) as base:
            replayer = PageReplayer(settings, base, settings.crawl.browser_max_pages)
            replayer.run(targets, scorer.score)
    except Exception as exc:
        message = f"QA 未完成：{exc}"
        raise
    finally:
        scorer.close()
        minutes = (time.monotonic() - started) / 60
        with catalog.session() as db:
            run = db.get(QaRun, run_id)
            run.finished_at = utcnow()
            run.pages_per_minute = round(scorer.scored / minutes, 1) if minutes else 0.0
            run.message = message
        with catalog.session() as db:
            run = db.get(QaRun, run_id)
            db.expunge(run)
    return run


class _Scorer:
    """Scores each replayed page as it comes, one at a time, in a session of its own."""

    def __init__(self, settings: Settings, catalog: Catalog, run_id: int):
        self.catalog = catalog
        self.run_id = run_id
        self.store = open_store(settings)
        self.images = qa_dir(settings)
        self.scored = 0
        self._lock = asyncio.Lock()

    async def score(self, replayed: Replayed) -> None:
        async with self._lock:  # Pillow and the database off the browser's event loop
            await asyncio.to_thread(self._score, replayed)

    def close(self) -> None:
        self.store.close()

    def _score(self, replayed: Replayed) -> None:
        with self.catalog.session() as db:
            item = db.get(ReviewItem, replayed.key)
            page = item.capture
            score = QaScore(
                run_id=self.run_id, capture_id=page.id, computed_at=utcnow(),
                missing=replayed.missing, live_leaks=replayed.live_leaks,
                replay_text=replayed.text[:MAX_TEXT],
            )  # fmt: skip
            notes = []
            try:
                evidence = capture_evidence(db, self.store, page)
            except (EvidenceError, OSError) as exc:
                evidence = None
                notes.append(f"无法读取采集时的内容：{exc}")
            if evidence is not None:
                score.capture_text = evidence.text[:MAX_TEXT]
                if evidence.screenshot is None:
                    notes.append(NO_SCREENSHOT)
                else:
                    score.capture_image = self._save(page.id, "capture", evidence.screenshot)
            if replayed.error:
                notes.append(replayed.error)
                # a page that does not replay is as unlike its capture as can be
                score.text_match = 0.0 if evidence is not None else None
                score.screenshot_match = 0.0 if score.capture_image else None
            elif evidence is not None:
                score.text_match = compare_texts(evidence.text, replayed.text)
                score.replay_image = self._save(page.id, "replay", replayed.screenshot)
                if evidence.screenshot is not None:
                    try:
                        shots = compare_screenshots(evidence.screenshot, replayed.screenshot)
                    except (UnidentifiedImageError, OSError, ValueError) as exc:
                        notes.append(f"采集时截图无法读取：{exc}")
                    else:
                        score.screenshot_match = shots.match
                        score.diff_image = self._save(page.id, "diff", shots.diff_png)
            if not replayed.error and replayed.archive_requests:
                # distinct missing URLs over requests: a URL asked for twice counts once
                found = 1 - len(replayed.missing) / replayed.archive_requests
                score.resource_match = max(0.0, found)
            matches = (score.screenshot_match, score.text_match, score.resource_match)
            score.severity = severity(*matches)
            score.note = "；".join(notes) or None
            db.add(score)
            db.flush()
            item.score_id = score.id
            item.score = lowest(*matches)
            item.severity = score.severity
            item.updated_at = score.computed_at
        self.scored += 1

    def _save(self, capture_id: int, kind: str, png: bytes) -> str:
        relative = Path(str(self.run_id)) / f"{capture_id}-{kind}.png"
        path = self.images / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png)
        return relative.as_posix()


def describe(run: QaRun) -> str:
    """A one-line zh summary of a run, for the command and the job's message."""
    scope = (
        f"随机抽样 {run.sample_size}/{run.population} 页"
        if run.sampled
        else (f"全部 {run.sample_size} 页")
    )
    return f"质检（QA）：{scope}，每分钟 {run.pages_per_minute:g} 页"


def severity_counts(catalog: Catalog, run_id: int) -> list[tuple[str, int]]:
    """(zh severity name, pages) of a run, worst first; pages without a score last."""
    with catalog.session() as db:
        rows = dict(
            db.execute(
                select(QaScore.severity, func.count(QaScore.id))
                .where(QaScore.run_id == run_id)
                .group_by(QaScore.severity)
            ).all()
        )
    order = [(SEVERITY_NAMES[s], rows.get(s, 0)) for s in (SEVERE, MODERATE, GOOD)]
    return order + ([(UNSCORED, rows[None])] if rows.get(None) else [])
