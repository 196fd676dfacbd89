"""The one cleaning function for text XML cannot carry, over every Unicode code point."""

from lxml import etree

from diancang.catalog.xml_text import xml_text


def is_xml_char(c: int) -> bool:  # XML 1.0, production [2] Char
    return c in (0x9, 0xA, 0xD) or 0x20 <= c <= 0xD7FF or 0xE000 <= c <= 0xFFFD or c >= 0x10000


def test_every_code_point_is_kept_or_made_xml_safe():
    el = etree.Element("x")
    for c in range(0x110000):
        cleaned = xml_text(f"a{chr(c)}b")
        if is_xml_char(c):
            assert cleaned == f"a{chr(c)}b", hex(c)
        else:
            assert cleaned in ("ab", "a b", "a\ufffdb"), hex(c)
            el.text = cleaned  # lxml accepts it
    assert xml_text("第\x0c1号") == "第 1号"  # a form feed keeps the words apart
    assert xml_text("a\ud800b") == "a\ufffdb"  # a lost character stays visible
    assert etree.fromstring(etree.tostring(el)).text == "ab"
