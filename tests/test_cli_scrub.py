"""Secrets out of the command line's output: replaced where they stand as a token, ordinary words left whole."""

from __future__ import annotations

import json
import string
from urllib.parse import quote, urlencode

import pytest
from boundary_runs import fail_through_the_boundary
from hypothesis import assume, given
from hypothesis import strategies as st

from imgroup.cli._scrub import REDACTED, Scrubber

WORD_CHARACTERS = string.ascii_letters + string.digits + "_"
SHORT_SECRETS = st.text(WORD_CHARACTERS, min_size=1, max_size=3)
# What an app secret looks like: Feishu's and Yunxin's are 32 letters and digits, Tencent's a 64-digit hex key.
REAL_SECRETS = st.text(string.ascii_letters + string.digits, min_size=32, max_size=32) | st.text(
    "0123456789abcdef", min_size=64, max_size=64
)
WORDS = st.text(WORD_CHARACTERS, min_size=1, max_size=12)
SEPARATORS = st.sampled_from([" ", "  ", ", ", ": ", ". ", "(", ")", "-", "/", "\n", "=", '"', "'", "，", "。"])
# The ways vendors echo a value back: inside JSON, quotes, a URL's query, key=value, glued to Chinese text.
ECHOES = [
    '{{"code": 99991663, "msg": "invalid app_secret", "app_secret": "{}"}}',
    "invalid secret '{}'",
    'secret "{}" is wrong',
    "GET https://open.feishu.cn/open-apis/auth?app_secret={}&app_id=cli_1",
    "app_secret={} rejected",
    "AppSecret:{}",
    "密钥{}无效",
    "[{}]",
]

# The error of the bug report, printed with FEISHU_APP_SECRET=y.
MANGLED_EXAMPLE = "retryable:  yes"


def texts_of(words: list[str], separators: list[str]) -> str:
    return "".join(word + separator for word, separator in zip(words, separators, strict=False))


def test_the_bug_reports_short_secret_leaves_the_error_readable() -> None:
    assert Scrubber(["y"])(MANGLED_EXAMPLE) == MANGLED_EXAMPLE


@given(SHORT_SECRETS | REAL_SECRETS, st.lists(WORDS, max_size=20), st.lists(SEPARATORS, max_size=20))
def test_ordinary_words_survive_a_secret_they_only_contain(
    secret: str, words: list[str], separators: list[str]
) -> None:
    assume(secret not in words)
    text = texts_of(words, separators)
    assert Scrubber([secret])(text) == text


@given(SHORT_SECRETS | REAL_SECRETS, st.lists(WORDS, min_size=1, max_size=20), st.lists(SEPARATORS, max_size=20))
def test_a_secret_standing_as_a_word_is_replaced_and_nothing_else(
    secret: str, words: list[str], separators: list[str]
) -> None:
    text = texts_of([secret, *words], [" ", *separators])
    expected = texts_of([REDACTED if word == secret else word for word in [secret, *words]], [" ", *separators])
    assert Scrubber([secret])(text) == expected


@pytest.mark.parametrize("echo", ECHOES)
@given(secret=SHORT_SECRETS | REAL_SECRETS)
def test_a_secret_echoed_by_a_vendor_is_gone(echo: str, secret: str) -> None:
    around = echo.replace("{}", " ").replace("{{", "{").replace("}}", "}")
    # The words around the echo must not themselves be the secret (a secret "msg" would rightly go too).
    assume(Scrubber([secret])(around) == around)
    assert Scrubber([secret])(echo.format(secret)) == echo.format(REDACTED)


@given(st.text(string.printable.strip() + "密钥é", min_size=1, max_size=40))
def test_a_secret_escaped_in_json_or_encoded_in_a_url_is_gone(secret: str) -> None:
    scrub = Scrubber([secret])
    for document in ({"app_secret": secret}, [secret, 1]):
        for ensure_ascii in (True, False):
            dumped = json.dumps(scrub.document(document), ensure_ascii=ensure_ascii)
            assert secret not in json.loads(dumped)
    url = "https://x.test/token?{}&a=1"
    assume(scrub(url.format("secret=")) == url.format("secret="))
    assert scrub(url.format(urlencode({"secret": secret}))) == url.format(f"secret={REDACTED}")
    path = "/v1/{}/members"
    assume(scrub(path.format("")) == path.format(""))
    assert scrub(path.format(quote(secret, safe=""))) == path.format(REDACTED)


def test_a_longer_secret_is_replaced_whole_before_a_shorter_one_inside_it() -> None:
    assert Scrubber(["abc", "abcdef"])("xx abcdef yy abc abcd") == f"xx {REDACTED} yy {REDACTED} abcd"


def test_no_secrets_leaves_text_alone() -> None:
    assert Scrubber(["", ""])("retryable: yes") == "retryable: yes"


@pytest.mark.parametrize("as_json", [False, True])
@given(secret=SHORT_SECRETS | REAL_SECRETS)
def test_an_error_report_keeps_its_words_and_loses_the_echoed_secret(as_json: bool, secret: str) -> None:
    from tencent_im.error_codes import lookup
    from tencent_im.errors import UnauthenticatedError

    # With the secret nowhere in the message, what is printed is exactly what an empty secret prints.
    message = f"invalid key {secret} for app_secret={secret}"
    error = UnauthenticatedError(
        code=70009, message=message, http_status=200, operation="destroy_group", request_id="r-1", info=lookup(70009)
    )
    printed = _printed(error, [secret], as_json)
    expected = _printed(error, [], as_json).replace(message, f"invalid key {REDACTED} for app_secret={REDACTED}")
    assume(Scrubber([secret])(expected) == expected)  # a secret like "key" is one of the report's own words
    assert printed == expected


def _printed(error: Exception, secrets: list[str], as_json: bool) -> str:
    result = fail_through_the_boundary(error, secrets=secrets, as_json=as_json)
    assert result.exit_code == 1
    return result.stdout + "\n--\n" + result.stderr
