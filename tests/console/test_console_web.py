"""The web app: OAI-PMH public, the transfer listing for the harvester role, security headers."""

from __future__ import annotations

import hashlib
import logging

import pytest
from console_helpers import COLLECTION, WARC_NAME, Tokens

from diancang.console.auth import ApiTokens
from diancang.console.web import CONTENT_SECURITY_POLICY, create_app

LISTING = "/wasapi/v1/webdata"


@pytest.fixture
def client(catalog, warc_store, tokens):
    app = create_app(catalog, store=warc_store, tokens=ApiTokens.parse(tokens.env_value))
    return app.test_client()


def test_oai_pmh_is_public(client):
    response = client.get("/oai?verb=Identify")
    assert response.status_code == 200
    assert b"<repositoryName>" in response.data
    assert client.get("/oai/schemas/govinfo.xsd").status_code == 200


def test_transfer_listing_needs_the_harvester_role(client, tokens):
    assert client.get(LISTING).status_code == 401
    bad = client.get(LISTING, headers=Tokens.bearer("not-a-token"))
    assert bad.status_code == 401
    curator = client.get(LISTING, headers=Tokens.bearer(tokens.curator))
    assert curator.status_code == 403
    assert curator.get_json() == {"error": "the token does not hold the harvester role"}
    harvester = client.get(LISTING, headers=Tokens.bearer(tokens.harvester))
    assert harvester.status_code == 200
    assert [f["filename"] for f in harvester.get_json()["files"]] == [WARC_NAME]


def test_download_through_the_proxy_link_returns_the_listed_bytes(client, tokens, warc_store):
    auth = Tokens.bearer(tokens.harvester)
    entry = client.get(LISTING, headers=auth).get_json()["files"][0]
    (link,) = entry["locations"]  # a local store: this server's own link only
    assert link.endswith(f"{LISTING}/{COLLECTION}/{WARC_NAME}")

    assert client.get(link).status_code == 401
    assert client.get(link, headers=Tokens.bearer(tokens.curator)).status_code == 403
    response = client.get(link, headers=auth)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/warc"
    assert hashlib.sha256(response.data).hexdigest() == entry["checksums"]["sha256"]
    assert len(response.data) == entry["size"]
    with warc_store.open(warc_store.locate(COLLECTION, WARC_NAME)) as fh:
        assert response.data == fh.read()
    missing = f"{LISTING}/{COLLECTION}/missing.warc.gz"
    assert client.get(missing).status_code == 401  # nothing is told before the token
    assert client.get(missing, headers=auth).status_code == 404


def test_every_response_carries_the_security_headers(client, tokens):
    for path, headers, status in [
        ("/", {}, 200),
        ("/oai?verb=Identify", {}, 200),
        (LISTING, {}, 401),
        (LISTING, Tokens.bearer(tokens.harvester), 200),
        ("/nowhere", {}, 404),
    ]:
        response = client.get(path, headers=headers)
        assert response.status_code == status, path
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert response.headers["X-Frame-Options"] == "DENY"
    policy = dict(d.strip().split(" ", 1) for d in CONTENT_SECURITY_POLICY.split(";"))
    assert policy["default-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    listing = client.get(LISTING, headers=Tokens.bearer(tokens.harvester))
    assert listing.headers["Cache-Control"] == "no-store"


def test_index_names_the_transfer_listing_only_when_served(client, catalog, warc_store):
    assert client.get("/").get_json()["transfer"] == LISTING
    closed = create_app(catalog, store=warc_store, tokens=ApiTokens()).test_client()
    assert "transfer" not in closed.get("/").get_json()


@pytest.mark.parametrize("configured", ["", "curator:" + "c" * 64])
def test_without_a_harvester_token_the_listing_is_not_served(
    catalog, warc_store, tokens, caplog, configured
):
    with caplog.at_level(logging.WARNING, logger="diancang.console.web"):
        app = create_app(catalog, store=warc_store, tokens=ApiTokens.parse(configured))
    assert "transfer listing disabled" in caplog.text
    client = app.test_client()
    assert client.get(LISTING).status_code == 404
    assert client.get(LISTING, headers=Tokens.bearer(tokens.harvester)).status_code == 404
    assert client.get("/oai?verb=Identify").status_code == 200


def test_tokens_come_from_the_environment(catalog, warc_store, tokens, monkeypatch):
    monkeypatch.setenv("DIANCANG_API_TOKENS", tokens.env_value)
    client = create_app(catalog, store=warc_store).test_client()
    assert client.get(LISTING, headers=Tokens.bearer(tokens.harvester)).status_code == 200
    assert client.get(LISTING, headers=Tokens.bearer(tokens.curator)).status_code == 403
