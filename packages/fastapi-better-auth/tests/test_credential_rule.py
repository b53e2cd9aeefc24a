"""The one credential rule, as a plain function over raw header lines. The same header sets are sent to both real
servers in the attack suite ("cookie confusion between servers"); these pin the Python half case by case."""

from __future__ import annotations

import pytest

from better_auth_fastapi import request_credential, session_cookie, session_cookie_name

PLAIN = "better-auth.session_token"
SECURE = "__Secure-better-auth.session_token"


def lines(*pairs: tuple[str, str]) -> list[tuple[bytes, bytes]]:
    return [(k.lower().encode(), v.encode("latin-1")) for k, v in pairs]


def test_the_public_url_names_the_one_cookie() -> None:
    assert session_cookie_name("https://book.example") == SECURE
    assert session_cookie_name("HTTPS://book.example:8443/path") == SECURE
    assert session_cookie_name("http://localhost:3000") == PLAIN


@pytest.mark.parametrize(
    "headers, expected",
    [
        pytest.param([("Cookie", f"{PLAIN}=A")], ("cookie", "A"), id="control"),
        pytest.param([], None, id="nothing"),
        pytest.param([("Cookie", f"{PLAIN}=A; {PLAIN}=B")], None, id="same name twice"),
        pytest.param([("Cookie", f"{PLAIN}=A;{PLAIN}=A")], None, id="same name twice, one value"),
        pytest.param([("Cookie", f"{PLAIN}=A"), ("Cookie", f"{PLAIN}=B")], None, id="one in each of two lines"),
        pytest.param([("Cookie", "theme=dark"), ("Cookie", f"{PLAIN}=A")], ("cookie", "A"), id="in the second line"),
        pytest.param([("Cookie", f"{SECURE}=B; {PLAIN}=A")], ("cookie", "A"), id="other prefix ignored"),
        pytest.param([("Cookie", f"{SECURE}=B")], None, id="only the other prefix"),
        pytest.param([("Cookie", f"{PLAIN.upper()}=A")], None, id="name in another case"),
        pytest.param([("Cookie", f'{PLAIN}="A"')], ("cookie", "A"), id="quoted"),
        pytest.param([("Cookie", f"x=1;  {PLAIN} =\\xa0A ;y=2")], ("cookie", "A"), id="whitespace as JavaScript trims it"),
        pytest.param([("Cookie", f"x={PLAIN}=B; {PLAIN}=A")], ("cookie", "A"), id="name inside another value"),
        pytest.param([("Cookie", f"{PLAIN}=A, {PLAIN}=B")], ("cookie", f"A, {PLAIN}=B"), id="comma is not a separator"),
        pytest.param([("Cookie", f"{PLAIN}=A"), ("Authorization", "Bearer B")], ("bearer", "B"), id="bearer wins"),
        pytest.param([("Cookie", f"{PLAIN}=A"), ("Authorization", "bearer  B ")], ("bearer", "B"), id="bearer any case"),
        pytest.param([("Cookie", f"{PLAIN}=A"), ("Authorization", "Basic dTpw")], ("cookie", "A"), id="other scheme"),
        pytest.param([("Authorization", "Bearer A"), ("Authorization", "Bearer B")], None, id="two Authorization lines"),
        pytest.param([("Cookie", f"{PLAIN}=A"), ("Authorization", "Basic x"), ("Authorization", "Basic y")], None,
                     id="two Authorization lines displace the cookie too"),
    ],
)
def test_one_credential_per_request(headers, expected) -> None:  # type: ignore[no-untyped-def]
    raw = lines(*((k, v.replace("\\xa0", "\xa0")) for k, v in headers))
    assert request_credential(raw, PLAIN) == expected


def test_secure_deployment_reads_only_the_secure_name() -> None:
    assert request_credential(lines(("Cookie", f"{PLAIN}=A; {SECURE}=B")), SECURE) == ("cookie", "B")
    assert request_credential(lines(("Cookie", f"{PLAIN}=A")), SECURE) is None
    assert session_cookie([f"{SECURE}=B", f"{SECURE}=C"], SECURE) is None
