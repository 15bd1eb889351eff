"""confide.llm."""
