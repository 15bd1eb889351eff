"""Command groups of the ``confide`` CLI beyond the core ones in ``confide.cli``.

Each module registers its commands on ``confide.cli.app`` when imported; ``confide.cli`` imports
them all at its end.
"""
