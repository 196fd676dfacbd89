"""How alike a replayed page is to its capture: screenshots and rendered text, each 0–1.

Screenshots: the share of pixels that look the same (Pillow, in C), after both are laid on
a white page of the larger size, so a replay that is shorter or longer than its capture
counts the difference as different pixels. A pixel differs when a channel is off by more
than ``PIXEL_TOLERANCE`` (anti-aliasing and font hinting move a few levels), the way
Browsertrix's pixelmatch threshold does.

Text: rapidfuzz's normalised Indel similarity of the two texts with white space collapsed
(the same measure as difflib's ``ratio``, computed in linear memory: difflib is quadratic on
long pages).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageChops
from rapidfuzz.distance import Indel

from diancang.replay.qa.text import normalise_text

PIXEL_TOLERANCE = 24  # of 255, per channel
MAX_HEIGHT = 16384  # pixels compared from the top (Chromium's own screenshot limit)
_DIFF_COLOUR = (230, 0, 0)


@dataclass
class ScreenshotComparison:
    match: float
    diff_png: bytes  # the replay, faded, with differing pixels in red


def _open(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    if image.height > MAX_HEIGHT:
        image = image.crop((0, 0, image.width, MAX_HEIGHT))
    return image.convert("RGB")


def _on_page(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    if image.size == size:
        return image
    page = Image.new("RGB", size, "white")
    page.paste(image, (0, 0))
    return page


def compare_screenshots(capture_png: bytes, replay_png: bytes) -> ScreenshotComparison:
    """Raises ``PIL.UnidentifiedImageError`` (an OSError) when either is not an image."""
    capture, replay = _open(capture_png), _open(replay_png)
    size = (max(capture.width, replay.width), max(capture.height, replay.height))
    capture, replay = _on_page(capture, size), _on_page(replay, size)
    # a pixel differs when its largest channel difference passes the tolerance
    channels = ImageChops.difference(capture, replay).split()
    largest = channels[0]
    for channel in channels[1:]:
        largest = ImageChops.lighter(largest, channel)
    mask = largest.point(lambda level: 255 if level > PIXEL_TOLERANCE else 0)
    differing = mask.histogram()[255]
    total = size[0] * size[1]
    faded = Image.blend(replay, Image.new("RGB", size, "white"), 0.7)
    faded.paste(Image.new("RGB", size, _DIFF_COLOUR), (0, 0), mask)
    out = io.BytesIO()
    faded.save(out, format="PNG", optimize=False)
    return ScreenshotComparison(round(1 - differing / total, 4), out.getvalue())


def compare_texts(capture_text: str, replay_text: str) -> float:
    """1.0 for the same words in the same order; two empty texts are the same."""
    a, b = normalise_text(capture_text), normalise_text(replay_text)
    if not a and not b:
        return 1.0
    return round(Indel.normalized_similarity(a, b), 4)
