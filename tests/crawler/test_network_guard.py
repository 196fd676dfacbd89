import ipaddress

import pytest

from crawler.network_guard import refusal
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
