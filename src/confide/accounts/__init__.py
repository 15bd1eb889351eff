"""confide.accounts."""
