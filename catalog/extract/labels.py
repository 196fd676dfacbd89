"""The fields of a government-information record and the labels that name them on pages."""

from __future__ import annotations

import re

# Field name → the labels sites print for it (after removing spaces and the colon).
FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "title": ("标题", "名称", "文件名称", "公文名称", "信息名称", "文件标题", "政策名称"),
    "index_no": ("索引号", "索取号", "信息索引号"),
    "category": ("主题分类", "信息分类", "分类", "主题类别", "组配分类", "所属主题"),
    "agency": (
        "发布机构",
        "发文机关",
        "发布单位",
        "发文单位",
        "公开主体",
        "制发机关",
        "信息来源",
        "来源",
        "发布机关",
        "信息发布机构",
    ),
    "written_date": ("成文日期", "生成日期", "制发日期", "印发日期", "成文时间", "发文日期"),
    "doc_number": ("发文字号", "文号", "文件编号", "发文号"),
    "pub_date": ("发布日期", "公开日期", "发布时间", "公开时间", "发布时期"),
    "keywords": ("主题词", "关键词", "关键字"),
    "validity": ("有效性", "时效性", "是否有效", "效力状态"),
    "doc_type": ("公文种类", "文种", "体裁分类"),
}
DATE_FIELDS = ("written_date", "pub_date")
# Fields that mark a page as a disclosure page when found in its label/value table.
DISCLOSURE_FIELDS = ("index_no", "doc_number", "agency", "written_date", "category")
RECORD_FIELDS = tuple(FIELD_LABELS) + ("description",)

_LABEL_TO_FIELD = {label: field for field, labels in FIELD_LABELS.items() for label in labels}
_SPACES = re.compile(r"[\s\u3000\xa0\u2002\u2003\u200b]+")
_COLONS = "：:"
NONE_VALUES = {"无", "暂无", "-", "—", "／", "/", "null", "none", ""}


def squeeze(text: str | None) -> str:
    """Collapse runs of whitespace (full-width spaces and nbsp included) to one space."""
    return _SPACES.sub(" ", text or "").strip()


def label_key(text: str) -> str:
    """``'索 引 号：'`` → ``'索引号'``: no spaces, no trailing colon, no brackets."""
    key = _SPACES.sub("", text).strip(_COLONS + "【】[]")
    return key


def field_for_label(text: str) -> str | None:
    """The record field a printed label names, or None."""
    if len(text) > 24:
        return None
    return _LABEL_TO_FIELD.get(label_key(text))


def split_label_value(text: str) -> tuple[str, str] | None:
    """``'索引号：000014349/2018-00222'`` → ``('index_no', '000014349/2018-00222')``."""
    for colon in _COLONS:
        head, sep, tail = text.partition(colon)
        if sep and len(head) <= 12:
            field = field_for_label(head)
            if field:
                return field, squeeze(tail)
    return None


def clean_value(field: str, value: str | None) -> str | None:
    """Trim a value; the printed 'none' of document numbers (文号：无) becomes None."""
    value = squeeze(value).lstrip(_COLONS).strip()
    if not value or value.lower() in NONE_VALUES:
        return None
    return value
