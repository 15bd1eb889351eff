"""confide.web."""
