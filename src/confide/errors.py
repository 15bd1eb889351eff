"""One error tree for confide.

Every failure the product expects is a :class:`ConfideError` with a stable machine-readable
``code``, a human message that never contains user content, and the HTTP status the web layer
maps it to (``web/errors.py`` is the only place that does). Driver, library and provider errors
are converted at the edge with ``raise ... from exc``.

    ConfideError
    ├── InvalidInput            400/422  bad or oversized input
    │   ├── PayloadTooLarge     413
    │   └── ConfirmationRequired 400     a destructive bulk action sent without confirm=true
    ├── AuthenticationFailed    401      no/invalid session, wrong password
    ├── Forbidden               403
    │   └── AgeRequirementNotMet 403     sign-up below the configured minimum age
    ├── NotFound                404      missing *or* not owned: indistinguishable on purpose
    ├── Conflict                409      e.g. username taken
    ├── RateLimited             429      carries retry_after seconds
    ├── ModelUnavailable        503      provider failed, timed out or is not installed
    ├── ConfigurationError      500*     bad settings, unsafe key file (CLI: exit 2)
    │   └── ModelChecksumMismatch        assembled model file does not match its sha256
    └── DecryptionError         500*     one opaque error for any ciphertext that fails to open
"""

from __future__ import annotations

__all__ = [
    "AgeRequirementNotMet",
    "AuthenticationFailed",
    "ConfideError",
    "ConfigurationError",
    "ConfirmationRequired",
    "Conflict",
    "DecryptionError",
    "Forbidden",
    "InvalidInput",
    "ModelChecksumMismatch",
    "ModelUnavailable",
    "NotFound",
    "PayloadTooLarge",
    "RateLimited",
]


class ConfideError(Exception):
    """Base of every expected failure. ``message`` must never contain user content."""

    code = "error"
    status = 500

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class InvalidInput(ConfideError):
    code = "invalid_input"
    status = 422


class PayloadTooLarge(InvalidInput):
    code = "payload_too_large"
    status = 413


class ConfirmationRequired(InvalidInput):
    code = "confirmation_required"
    status = 400


class AuthenticationFailed(ConfideError):
    code = "unauthenticated"
    status = 401


class Forbidden(ConfideError):
    code = "forbidden"
    status = 403


class AgeRequirementNotMet(Forbidden):
    code = "age_requirement_not_met"


class NotFound(ConfideError):
    code = "not_found"
    status = 404


class Conflict(ConfideError):
    code = "conflict"
    status = 409


class RateLimited(ConfideError):
    code = "rate_limited"
    status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))


class ModelUnavailable(ConfideError):
    code = "model_unavailable"
    status = 503


class ConfigurationError(ConfideError):
    code = "configuration_error"
    status = 500


class ModelChecksumMismatch(ConfigurationError):
    code = "model_checksum_mismatch"


class DecryptionError(ConfideError):
    """Any ciphertext that fails to open. Deliberately says nothing about why."""

    code = "decryption_failed"
    status = 500

    def __init__(self, message: str = "stored data could not be decrypted") -> None:
        super().__init__(message)
