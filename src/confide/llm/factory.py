"""Build the configured provider from settings (called once, by ``create_app`` or the CLI)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from confide.errors import ConfigurationError
from confide.llm.base import Provider
from confide.llm.bundled import BUNDLED_MODELS, assemble
from confide.settings import Settings

__all__ = ["build_provider", "resolve_model_path"]


def resolve_model_path(
    settings: Settings, *, progress: Callable[[int, int], None] | None = None
) -> tuple[Path, str]:
    """The GGUF to load and its title; assembles the bundled model on first use."""
    if settings.model_path is not None:
        if not settings.model_path.is_file():
            raise ConfigurationError(f"CONFIDE_MODEL_PATH {settings.model_path} does not exist")
        return settings.model_path, settings.model_path.name
    bundled = BUNDLED_MODELS[settings.local_model]
    return assemble(bundled, settings.resolved_model_dir, progress=progress), bundled.title


def build_provider(settings: Settings) -> Provider:
    if settings.provider == "local":
        from confide.llm.llamacpp import LlamaCppProvider

        path, title = resolve_model_path(settings)
        return LlamaCppProvider(
            path, n_ctx=settings.n_ctx, n_threads=settings.n_threads, title=title
        )
    if settings.provider == "openai":
        from confide.llm.openai_compat import OpenAICompatProvider

        return OpenAICompatProvider(
            base_url=settings.remote_base_url,
            model=settings.remote_model,
            api_key=settings.remote_api_key_value(),
            context_size=settings.remote_context_size,
            timeout_s=settings.remote_timeout_s,
            max_retries=settings.remote_max_retries,
        )
    from confide.llm.fake import FakeProvider

    return FakeProvider()
