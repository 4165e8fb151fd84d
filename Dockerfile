# One image for the app services of docker-compose.yml (migrate, gateway, runner): the same
# code and entry points that `make local` runs as processes. The functions have images of
# their own (functions/Dockerfile); the gateway and runner invoke them over HTTP, and import
# function code only for the merged OpenAPI document (or to run them in-process when
# FUNCTION_URL_TEMPLATE is unset).
#
# python:3.13-slim on Debian bookworm, whose postgresql-client is 15: the same major version
# as the compose `postgres:15` server, for `python -m shared.backup.restore` (pg_restore).
FROM python:3.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY alembic.ini ./
COPY shared/ shared/
COPY functions/ functions/
COPY infra/ infra/
# Bytecode in the image: the app user cannot write it (and PYTHONDONTWRITEBYTECODE), so
# without it every start compiles the project's modules from source again.
RUN python -m compileall -q --invalidation-mode unchecked-hash shared functions infra

RUN useradd --system --uid 10001 --no-create-home app
USER app

EXPOSE 8000
CMD ["uvicorn", "infra.local.gateway:app", "--host", "0.0.0.0", "--port", "8000"]
