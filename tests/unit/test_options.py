"""_options: settings from arguments and the environment; the key kept out of sight; http refused."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest
from kling_video import AsyncKlingVideo, KlingVideo, RetryPolicy
from kling_video._logging import RedactingFilter
from kling_video._options import APIKey, ClientOptions, check_base_url, resolve_options
from kling_video._wire import USER_AGENT, request_args
from kling_video.errors import ConfigurationError
from kling_video_api.api.text2video import get_task

KEY = "sk-live-0123456789abcdef-SECRET"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    monkeypatch.delenv("KLING_API_KEY", raising=False)
    monkeypatch.delenv("KLING_BASE_URL", raising=False)
    monkeypatch.delenv("KLING_LOG", raising=False)


def resolve(**overrides) -> ClientOptions:
    args = {
        "api_key": None,
        "base_url": None,
        "timeout": None,
        "max_retries": None,
        "retry_policy": None,
        "poll_schedule": None,
        "wait_timeout": None,
        **overrides,
    }
    return resolve_options(**args)


def get_args(options: ClientOptions) -> dict:
    return request_args(get_task._get_kwargs("831922345719271433"), options)


# --- where settings come from -----------------------------------------------------------------------


def test_api_key_from_the_environment(monkeypatch):
    monkeypatch.setenv("KLING_API_KEY", KEY)
    options = resolve()
    assert options.api_key is not None
    assert options.api_key.reveal() == KEY


def test_an_explicit_key_beats_the_environment(monkeypatch):
    monkeypatch.setenv("KLING_API_KEY", "from-env")
    assert resolve(api_key="explicit").api_key.reveal() == "explicit"


def test_an_empty_key_in_the_environment_is_no_key(monkeypatch):
    monkeypatch.setenv("KLING_API_KEY", "")
    assert resolve().api_key is None


def test_default_base_url():
    assert resolve().base_url == "https://www.anyapi.vip"


def test_base_url_from_the_environment(monkeypatch):
    monkeypatch.setenv("KLING_BASE_URL", "https://gateway.example/")
    assert resolve().base_url == "https://gateway.example"


def test_an_explicit_base_url_beats_the_environment(monkeypatch):
    monkeypatch.setenv("KLING_BASE_URL", "https://env.example")
    assert resolve(base_url="https://arg.example").base_url == "https://arg.example"


def test_the_client_reads_the_environment(monkeypatch):
    monkeypatch.setenv("KLING_API_KEY", KEY)
    monkeypatch.setenv("KLING_BASE_URL", "http://127.0.0.1:8123")
    with KlingVideo() as client:
        assert client.base_url == "http://127.0.0.1:8123"
        assert client.options.api_key.reveal() == KEY


def test_timeout_default_and_override():
    default = resolve().timeout
    assert default.read == 60.0
    assert default.connect == 10.0
    short = resolve(timeout=3).timeout
    assert short.read == 3.0
    assert short.connect == 3.0


@pytest.mark.parametrize("timeout", [0, -1])
def test_a_timeout_that_is_not_positive_is_refused(timeout):
    with pytest.raises(ConfigurationError):
        resolve(timeout=timeout)


def test_max_retries_overrides_the_policy():
    options = resolve(max_retries=7, retry_policy=RetryPolicy(max_retries=1, initial_delay=2.0))
    assert options.retry.max_retries == 7
    assert options.retry.initial_delay == 2.0


def test_negative_max_retries_is_refused():
    with pytest.raises(ConfigurationError):
        resolve(max_retries=-1)


# --- plain http ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost",
        "http://localhost:8000",
        "http://LOCALHOST:8000/",
        "http://127.0.0.1",
        "http://127.0.0.1:9000/base",
        "http://127.1.2.3:9000",
        "http://[::1]",
        "http://[::1]:8080",
        "https://www.anyapi.vip",
        "https://203.0.113.5",
    ],
)
def test_allowed_base_urls(url):
    check_base_url(url)
    assert resolve(base_url=url).base_url == url.rstrip("/")


@pytest.mark.parametrize(
    "url",
    [
        "http://www.anyapi.vip",
        "http://example.com:80",
        "http://10.0.0.5:8000",
        "http://192.168.1.10",
        "http://[2001:db8::1]",
        "http://localhost.evil.example",
        "http://127.0.0.1.nip.io",
        "http://0.0.0.0:8000",
    ],
)
def test_plain_http_to_anything_but_loopback_is_refused(url):
    with pytest.raises(ConfigurationError, match="http"):
        resolve(base_url=url)


def test_plain_http_from_the_environment_is_refused(monkeypatch):
    monkeypatch.setenv("KLING_BASE_URL", "http://gateway.example")
    with pytest.raises(ConfigurationError):
        KlingVideo(api_key=KEY)


@pytest.mark.parametrize("url", ["ftp://www.anyapi.vip", "www.anyapi.vip", "https://", "file:///etc/passwd"])
def test_a_base_url_that_is_not_http_is_refused(url):
    with pytest.raises(ConfigurationError):
        resolve(base_url=url)


# --- the key: needed only to send, never shown ----------------------------------------------------------------


def test_no_key_is_fine_until_a_request_is_built():
    with KlingVideo() as client:
        assert client.options.api_key is None
        with pytest.raises(ConfigurationError, match="KLING_API_KEY"):
            get_args(client.options)


def test_no_key_means_no_request_leaves():
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={})

    with (
        httpx.Client(transport=httpx.MockTransport(handler)) as http,
        KlingVideo(http_client=http, _sleep=lambda s: None) as client,
        pytest.raises(ConfigurationError, match="KLING_API_KEY"),
    ):
        client.text2video.get("831922345719271433")
    assert sent == []


def test_request_args_carry_the_key_and_an_absolute_url():
    args = get_args(resolve(api_key=KEY, base_url="https://gateway.example/"))
    assert args["method"].upper() == "GET"
    assert args["url"] == "https://gateway.example/kling/v1/videos/text2video/831922345719271433"
    assert args["headers"]["Authorization"] == f"Bearer {KEY}"
    assert args["headers"]["User-Agent"] == USER_AGENT
    assert isinstance(args["timeout"], httpx.Timeout)


def test_api_key_repr_and_str_hide_the_value():
    key = APIKey(KEY)
    for text in (repr(key), str(key), f"{key}", f"{key!r}", f"{[key]}"):
        assert KEY not in text
        assert "****" in text


def test_client_options_repr_hides_the_key():
    options = resolve(api_key=KEY)
    assert KEY not in repr(options)
    assert KEY not in str(options)


def test_client_reprs_hide_the_key():
    with KlingVideo(api_key=KEY) as client:
        assert KEY not in repr(client)
        assert "www.anyapi.vip" in repr(client)
        assert KEY not in repr(client.with_options(timeout=5))
    async_client = AsyncKlingVideo(api_key=KEY)
    try:
        assert KEY not in repr(async_client)
    finally:
        asyncio.run(async_client.close())


def test_a_refused_base_url_does_not_echo_the_key():
    with pytest.raises(ConfigurationError) as caught:
        KlingVideo(api_key=KEY, base_url="http://remote.example")
    assert KEY not in str(caught.value)


def test_the_log_filter_masks_bearer_tokens():
    record = logging.LogRecord(
        "kling_video", logging.DEBUG, __file__, 1, "headers: %s", ({"Authorization": f"Bearer {KEY}"},), None
    )
    assert RedactingFilter().filter(record) is True
    assert KEY not in record.getMessage()
    assert "Bearer ****" in record.getMessage()


# --- with_options -----------------------------------------------------------------------------------------------


def test_with_options_returns_a_changed_copy_and_leaves_the_original():
    with KlingVideo(api_key=KEY, max_retries=3) as client:
        copy = client.with_options(max_retries=0, timeout=5, base_url="https://other.example/", wait_timeout=30)
        assert copy is not client
        assert copy.options.retry.max_retries == 0
        assert copy.options.timeout.read == 5.0
        assert copy.base_url == "https://other.example"
        assert copy.options.wait_timeout == 30
        assert copy.options.api_key == client.options.api_key
        assert client.options.retry.max_retries == 3
        assert client.base_url == "https://www.anyapi.vip"
        assert client.options.timeout.read == 60.0


def test_with_options_shares_the_http_client():
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["Authorization"])
        body = {"code": 0, "data": {"task_id": "1", "task_status": "processing"}}
        return httpx.Response(200, json=body)

    with httpx.Client(transport=httpx.MockTransport(handler)) as http:
        client = KlingVideo(api_key="first", http_client=http, _sleep=lambda s: None)
        copy = client.with_options(api_key="second")
        client.text2video.get("1")
        copy.text2video.get("1")
        assert seen == ["Bearer first", "Bearer second"]


def test_closing_a_copy_leaves_the_shared_connections_open():
    client = KlingVideo(api_key=KEY)
    copy = client.with_options(timeout=5)
    assert copy._http is client._http
    copy.close()
    assert not client._http.is_closed
    client.close()
    assert client._http.is_closed


async def test_async_with_options_shares_the_http_client():
    async with AsyncKlingVideo(api_key=KEY) as client:
        copy = client.with_options(max_retries=1)
        assert copy._http is client._http
        assert copy.options.retry.max_retries == 1
        await copy.close()
        assert not client._http.is_closed


def test_with_options_refuses_plain_http():
    with KlingVideo(api_key=KEY) as client, pytest.raises(ConfigurationError):
        client.with_options(base_url="http://remote.example")


def test_with_options_can_drop_the_key():
    with KlingVideo(api_key=KEY) as client:
        copy = client.with_options(api_key=None)
        with pytest.raises(ConfigurationError):
            get_args(copy.options)


def test_with_options_refuses_negative_max_retries():
    with KlingVideo(api_key=KEY) as client, pytest.raises(ConfigurationError):
        client.with_options(max_retries=-1)


def test_with_options_refuses_an_unknown_setting():
    with KlingVideo(api_key=KEY) as client, pytest.raises(TypeError):
        client.with_options(max_retry=0)
