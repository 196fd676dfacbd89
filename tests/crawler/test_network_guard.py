import asyncio
import ipaddress
import socket

import pytest
from crawl_helpers import run_crawl_cli, write_seed_list

from diancang.crawler.network_guard import AddressPolicy, refusal
from diancang.settings import parse_networks


@pytest.mark.parametrize(
    "address, expected",
    [
        ("169.254.169.254", "link-local"),
        ("10.0.0.1", "private"),
        ("192.168.1.1", "private"),
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("100.64.0.1", "not globally routable"),
        ("8.8.8.8", None),
    ],
)
def test_private_and_metadata_addresses_are_refused(address, expected):
    reason = refusal(ipaddress.ip_address(address), ())
    assert (reason is None) if expected is None else expected in reason


def test_allowed_networks_open_only_themselves():
    allowed = parse_networks("127.0.0.0/8, ::1/128")
    assert refusal(ipaddress.ip_address("127.0.0.2"), allowed) is None
    assert refusal(ipaddress.ip_address("10.0.0.1"), allowed) is not None


def test_bad_cidr_is_named():
    with pytest.raises(ValueError, match="'10.0.0.300/8'"):
        parse_networks("127.0.0.0/8,10.0.0.300/8")


def resolver_error(host: str) -> str:
    with pytest.raises(OSError) as info:
        socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return str(info.value)


def test_a_name_that_does_not_resolve_is_refused_with_the_resolver_error():
    policy = AddressPolicy(())
    reason = asyncio.run(policy.refusal("nonexistent.invalid"))
    assert (
        reason == f"nonexistent.invalid does not resolve ({resolver_error('nonexistent.invalid')})"
    )


@pytest.mark.slow
def test_an_unresolvable_seed_is_refused_and_reported(tmp_path):
    row = {"title": "t", "jurisdiction": "500000", "collection": "govinfo"}
    seeds = write_seed_list(
        tmp_path / "unresolvable.csv", [{"url": "http://nonexistent.invalid/", **row}]
    )
    crawl = run_crawl_cli(tmp_path, seeds)
    assert crawl.report["refused"] == [
        "refused http://nonexistent.invalid/: nonexistent.invalid does not resolve "
        f"({resolver_error('nonexistent.invalid')})"
    ]
    assert crawl.report["errors"] == {}
    assert (
        "refused http://nonexistent.invalid/: nonexistent.invalid does not" in crawl.result.stdout
    )
