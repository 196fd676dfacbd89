"""The comparisons QA scores with, on images and texts made here (no browser)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from diancang.replay.qa.compare import compare_screenshots, compare_texts
from diancang.replay.qa.replayer import original_url


def _png(size: tuple[int, int], colour: str, box: tuple[int, int, int, int] | None = None) -> bytes:
    image = Image.new("RGB", size, "white")
    if box:
        image.paste(Image.new("RGB", (box[2] - box[0], box[3] - box[1]), colour), box[:2])
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def test_the_same_screenshot_matches_fully():
    shot = _png((200, 100), "red", (0, 0, 50, 50))
    result = compare_screenshots(shot, shot)
    assert result.match == 1.0
    assert Image.open(io.BytesIO(result.diff_png)).size == (200, 100)


def test_a_missing_block_lowers_the_match_by_its_share_of_the_page():
    with_block = _png((200, 100), "red", (0, 0, 100, 100))  # half the page
    without = _png((200, 100), "red")
    result = compare_screenshots(with_block, without)
    assert result.match == pytest.approx(0.5, abs=0.001)
    diff = Image.open(io.BytesIO(result.diff_png)).convert("RGB")
    assert diff.getpixel((10, 10)) == (230, 0, 0) and diff.getpixel((150, 50)) != (230, 0, 0)


def test_a_shorter_replay_counts_the_lost_part_as_different():
    tall = _png((100, 200), "blue", (0, 100, 100, 200))
    short = _png((100, 100), "blue")
    assert compare_screenshots(tall, short).match == pytest.approx(0.5, abs=0.001)


def test_small_rendering_noise_is_tolerated():
    a = Image.new("RGB", (100, 100), (200, 200, 200))
    b = Image.new("RGB", (100, 100), (210, 195, 205))
    pngs = []
    for image in (a, b):
        out = io.BytesIO()
        image.save(out, format="PNG")
        pngs.append(out.getvalue())
    assert compare_screenshots(*pngs).match == 1.0


def test_not_an_image_is_an_error_not_a_score():
    with pytest.raises(OSError):
        compare_screenshots(b"not a png", _png((10, 10), "red"))


def test_texts_compare_by_words_not_by_white_space():
    assert compare_texts("政务公开\n\n  通知 ", "政务公开 通知") == 1.0
    assert compare_texts("", "") == 1.0
    assert compare_texts("政务公开通知", "") == 0.0
    assert 0.4 < compare_texts("政务公开通知一二三四", "政务公开通知") < 0.9


def test_a_replayed_url_gives_back_the_archived_one():
    base = "http://127.0.0.1:8090/govinfo-500000/"
    assert original_url(base + "20261201120000im_/http://a.gov.cn/x.png?y=1") == (
        "http://a.gov.cn/x.png?y=1"
    )
    assert original_url(base + "wkrf_/http://a.gov.cn/w.js") == "http://a.gov.cn/w.js"
    assert original_url(base + "20261201120000/http://a.gov.cn/") == "http://a.gov.cn/"
