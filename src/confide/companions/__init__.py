"""confide.companions."""
