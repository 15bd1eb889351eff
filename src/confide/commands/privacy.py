"""(commands registered on confide.cli.app)"""

from __future__ import annotations
