"""A crawl collects garbage less often: start-up objects frozen, generation 0 raised."""

from __future__ import annotations

import gc

from crawl_helpers import unstarted_crawler

from diancang.crawler.garbage_collection import GEN0_THRESHOLD, FewerCollections


def test_a_crawl_freezes_start_up_objects_and_gives_the_thresholds_back(tmp_path):
    crawler = unstarted_crawler(tmp_path)
    [extension] = [
        ext for ext in crawler.extensions.middlewares if isinstance(ext, FewerCollections)
    ]
    before = gc.get_threshold()
    try:
        extension.engine_started()
        assert gc.get_threshold() == (GEN0_THRESHOLD, *before[1:])
        assert gc.get_freeze_count() > 0
    finally:
        extension.engine_stopped()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
