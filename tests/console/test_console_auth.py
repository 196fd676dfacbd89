"""Roles: tokens configured by their SHA-256, checked as Bearer, Token or Basic; 401, 403, 200."""

from __future__ import annotations

import base64
import hashlib

import pytest
from flask import Flask

from diancang.console.auth import ApiTokens, TokenConfigError, init_auth, requires_role


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def test_tokens_are_configured_by_digest_and_give_their_roles():
    tokens = ApiTokens.parse(
        f" harvester:{_digest('h-1')}, harvester:{_digest('h-2')},curator:{_digest('c')},"
    )
    assert tokens.roles_of("h-1") == tokens.roles_of("h-2") == {"harvester"}
    assert tokens.roles_of("c") == {"curator"}
    assert tokens.roles_of("nope") == frozenset() and tokens.roles_of("") == frozenset()
    assert tokens.has_role("harvester") and not ApiTokens.parse("").has_role("harvester")
    both = ApiTokens.parse(f"harvester:{_digest('x')},curator:{_digest('x').upper()}")
    assert both.roles_of("x") == {"harvester", "curator"}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("harvester", "entry 1: expected ROLE:SHA256"),
        (f"harvester:{'a' * 64},admin:{'b' * 64}", "entry 2: unknown role 'admin'"),
        ("harvester:s3cr3t-token-value", "not the token itself"),
        ("harvester:" + "g" * 64, "64-hex-digit SHA-256"),
    ],
)
def test_a_malformed_configuration_names_the_entry_and_never_the_secret(value, message):
    with pytest.raises(TokenConfigError) as info:
        ApiTokens.parse(value)
    assert message in str(info.value) and "DIANCANG_API_TOKENS" in str(info.value)
    assert "s3cr3t" not in str(info.value)


def test_a_role_that_looks_like_a_secret_is_not_echoed():
    with pytest.raises(TokenConfigError) as info:
        ApiTokens.parse(f"Zx9/+q2:{'a' * 64}")
    assert "Zx9" not in str(info.value) and "(not shown)" in str(info.value)


def test_requires_role_answers_401_403_and_lets_the_role_through():
    app = Flask("test")
    init_auth(app, ApiTokens.parse(f"harvester:{_digest('h')},curator:{_digest('c')}"))

    @app.get("/curator")
    @requires_role("curator")
    def curator_page():
        return "curator page"

    client = app.test_client()
    missing = client.get("/curator")
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"] == 'Bearer realm="diancang"'
    for header in ("Basic Yzo=", "Bearer", "Bearer   ", "c"):
        assert client.get("/curator", headers={"Authorization": header}).status_code == 401
    wrong = client.get("/curator", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and 'error="invalid_token"' in wrong.headers["WWW-Authenticate"]
    other = client.get("/curator", headers={"Authorization": "Bearer h"})
    assert other.status_code == 403
    assert 'error="insufficient_scope"' in other.headers["WWW-Authenticate"]
    assert "curator" in other.get_json()["error"]
    ok = client.get("/curator", headers={"Authorization": "bearer c"})
    assert ok.status_code == 200 and ok.text == "curator page"


def test_an_app_without_tokens_lets_nobody_in():
    app = Flask("test")

    @app.get("/curator")
    @requires_role("curator")
    def curator_page():
        return "curator page"

    response = app.test_client().get("/curator", headers={"Authorization": "Bearer c"})
    assert response.status_code == 401


def test_requires_role_refuses_an_unknown_role():
    with pytest.raises(ValueError, match="unknown role"):
        requires_role("admin")


def test_wasapi_clients_forms_of_the_token_are_accepted():
    """py-wasapi-client sends ``Token TOKEN`` (``-t``) or HTTP Basic (``-u``, WASAPI_USER and
    WASAPI_PASS): the token is the password, the user name is not checked."""
    app = Flask("test")
    init_auth(app, ApiTokens.parse(f"harvester:{_digest('h')},curator:{_digest('c')}"))

    @app.get("/harvest")
    @requires_role("harvester")
    def harvest():
        return "files"

    client = app.test_client()

    def basic(user: str, password: str) -> dict[str, str]:
        pair = base64.b64encode(f"{user}:{password}".encode()).decode()
        return {"Authorization": f"Basic {pair}"}

    for headers in ({"Authorization": "Token h"}, basic("harvester", "h"), basic("anyone", "h")):
        assert client.get("/harvest", headers=headers).text == "files", headers
    assert client.get("/harvest", headers={"Authorization": "token  h "}).status_code == 200
    assert client.get("/harvest", headers=basic("h", "")).status_code == 401
    assert client.get("/harvest", headers=basic("harvester", "nope")).status_code == 401
    assert client.get("/harvest", headers=basic("harvester", "c")).status_code == 403
    assert client.get("/harvest", headers={"Authorization": "Token c"}).status_code == 403
    for broken in ("Basic !!!", "Basic " + base64.b64encode(b"\xff:\xfe").decode(), "Token"):
        assert client.get("/harvest", headers={"Authorization": broken}).status_code == 401
    missing = client.get("/harvest")
    challenges = missing.headers.getlist("WWW-Authenticate")
    assert challenges == ['Bearer realm="diancang"', 'Basic realm="diancang", charset="UTF-8"']
