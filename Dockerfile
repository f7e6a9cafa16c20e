# One image for every Veille service; docker-compose.yml picks the subcommand.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VEILLE_DATA_DIR=/var/lib/veille

WORKDIR /app
# Only what the package needs; .dockerignore keeps .venv, .git and data out of the context.
COPY pyproject.toml README.md ./
COPY broker/ broker/
COPY devices/ devices/
COPY ingest/ ingest/
COPY storage/ storage/
COPY analytics/ analytics/
COPY alerts/ alerts/
COPY api/ api/
COPY simulators/ simulators/
COPY veille/ veille/
RUN pip install . \
    && useradd --system --home-dir /var/lib/veille --create-home veille

USER veille
ENTRYPOINT ["veille"]
CMD ["--help"]
