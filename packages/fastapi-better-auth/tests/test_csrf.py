from better_auth_fastapi import origin_allowed, trusted_origin_set

TRUSTED = trusted_origin_set(["http://localhost:3000", "https://book.example/"])


def test_safe_methods_pass() -> None:
    assert origin_allowed("GET", None, None, TRUSTED)


def test_trusted_origin_passes_and_is_normalised() -> None:
    assert origin_allowed("PUT", "http://localhost:3000", None, TRUSTED)
    assert origin_allowed("POST", "https://BOOK.example:443", None, TRUSTED)


def test_untrusted_missing_or_null_origin_is_refused() -> None:
    for origin in ["https://evil.example", "http://localhost:3001", "https://book.example.evil.example", "null", "", None]:
        assert not origin_allowed("DELETE", origin, None, TRUSTED), origin


def test_referer_is_used_only_when_origin_is_absent() -> None:
    assert origin_allowed("PUT", None, "http://localhost:3000/docs/intro", TRUSTED)
    assert not origin_allowed("PUT", None, "https://evil.example/page", TRUSTED)
    assert not origin_allowed("PUT", "https://evil.example", "http://localhost:3000/", TRUSTED)


def test_garbage_origins_are_refused() -> None:
    for origin in ["javascript:alert(1)", "//localhost:3000", "http://[::1", "file:///etc/passwd"]:
        assert not origin_allowed("POST", origin, None, TRUSTED), origin


def test_null_origin_is_refused_whatever_the_referer() -> None:
    # A sandboxed frame or a data: document sends Origin: null; its Referer can still name a trusted page.
    for referer in ["http://localhost:3000/docs/intro", "https://book.example/", None]:
        assert not origin_allowed("PUT", "null", referer, TRUSTED), referer
        assert not origin_allowed("POST", " null ", referer, TRUSTED), referer
    # An empty Origin is no Origin: the Referer decides, as Better-Auth decides.
    assert origin_allowed("PUT", "", "http://localhost:3000/docs/intro", TRUSTED)
