"""Why a listed item was not captured: machine tokens (CSV) and their zh-CN labels (HTML).

The tokens of ``not-followed`` are the crawler's (crawler/stopped.py: ``out-of-scope``, ``depth``,
``robots``, ``trap:<name>``, ``limit:<name>``, ``already-captured``); the catalogue adds
``fetch-error:<first word of the message>``, ``http:<status>`` and ``unrecorded``.
"""

from __future__ import annotations

from diancang.warc_names import (
    FETCH_CONNECT,
    FETCH_CONNECTION_LOST,
    FETCH_CONNECTION_REFUSED,
    FETCH_DNS,
    FETCH_REFUSED_ADDRESS,
    FETCH_ROBOTS,
    FETCH_TIMEOUT,
)

FETCH_ERROR = "fetch-error"
HTTP = "http"
UNRECORDED = "unrecorded"

_LABELS = {
    "out-of-scope": "超出范围",
    "depth": "超出深度",
    "robots": "robots.txt 禁止",
    "limit:pages": "页数上限",
    "limit:listing-pages": "列表页数上限",
    "limit:bytes": "数据量上限",
    "limit:duration": "时长上限",
    "already-captured": "此前已采集（增量抓取未重抓）",
    UNRECORDED: "未记录原因",
}
_TRAPS = {
    "query-variants": "查询参数变体过多",
    "repeated-path-segments": "路径段重复",
    "url-too-long": "网址过长",
    "repeated-content": "内容重复",
}
_FETCH_ERRORS = {
    FETCH_TIMEOUT: "超时",
    FETCH_DNS: "域名无法解析",
    FETCH_CONNECT: "连接失败",
    FETCH_CONNECTION_REFUSED: "连接被拒绝",
    FETCH_CONNECTION_LOST: "连接中断",
    FETCH_REFUSED_ADDRESS: "地址属于禁止访问的网络",
    FETCH_ROBOTS: "robots.txt 禁止",
}
_HTTP = {
    400: "请求无效",
    401: "需要登录",
    403: "禁止访问",
    404: "页面不存在",
    410: "页面已删除",
    429: "请求过多",
    500: "服务器内部错误",
    502: "网关错误",
    503: "服务不可用",
    504: "网关超时",
}


def fetch_error_token(message: str) -> str:
    """``fetch-error:timeout`` for ``timeout 30 s``: items grouped by the kind of failure."""
    return f"{FETCH_ERROR}:{message.split(' ', 1)[0] or 'unknown'}"


def http_token(status: int) -> str:
    return f"{HTTP}:{status}"


def reason_label(token: str) -> str:
    """The zh-CN label of a reason token; an unknown token is shown as it is."""
    if token in _LABELS:
        return _LABELS[token]
    kind, _, name = token.partition(":")
    if kind == "trap":
        return f"陷阱防护（{_TRAPS.get(name, name)}）"
    if kind == FETCH_ERROR:
        return f"抓取失败: {_FETCH_ERRORS.get(name, name)}"
    if kind == HTTP and name.isdigit():
        label = _HTTP.get(int(name))
        return f"HTTP {name} {label}" if label else f"HTTP {name}"
    if kind == "limit":
        return f"上限（{name}）"
    return token
