"""Roles of the web app: API tokens from the environment, sent in ``Authorization``.

Two roles: ``harvester`` (the national library's transfer listing and WARC downloads) and
``curator`` (curator pages). OAI-PMH stays public: harvesters expect it open.

Tokens never live in the repository, and the server never holds them either: it is given
the SHA-256 of each, with its role, in ``DIANCANG_API_TOKENS``::

    TOKEN=$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')
    printf %s "$TOKEN" | sha256sum          # -> the hex digest to configure
    DIANCANG_API_TOKENS="harvester:<hex digest>,curator:<hex digest>"

A client sends its token in any of three forms: ``Bearer TOKEN`` (RFC 6750), ``Token TOKEN``
(what py-wasapi-client and other Django REST clients send with ``--token``), or HTTP Basic
with the token as the password (py-wasapi-client's ``-u USER``, ``WASAPI_USER``/``WASAPI_PASS``
or ``--profile``); the Basic user name is not checked: tokens alone carry roles.

A request's token is hashed and compared with every configured digest by
``hmac.compare_digest``. No token, or one that is not configured: 401. A token of another
role: 403. Several tokens may hold one role; a digest listed under two roles holds both.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from diancang.settings import load_settings

ENV = "DIANCANG_API_TOKENS"
HARVESTER = "harvester"
TRANSFER_PATH = "/wasapi/v1/webdata"  # the transfer listing, for the harvester role only
CURATOR = "curator"
ROLES = (HARVESTER, CURATOR)
EXTENSION = "diancang.auth"
REALM = "diancang"

_HEX_DIGEST = re.compile(r"[0-9a-fA-F]{64}")
_WORD = re.compile(r"[A-Za-z_-]{1,32}")


class TokenConfigError(ValueError):
    """``DIANCANG_API_TOKENS`` is malformed; the message names the entry (never its value)."""


@dataclass(frozen=True)
class ApiTokens:
    """(role, SHA-256 digest) of every configured token."""

    entries: tuple[tuple[str, bytes], ...] = ()

    @classmethod
    def parse(cls, text: str) -> ApiTokens:
        entries = []
        for number, item in enumerate(text.split(","), 1):
            item = item.strip()
            if not item:
                continue
            role, sep, digest = item.partition(":")
            role, digest = role.strip(), digest.strip()
            where = f"{ENV}: entry {number}"
            if not sep:
                raise TokenConfigError(f"{where}: expected ROLE:SHA256, found no ':'")
            if role not in ROLES:
                # a word is echoed (a typo); anything else might be part of a secret
                shown = repr(role) if _WORD.fullmatch(role) else "(not shown)"
                raise TokenConfigError(
                    f"{where}: unknown role {shown}; expected one of {', '.join(ROLES)}"
                )
            if not _HEX_DIGEST.fullmatch(digest):
                raise TokenConfigError(
                    f"{where} ({role}): expected the 64-hex-digit SHA-256 of the token, not the "
                    "token itself (printf %s TOKEN | sha256sum)"
                )
            entries.append((role, bytes.fromhex(digest)))
        return cls(tuple(entries))

    @classmethod
    def configured(cls) -> ApiTokens:
        """The tokens of the ``api_tokens`` setting (``DIANCANG_API_TOKENS``)."""
        return cls.parse(load_settings().api_tokens)

    def has_role(self, role: str) -> bool:
        """True if some token holds ``role``."""
        return any(held == role for held, _ in self.entries)

    def roles_of(self, token: str) -> frozenset[str]:
        """The roles of ``token``: empty if it is not configured."""
        digest = hashlib.sha256(token.encode("utf-8")).digest()
        roles = set()
        for role, expected in self.entries:  # every entry, whatever matched before
            if hmac.compare_digest(digest, expected):
                roles.add(role)
        return frozenset(roles)


def init_auth(app: Flask, tokens: ApiTokens) -> None:
    """Make ``tokens`` the ones this app's ``requires_role`` checks."""
    app.extensions[EXTENSION] = tokens


def deny(status: int, message: str, error: str | None = None) -> Response:
    challenge = f'Bearer realm="{REALM}"'
    if error:
        challenge += f', error="{error}"'
    response = jsonify({"error": message})
    response.status_code = status
    response.headers["WWW-Authenticate"] = challenge
    response.headers.add("WWW-Authenticate", f'Basic realm="{REALM}", charset="UTF-8"')
    response.headers["Cache-Control"] = "no-store"
    return response


def request_token() -> str | None:
    """The token the request carries (Bearer, Token or Basic's password), if any."""
    scheme, _, credentials = request.headers.get("Authorization", "").strip().partition(" ")
    scheme, credentials = scheme.lower(), credentials.strip()
    if scheme in ("bearer", "token"):
        return credentials or None
    if scheme != "basic":
        return None
    try:
        decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    _user, sep, password = decoded.partition(":")
    return password if sep and password else None


def check_role(role: str) -> Response | None:
    """None if the request's token holds ``role``; else the 401 or 403 response."""
    tokens: ApiTokens = current_app.extensions.get(EXTENSION) or ApiTokens()
    token = request_token()
    if token is None:
        return deny(
            401,
            f"this resource needs a token with the {role} role (Authorization: Bearer TOKEN, "
            "Token TOKEN, or Basic with the token as password)",
        )
    roles = tokens.roles_of(token)
    if not roles:
        return deny(401, "the token is not valid", "invalid_token")
    if role not in roles:
        return deny(403, f"the token does not hold the {role} role", "insufficient_scope")
    return None


def _known(role: str) -> str:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    return role


def requires_role(role: str) -> Callable:
    """Decorate a view so that only a token holding ``role`` reaches it.

    ``@requires_role("curator")`` on every curator page.
    """
    _known(role)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            denied = check_role(role)
            if denied is not None:
                return denied
            return view(*args, **kwargs)

        return guarded

    return decorator


def protect_blueprint(blueprint: Blueprint, role: str) -> Blueprint:
    """Require ``role`` for every view of ``blueprint`` (call before registering it)."""
    _known(role)
    blueprint.before_request(lambda: check_role(role))
    return blueprint
