"""Privacy machinery: encryption, keys and (later) audit, consent, retention, export."""
