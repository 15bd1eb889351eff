"""confide.storage."""
