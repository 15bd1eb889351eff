"""confide.chat."""
