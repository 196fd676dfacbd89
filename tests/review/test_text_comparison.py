"""The review page's text comparison marks as changed only what QA's score counts as
changed: an HTML source and its rendered page break lines in different places."""

from __future__ import annotations

from diancang.replay.qa.compare import compare_texts
from diancang.review.views import text_comparison

CAPTURED = (
    "首页\n政府信息公开\n\n  索引号：115000/2024-00077\n重庆市开展防汛演练。\n演练检验处置能力。"
)
REPLAYED = "首页 政府信息公开 索引号：115000/2024-00077 重庆市开展防汛演练。 演练检验处置能力。"


def test_texts_that_differ_only_in_line_breaks_compare_equal_sentence_by_sentence():
    assert compare_texts(CAPTURED, REPLAYED) == 1.0
    runs = text_comparison(CAPTURED, REPLAYED)
    assert runs and {tag for tag, _, _ in runs} == {"equal"}


def test_a_missing_sentence_is_still_marked_where_it_is():
    runs = text_comparison(CAPTURED, REPLAYED.replace("演练检验处置能力。", ""))
    assert ("delete", "演练检验处置能力。", "") in runs
    assert runs[0][0] == "equal"
