"""Every error the client raises, rooted at ``KlingError``.

API errors are chosen by Kling's business code first (it is precise: a 429 can mean "slow down"
or "your account is in arrears") and by the HTTP status only when there is no envelope, as when a
proxy answers with an HTML page. Nothing here ever holds the API key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from kling_video.task import Task

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AccountError",
    "AuthenticationError",
    "ConcurrencyLimitError",
    "ConfigurationError",
    "ContentPolicyError",
    "DestinationExistsError",
    "DownloadError",
    "InvalidRequestError",
    "KlingError",
    "MissingAPIKeyError",
    "NotFoundError",
    "PermissionDeniedError",
    "Problem",
    "RateLimitError",
    "ServerError",
    "TaskFailedError",
    "ValidationError",
    "WaitTimeoutError",
    "error_for",
]


class KlingError(Exception):
    """The root of everything this package raises on purpose.

    ``external_task_id`` is set on an error that ends a create: the id the task would carry if
    the server made it after all, so the caller can look it up (``get(external_task_id=...)``)
    or create again with the same id, which the server's uniqueness check then guards.
    """

    external_task_id: str | None = None


@dataclass(frozen=True)
class Problem:
    """One broken rule: which field, which rule, and a sentence a person can act on."""

    field: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class ConfigurationError(KlingError, ValueError):
    """The client is set up wrongly (no key, a plain-http URL to a remote host); nothing was sent."""


class MissingAPIKeyError(ConfigurationError):
    """No key was given or found in the environment; raised by the first call that needs one."""


class ValidationError(KlingError, ValueError):
    """The request breaks a rule of the API; nothing was sent. ``problems`` lists every one."""

    def __init__(self, problems: list[Problem]) -> None:
        if not problems:
            raise ValueError("ValidationError needs at least one problem")
        self.problems = list(problems)
        if len(problems) == 1:
            text = f"invalid request: {problems[0]}"
        else:
            text = "invalid request:\n" + "\n".join(f"  - {p}" for p in problems)
        super().__init__(text)

    @property
    def fields(self) -> list[str]:
        return [p.field for p in self.problems]


class APIError(KlingError):
    """The server answered with an error. ``body`` holds the raw text when it was not the envelope."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        code: int | None = None,
        request_id: str | None = None,
        body: str | None = None,
    ) -> None:
        self.message = message
        self.status_code = status_code
        self.code = code
        self.request_id = request_id
        self.body = body
        parts = [f"HTTP {status_code}" if status_code is not None else None]
        if code is not None:
            parts.append(f"code {code}")
        prefix = ", ".join(p for p in parts if p)
        suffix = f" (request_id {request_id})" if request_id else ""
        super().__init__(f"{prefix}: {message}{suffix}" if prefix else f"{message}{suffix}")


class AuthenticationError(APIError):
    """Codes 1000-1004: the key is missing, wrong, not yet valid or expired."""


class AccountError(APIError):
    """Codes 1100-1102: the account is suspended, in arrears, or out of resource packs. Not retried."""


class PermissionDeniedError(APIError):
    """Codes 1103 and 1304: no access to this API or model, or the IP is not on the allow-list."""


class InvalidRequestError(APIError):
    """Codes 1200-1203: the server rejected the request itself."""


class NotFoundError(InvalidRequestError):
    """Code 1203 or HTTP 404: no such task (or, for list, a gateway that does not route it)."""


class ContentPolicyError(APIError):
    """Codes 1300-1301: the platform's or content-safety policy refused the prompt."""


class RateLimitError(APIError):
    """Code 1302: requests too fast. Retried with backoff."""


class ConcurrencyLimitError(APIError):
    """Code 1303: the account already runs as many tasks as it may. Retried with backoff."""


class ServerError(APIError):
    """Codes 5000-5002 and bare 5xx: the server or a proxy failed."""


class APIConnectionError(KlingError):
    """No answer came back. ``request_sent`` is False only when the request surely never left."""

    def __init__(self, message: str, *, request_sent: bool = True, retryable: bool = True) -> None:
        self.request_sent = request_sent
        self.retryable = retryable
        super().__init__(message)


class APITimeoutError(APIConnectionError):
    """No answer within the timeout."""


class TaskFailedError(KlingError):
    """The task ended in ``failed``; ``task`` holds it, with the server's reason."""

    def __init__(self, task: Task) -> None:
        self.task = task
        reason = task.status_message or "no reason given"
        super().__init__(f"task {task.task_id} failed: {reason}")


class WaitTimeoutError(KlingError):
    """The wait's deadline passed; the task goes on, and ``task_id`` lets you wait again later."""

    def __init__(self, task_id: str, timeout: float, task: Task | None = None) -> None:
        self.task_id = task_id
        self.timeout = timeout
        self.task = task
        status = f" (last status: {task.status.value})" if task is not None else ""
        super().__init__(f"task {task_id} did not finish within {timeout:g} s{status}")


class DownloadError(KlingError):
    """A result file could not be downloaded completely; nothing was left at the destination."""


class DestinationExistsError(DownloadError, FileExistsError):
    """The target file exists and overwriting was not asked for; nothing was downloaded."""

    def __init__(self, paths: list[Path]) -> None:
        self.paths = list(paths)
        super().__init__(f"will not overwrite {', '.join(str(p) for p in self.paths)}: it exists")


_BY_CODE: tuple[tuple[range, type[APIError]], ...] = (
    (range(1000, 1005), AuthenticationError),
    (range(1100, 1103), AccountError),
    (range(1103, 1104), PermissionDeniedError),
    (range(1200, 1203), InvalidRequestError),
    (range(1203, 1204), NotFoundError),
    (range(1300, 1302), ContentPolicyError),
    (range(1302, 1303), RateLimitError),
    (range(1303, 1304), ConcurrencyLimitError),
    (range(1304, 1305), PermissionDeniedError),
    (range(5000, 5003), ServerError),
)

_BY_STATUS: dict[int, type[APIError]] = {
    400: InvalidRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    422: InvalidRequestError,
    429: RateLimitError,
}


def error_class_for(status_code: int | None, code: int | None) -> type[APIError]:
    """The most specific class: by business code, else by HTTP status, else APIError."""
    if code is not None:
        for codes, cls in _BY_CODE:
            if code in codes:
                return cls
    if status_code is not None:
        if status_code >= 500:
            return ServerError
        if status_code in _BY_STATUS:
            return _BY_STATUS[status_code]
    return APIError


def error_for(
    *,
    status_code: int | None,
    code: int | None,
    message: str,
    request_id: str | None = None,
    body: str | None = None,
) -> APIError:
    cls = error_class_for(status_code, code)
    return cls(message, status_code=status_code, code=code, request_id=request_id, body=body)
