"""The signed words between the console and the staff replay origin.

The console's ``/staff-replay`` hands the browser a token (valid ``TOKEN_SECONDS``) naming
the user, the collections they may see in staff replay (``ALL`` for an admin) and the page
to open; the staff front trades it for a cookie of its own origin (valid
``COOKIE_SECONDS``). Both are signed with the console's secret key (itsdangerous), with
different salts, so a cookie cannot be passed off as a token or the other way round.
"""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeTimedSerializer

TOKEN_SECONDS = 60
COOKIE_SECONDS = 8 * 3600
COOKIE_NAME = "diancang_staff"
ENTER_PATH = "/_diancang/enter"  # on the staff origin: ?token=…
ALL = "*"
_TOKEN_SALT = "diancang.staff-replay.token"
_COOKIE_SALT = "diancang.staff-replay.cookie"


class StaffPass(dict):
    """``{"user": id, "name": username, "collections": [...] or "*"}``."""

    def may_see(self, collection: str) -> bool:
        allowed = self.get("collections")
        return allowed == ALL or collection in (allowed or ())


def make_token(secret: str, user_id: int, name: str, collections, target: str) -> str:
    payload = {"user": user_id, "name": name, "collections": collections, "target": target}
    return URLSafeTimedSerializer(secret, salt=_TOKEN_SALT).dumps(payload)


def read_token(secret: str, token: str) -> tuple[StaffPass, str]:
    """The pass and the target path; ``BadSignature`` (or its ``SignatureExpired``)."""
    payload = URLSafeTimedSerializer(secret, salt=_TOKEN_SALT).loads(token, max_age=TOKEN_SECONDS)
    target = payload.pop("target")
    return StaffPass(payload), target


def make_cookie(secret: str, staff: StaffPass) -> str:
    return URLSafeTimedSerializer(secret, salt=_COOKIE_SALT).dumps(dict(staff))


def read_cookie(secret: str, value: str) -> StaffPass:
    loaded = URLSafeTimedSerializer(secret, salt=_COOKIE_SALT).loads(value, max_age=COOKIE_SECONDS)
    return StaffPass(loaded)


__all__ = ["BadSignature", "StaffPass", "make_token", "read_token", "make_cookie", "read_cookie"]
