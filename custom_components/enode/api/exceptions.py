"""Exception hierarchy of the Enode client and the mapping from HTTP errors to it."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
import json
import re
from typing import TYPE_CHECKING, Any

from .const import SmartChargingErrorCause

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .actions import Action


class EnodeError(Exception):
    """Base class of every error raised by the Enode client.

    Attributes:
        status: The HTTP status code, when the error came from an HTTP response.
        title: Enode's problem title, when given.
        detail: Enode's problem detail, when given (safe to show to users).
        problem_type: Enode's problem ``type`` URI, when given.
        payload: The decoded JSON body of the error response, when it had one.
    """

    payload: Any = None

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = None,
        title: str | None = None,
        detail: str | None = None,
        problem_type: str | None = None,
    ) -> None:
        """Initialise the error; the message defaults to the title and detail."""
        self.status = status
        self.title = title
        self.detail = detail
        self.problem_type = problem_type
        super().__init__(message or _describe(status, title, detail))


class EnodeAuthenticationError(EnodeError):
    """Client credentials were rejected, or a 401 persisted after a token refresh."""


class EnodeForbiddenError(EnodeError):
    """Enode refused the request (HTTP 403), e.g. the connections limit was reached."""


class EnodeNotFoundError(EnodeError):
    """The entity is unknown to Enode (HTTP 404)."""


class EnodeNotSupportedError(EnodeNotFoundError):
    """The route does not exist in this API version (HTTP 404 or 405 on a known-optional route).

    Raised for the charger smart override (``/chargers/{id}/smart-override``), which
    2024-01-01 had and 2024-10-01 dropped: the feature cannot work for this asset, so do not
    ask again. A subclass of `EnodeNotFoundError` so callers that treat 404 keep working.
    """


class EnodeBadRequestError(EnodeError):
    """Enode rejected the request (HTTP 400); ``detail`` explains why.

    Attributes:
        cause: Set on errors of calls that know their documented 400 causes (smart charging
            policy: `EnodeSmartChargingPolicyError`), else None.
    """

    cause: SmartChargingErrorCause | None = None


class EnodeSmartChargingPolicyError(EnodeBadRequestError):
    """Enode refused a vehicle smart charging policy (HTTP 400).

    ``cause`` says which documented rule failed; its value is a translation key.
    """

    cause: SmartChargingErrorCause

    def __init__(
        self,
        message: str | None = None,
        *,
        cause: SmartChargingErrorCause,
        status: int | None = None,
        title: str | None = None,
        detail: str | None = None,
        problem_type: str | None = None,
    ) -> None:
        """Initialise the error with its cause."""
        super().__init__(
            message, status=status, title=title, detail=detail, problem_type=problem_type
        )
        self.cause = cause

    @classmethod
    def from_bad_request(cls, error: EnodeBadRequestError) -> EnodeSmartChargingPolicyError:
        """Classify a 400 of the policy endpoint."""
        return cls(
            str(error),
            cause=smart_charging_error_cause(error.title, error.detail),
            status=error.status,
            title=error.title,
            detail=error.detail,
            problem_type=error.problem_type,
        )


class EnodeConflictError(EnodeError):
    """The request conflicts with the current state (HTTP 409), e.g. action already resolved."""


class EnodeActionResolvedError(EnodeConflictError):
    """Cancelling an action that already ended (HTTP 409): ``action`` is its final state.

    2024-10-01 answers such a cancel with the final Action as the 409 body, not a problem.
    """

    def __init__(self, action: Action, *, status: int | None = 409) -> None:
        """Initialise the error with the final action."""
        super().__init__(
            f"Action {action.id} already ended ({action.state})",
            status=status,
            title="Action already resolved",
        )
        self.action = action


class EnodeStatisticsPendingError(EnodeError):
    """Enode is still collecting the requested statistics (HTTP 202 with ``retryAfter``).

    The data in ``statistics`` is partial and must not be stored as final; ask again after
    ``retry_at`` (``retry_after`` seconds from when the answer arrived).

    Attributes:
        retry_at: When Enode says to ask again (None when the body lacked ``retryAfter``).
        retry_after: Seconds until ``retry_at`` (0 when it has passed), or None.
        statistics: The partial statistics Enode sent with the 202.
    """

    def __init__(
        self,
        message: str | None = None,
        *,
        retry_at: datetime | None,
        statistics: Any = None,
        now: datetime | None = None,
    ) -> None:
        """Initialise the error with Enode's ``retryAfter`` time."""
        super().__init__(message or "Enode is still collecting these statistics", status=202)
        self.retry_at = retry_at
        self.retry_after = (
            None
            if retry_at is None
            else max(0.0, (retry_at - (now or datetime.now(UTC))).total_seconds())
        )
        self.statistics = statistics


class EnodeControlledEntityError(EnodeError):
    """The asset is controlled by a schedule or smart charging (HTTP 422)."""


class EnodeRateLimitError(EnodeError):
    """Enode rate-limited the client (HTTP 429).

    Attributes:
        retry_after: Seconds to wait before retrying, from ``Retry-After``, if sent.
    """

    def __init__(
        self,
        message: str | None = None,
        *,
        retry_after: float | None = None,
        status: int | None = None,
        title: str | None = None,
        detail: str | None = None,
        problem_type: str | None = None,
    ) -> None:
        """Initialise the error with the delay Enode asked for."""
        super().__init__(
            message, status=status, title=title, detail=detail, problem_type=problem_type
        )
        self.retry_after = retry_after


class EnodeServerError(EnodeError):
    """Enode failed or is unavailable (HTTP 5xx)."""


class EnodeConnectionError(EnodeError):
    """Enode could not be reached (network error)."""


class EnodeTimeoutError(EnodeConnectionError):
    """A request to Enode timed out."""


class EnodeInvalidResponseError(EnodeError):
    """Enode answered with a body that is not JSON or not of the expected shape."""


class EnodeWebhookPayloadError(EnodeError):
    """A webhook delivery body is malformed, too large or not a JSON array of objects."""


# Enode's wording of the policy 400s is not captured (SMART.md 1.1 lists the causes, not the
# texts), so the causes are recognised by keywords of the documented descriptions, in this one
# place; the order matters (the first match wins).
_SMART_CAUSES: tuple[tuple[re.Pattern[str], SmartChargingErrorCause], ...] = (
    (re.compile(r"another user|other user|already (been )?enabled", re.I),
     SmartChargingErrorCause.ENABLED_BY_OTHER_USER),
    (re.compile(r"price area|tariff", re.I), SmartChargingErrorCause.NO_PRICE_AREA_OR_TARIFF),
    (re.compile(r"threshold|vendor minimum|not below|at least \d+", re.I),
     SmartChargingErrorCause.MINIMUM_BELOW_VENDOR_THRESHOLD),
    (re.compile(r"maxChargeLimit\s*<\s*minChargeLimit|above the .*charge limit|exceed", re.I),
     SmartChargingErrorCause.MINIMUM_ABOVE_CHARGE_LIMIT),
    (re.compile(r"deadline.*(required|missing)|(missing|no|without) .*deadline", re.I),
     SmartChargingErrorCause.DEADLINE_MISSING),
    (re.compile(r"deadline", re.I), SmartChargingErrorCause.INVALID_DEADLINE),
    (re.compile(r"scope|capab|control", re.I), SmartChargingErrorCause.NOT_CAPABLE),
)  # fmt: skip


def smart_charging_error_cause(title: str | None, detail: str | None) -> SmartChargingErrorCause:
    """Return the documented cause of a smart charging policy 400 from its title and detail."""
    for text in (detail, title):
        if not text:
            continue
        for pattern, cause in _SMART_CAUSES:
            if pattern.search(text):
                return cause
    return SmartChargingErrorCause.UNKNOWN


_STATUS_ERRORS: dict[int, type[EnodeError]] = {
    400: EnodeBadRequestError,
    401: EnodeAuthenticationError,
    403: EnodeForbiddenError,
    404: EnodeNotFoundError,
    409: EnodeConflictError,
    422: EnodeControlledEntityError,
}


def error_from_response(
    status: int, body: bytes, headers: Mapping[str, str] | None = None
) -> EnodeError:
    """Map an HTTP error status and its (problem+json) body to an exception.

    Args:
        status: The HTTP status code (4xx or 5xx).
        body: The raw response body; it may be empty or not JSON at all.
        headers: The response headers (used for ``Retry-After``).

    Returns:
        The exception to raise. Its message holds Enode's title and detail only.
    """
    error = _error_for(status, body, headers)
    try:
        error.payload = json.loads(body)
    except (ValueError, RecursionError):
        error.payload = None
    return error


def _error_for(status: int, body: bytes, headers: Mapping[str, str] | None) -> EnodeError:
    title, detail, problem_type = _parse_problem(body)
    if status == 429:
        retry_after = parse_retry_after((headers or {}).get("Retry-After"))
        return EnodeRateLimitError(
            retry_after=retry_after,
            status=status,
            title=title,
            detail=detail,
            problem_type=problem_type,
        )
    if status >= 500:
        error_class: type[EnodeError] = EnodeServerError
    else:
        error_class = _STATUS_ERRORS.get(status, EnodeError)
    return error_class(status=status, title=title, detail=detail, problem_type=problem_type)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Parse a ``Retry-After`` header: delay seconds or an HTTP date.

    Returns:
        Non-negative seconds to wait, or None when absent or unparseable.
    """
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _parse_problem(body: bytes) -> tuple[str | None, str | None, str | None]:
    """Return (title, detail, type) of a problem body, tolerating pre-2024-10-01 shapes."""
    try:
        data: Any = json.loads(body)
    except ValueError:
        return None, None, None
    if not isinstance(data, dict):
        return None, None, None
    # Before 2024-10-01 problems repeated type/detail as error/message; accept either.
    title = _text(data.get("title"))
    detail = _text(data.get("detail")) or _text(data.get("message"))
    problem_type = _text(data.get("type")) or _text(data.get("error"))
    return title, detail, problem_type


def _text(value: Any) -> str | None:
    """Return a non-empty string, or None."""
    return value if isinstance(value, str) and value else None


def _describe(status: int | None, title: str | None, detail: str | None) -> str:
    """Build the human message from Enode's own title and detail."""
    text = ": ".join(part for part in (title, detail) if part) or "Enode request failed"
    return f"{text} (HTTP {status})" if status is not None else text
