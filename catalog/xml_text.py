"""Text that XML 1.0 can carry: the one place that cleans what its Char production excludes.

Pages print C0 control characters (``\\x01``, ``&#x1;``), the non-characters U+FFFE and
U+FFFF, and a lenient decoder can leave lone surrogates; lxml refuses all of them, and a
response holding one is not XML, so a single such page would stop a harvest. Records are
built from cleaned text (the page's printed value stays in ``raw_values``, its bytes in the
WARC), and every element the OAI-PMH provider writes is cleaned again, for records stored
before this cleaning existed.
"""

from __future__ import annotations

import re

from lxml import etree

# The complement of XML 1.0's Char (#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] |
# [#x10000-#x10FFFF]) within Python's code points; this positive class scans faster.
_NOT_XML_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Controls that separate words (vertical tab, form feed, the information separators)
# become a space so that the words around them stay apart; a lone surrogate stands for a
# character that was lost and becomes U+FFFD; any other control or non-character is dropped.
_SEPARATORS = frozenset("\x0b\x0c\x1c\x1d\x1e\x1f")
REPLACEMENT_CHARACTER = "\ufffd"


def _replacement(match: re.Match[str]) -> str:
    char = match.group()
    if char in _SEPARATORS:
        return " "
    if "\ud800" <= char <= "\udfff":
        return REPLACEMENT_CHARACTER
    return ""


def xml_text(text: str) -> str:
    """``text`` with every character XML 1.0 cannot carry removed or replaced."""
    if _NOT_XML_CHAR.search(text) is None:
        return text
    return _NOT_XML_CHAR.sub(_replacement, text)


def has_non_xml_char(text: str) -> bool:
    return _NOT_XML_CHAR.search(text) is not None


def sub_element(
    parent: etree._Element, tag: str, text: object = None, **attributes: object
) -> etree._Element:
    """``etree.SubElement`` whose text and attribute values are made XML-safe first."""
    el = etree.SubElement(parent, tag)
    if text is not None:
        el.text = xml_text(str(text))
    for name, value in attributes.items():
        set_attribute(el, name, value)
    return el


def set_attribute(el: etree._Element, name: str, value: object) -> None:
    el.set(name, xml_text(str(value)))
