"""confide.web.routes."""
