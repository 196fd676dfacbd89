"""The words of review, defined once: review states, decisions, QA severity bands."""

from __future__ import annotations

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
STATES = (PENDING, APPROVED, REJECTED)
STATE_NAMES = {PENDING: "待审核", APPROVED: "已通过", REJECTED: "已退回"}

# what a decision does (the audit log's "what")
APPROVE, REJECT, PATCH = "approve", "reject", "patch"
CONFIRM, SEND_BACK = "confirm", "send_back"  # an auditor's verdict on a sampled record
ACTIONS = (APPROVE, REJECT, PATCH, CONFIRM, SEND_BACK)
ACTION_NAMES = {
    APPROVE: "通过",
    REJECT: "退回",
    PATCH: "补采",
    CONFIRM: "抽检确认",
    SEND_BACK: "抽检退回",
}

# publishing policies (DIANCANG_PUBLISH_POLICY)
REVIEWED, ALL = "reviewed", "all"
PUBLISH_POLICIES = (REVIEWED, ALL)

# QA severity bands, as Browsertrix draws them: below 0.5 severe, below 0.9 moderate
SEVERE, MODERATE, GOOD = "severe", "moderate", "good"
SEVERITY_NAMES = {SEVERE: "严重", MODERATE: "中等", GOOD: "良好"}


def lowest(*matches: float | None) -> float | None:
    """The lowest of the measured matches; None when none was measured."""
    measured = [m for m in matches if m is not None]
    return min(measured) if measured else None


def severity(*matches: float | None) -> str | None:
    """The band of the lowest measured match (screenshot, text, resources); None when none
    was measured."""
    low = lowest(*matches)
    if low is None:
        return None
    if low < 0.5:
        return SEVERE
    if low < 0.9:
        return MODERATE
    return GOOD
