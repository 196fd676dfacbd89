"""The staff replay origin: pywb's staff view (no access rules) behind a gate.

Run as ``python -m diancang.replay.staff_front --port P --bind H --config STAFF_CONFIG``
(``diancang replay`` does). pywb runs inside this process, so the view without rules is
served to the network only through the gate (pywb's own warcserver, as in every pywb, also
listens on a random port of ``localhost``, for its front only). The gate lets a request through only
with the cookie it set itself after checking a token from the console's ``/staff-replay``
(``diancang.replay.staff_tokens``): without one 401, with a forged or expired one 403, and
403 for a collection the pass does not name.
"""

from gevent.monkey import patch_all

patch_all()  # as pywb's own ``wayback`` does, before anything else is imported

import argparse  # noqa: E402
from http.cookies import SimpleCookie  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import parse_qs  # noqa: E402

from diancang.replay.staff_tokens import (  # noqa: E402
    COOKIE_NAME,
    COOKIE_SECONDS,
    ENTER_PATH,
    BadSignature,
    make_cookie,
    read_cookie,
    read_token,
)

REFUSALS = {
    401: ("401 Unauthorized", "请先登录典藏控制台，再从审核页面打开工作人员回放。"),
    403: (
        "403 Forbidden",
        "工作人员回放的凭证无效、已过期，或您无权查看此馆藏。请从控制台重新打开。",
    ),
}


class StaffGate:
    """WSGI: the staff pass check in front of ``app`` (pywb's FrontEndApp)."""

    def __init__(self, app, secret: str, secure: bool = False):
        self.app = app
        self.secret = secret
        self.secure = secure

    def __call__(self, wsgi_env, start_response):
        path = wsgi_env.get("PATH_INFO", "")
        if path == ENTER_PATH:
            return self._enter(wsgi_env, start_response)
        cookie = SimpleCookie(wsgi_env.get("HTTP_COOKIE", "")).get(COOKIE_NAME)
        if cookie is None:
            return _refuse(start_response, 401)
        try:
            staff = read_cookie(self.secret, cookie.value)
        except BadSignature:
            return _refuse(start_response, 403)
        collection = path.lstrip("/").split("/", 1)[0]
        # pywb's own test, on every request: collections made after the start count too
        if self.app.is_valid_coll(collection) and not staff.may_see(collection):
            return _refuse(start_response, 403)
        return self.app(wsgi_env, start_response)

    def _enter(self, wsgi_env, start_response):
        token = parse_qs(wsgi_env.get("QUERY_STRING", "")).get("token", [""])[0]
        try:
            staff, target = read_token(self.secret, token)
        except BadSignature:
            return _refuse(start_response, 403)
        flags = "; Secure; SameSite=None" if self.secure else "; SameSite=Lax"
        cookie = (
            f"{COOKIE_NAME}={make_cookie(self.secret, staff)}; Path=/; HttpOnly; "
            f"Max-Age={COOKIE_SECONDS}{flags}"
        )
        headers = [("Location", "/" + target.lstrip("/")), ("Set-Cookie", cookie),
                   ("Cache-Control", "no-store"), ("Content-Length", "0")]  # fmt: skip
        start_response("303 See Other", headers)
        return [b""]


def _refuse(start_response, status: int):
    line, message = REFUSALS[status]
    body = (
        f'<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>{line}</title>'
        f"<p>{message}</p></html>"
    ).encode()
    headers = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Length", str(len(body))),
        ("Cache-Control", "no-store"),
    ]
    start_response(line, headers)
    return [body]


def main(argv: list[str] | None = None) -> None:
    from pywb.apps.frontendapp import FrontEndApp
    from pywb.utils.geventserver import GeventServer, RequestURIWSGIHandler

    from diancang.console.secret_key import session_secret
    from diancang.settings import load_settings

    parser = argparse.ArgumentParser(description="Diancang staff replay (pywb behind a gate)")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--config", type=Path, required=True)
    args = parser.parse_args(argv)
    settings = load_settings()
    pywb = FrontEndApp(config_file=str(args.config))
    gate = StaffGate(pywb, session_secret(settings), secure=settings.secure_cookies)
    GeventServer(gate, port=args.port, hostname=args.bind,
                 handler_class=RequestURIWSGIHandler, direct=True)  # fmt: skip


if __name__ == "__main__":
    main()
