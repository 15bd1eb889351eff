"""Which provider a user's data may go to (promise P7).

Threat handled: personal identifiers reaching a third party. With the local model nothing
leaves the machine and the provider is used as it is. With a remote provider every request for
a user — chat replies, memory extraction, summaries — goes through the PII shield
(``privacy/shield.py``), which replaces identifiers by placeholders before sending and fails
closed, unless that user turned the shield off for this provider: the consent purpose
``remote_unshielded``, off by default, recorded in the ledger like every other purpose.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping

from confide.llm.base import Provider
from confide.privacy.consent import ConsentLedger
from confide.privacy.shield import PiiShield, ShieldedProvider

__all__ = ["UNSHIELDED_PURPOSE", "OutboundPolicy"]

UNSHIELDED_PURPOSE = "remote_unshielded"


class OutboundPolicy:
    """``shield`` is built on first use (loading Presidio's recognizers takes seconds, which a
    CLI command that never needs them should not pay); ``confide serve`` warms it at start."""

    def __init__(
        self,
        provider: Provider,
        consents: ConsentLedger,
        shield: Callable[[], PiiShield] = PiiShield,
    ) -> None:
        self._provider = provider
        self._consents = consents
        self._make_shield = shield
        self._shield: PiiShield | None = None
        self._lock = threading.Lock()

    @property
    def shield(self) -> PiiShield:
        with self._lock:
            if self._shield is None:
                self._shield = self._make_shield()
            return self._shield

    def shielded_for(self, user_id: str) -> bool:
        """True when this user's requests are shielded (a remote provider, shield not waived)."""
        return self._provider.is_remote and not self._consents.granted(user_id, UNSHIELDED_PURPOSE)

    def for_user(self, user_id: str, known: Mapping[str, str] | None = None) -> Provider:
        """The provider to call for ``user_id``. ``known`` maps literal values the shield
        must replace too (the user's name in the persona) to their kind."""
        if not self.shielded_for(user_id):
            return self._provider
        return ShieldedProvider(self._provider, self.shield, known)
