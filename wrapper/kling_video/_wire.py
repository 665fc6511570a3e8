"""What the sync and async I/O layers share about one HTTP exchange, without doing any I/O.

URLs and bodies come from the generated layer's request builders; here they get the base URL,
the bearer header and a User-Agent, and the answer is turned into a ``Result`` for the plans.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from kling_video import _constants as C
from kling_video._options import ClientOptions
from kling_video._plans import Result
from kling_video._version import __version__
from kling_video.errors import APIError, KlingError, NotFoundError
from kling_video.retry import connection_error, parse_retry_after

__all__ = ["USER_AGENT", "Parser", "answer", "failure", "lookup_result", "request_args"]

USER_AGENT = f"{C.USER_AGENT_PRODUCT}/{__version__} httpx/{httpx.__version__}"

Parser = Callable[[int, bytes], Any]


def request_args(generated_kwargs: dict[str, Any], options: ClientOptions) -> dict[str, Any]:
    """httpx ``request()`` arguments for a call built by the generated layer's ``_get_kwargs``.

    The URL is made absolute here, so a caller's own httpx client needs no base_url.
    """
    args = dict(generated_kwargs)
    headers = dict(args.pop("headers", {}) or {})
    headers["Authorization"] = f"Bearer {options.require_key().reveal()}"
    headers.setdefault("Accept", "application/json")
    headers["User-Agent"] = USER_AGENT
    args["headers"] = headers
    args["url"] = options.base_url + args["url"]
    args["timeout"] = options.timeout
    # A redirect would re-send a paid create outside the create-once plan: an API call never follows one.
    args["follow_redirects"] = False
    return args


def answer(response: httpx.Response, parse: Parser) -> Result:
    try:
        return Result(value=parse(response.status_code, response.content))
    except APIError as error:
        return Result(error=error, retry_after=parse_retry_after(response.headers.get("retry-after")))


def failure(exc: httpx.HTTPError | httpx.InvalidURL) -> Result:
    return Result(error=connection_error(exc))


def lookup_result(error: KlingError | None, value: Any = None) -> Result:
    """A lookup that found nothing is an answer (None), not a failure."""
    if isinstance(error, NotFoundError):
        return Result(value=None)
    return Result(value=value, error=error)
