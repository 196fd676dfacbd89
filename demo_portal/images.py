"""Small deterministic images (PNG and ICO) built with zlib: no image files in the repository."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable

Color = tuple[int, int, int]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int, height: int, row: Callable[[int], bytes]) -> bytes:
    """An 8-bit RGB PNG whose ``row(y)`` returns ``width * 3`` bytes of pixels."""
    raw = b"".join(b"\x00" + row(y) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, 9))
        + _chunk(b"IEND", b"")
    )


def _mix(a: Color, b: Color, t: float) -> Color:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def gradient_banner(width: int, height: int) -> bytes:
    """The home-page banner: a red-to-gold vertical gradient with a pale band."""
    top, bottom = (178, 24, 24), (222, 160, 60)

    def row(y: int) -> bytes:
        color = _mix(top, bottom, y / max(height - 1, 1))
        if height * 2 // 5 <= y < height * 3 // 5:
            color = _mix(color, (255, 255, 255), 0.35)
        return bytes(color) * width

    return png(width, height, row)


def emblem_logo(width: int, height: int) -> bytes:
    """The site logo: a red field with a gold square at the left, like an emblem beside a name."""
    red, gold = (190, 20, 20), (245, 200, 60)
    side = height * 3 // 4
    margin = (height - side) // 2

    def row(y: int) -> bytes:
        if margin <= y < margin + side:
            return bytes(red) * margin + bytes(gold) * side + bytes(red) * (width - margin - side)
        return bytes(red) * width

    return png(width, height, row)


def checker_background(size: int = 16) -> bytes:
    """The page background tile referenced by ``url()`` in the style sheet."""
    light, pale = (250, 247, 242), (243, 238, 230)
    half = size // 2

    def row(y: int) -> bytes:
        first, second = (light, pale) if y < half else (pale, light)
        return (bytes(first) * half + bytes(second) * half) * 1

    return png(size, size, row)


def favicon_ico() -> bytes:
    """A 32x32 icon: an ICO container holding one PNG image (valid since Windows Vista)."""
    image = emblem_logo(32, 32)
    header = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", 32, 32, 0, 0, 1, 32, len(image), 6 + 16)
    return header + entry + image
