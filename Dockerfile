# One image for the API, the Celery worker and Celery beat; docker-compose.yml picks the
# command of each. Neo4j and Redis come from their official images, not from here.

# The console's graph library, from the npm registry at build time (as `make console` does):
# the image serves it itself, so the page fetches nothing from another host.
FROM node:22-slim AS console
WORKDIR /console
COPY api/console/package.json api/console/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11-slim

# graph/queries.py reads cypher/ next to the graph package (CYPHER_DIR), and cypher/ is not
# part of the installed distribution: the code must be imported from /app, not from
# site-packages. PYTHONPATH puts /app ahead of site-packages for every process (uvicorn,
# celery, the `tiergraph` command), whatever its working directory.
# TIERGRAPH_ENV=production: a container refuses to start on the development secrets of
# graph/settings.py (set TIERGRAPH_ENV=development to try the image on them).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    TIERGRAPH_DATA_DIR=/var/lib/tiergraph \
    TIERGRAPH_ENV=production \
    TIERGRAPH_API_HOST=127.0.0.1 \
    TIERGRAPH_API_PORT=8000

WORKDIR /app

# The pinned dependencies first, in their own layer: it is rebuilt only when pyproject.toml
# changes, not at every code change.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# Then the project itself (its dependencies are already satisfied); this also installs the
# `tiergraph` command. The build leftovers are removed.
COPY . .
COPY --from=console /console/node_modules/cytoscape/dist/cytoscape.min.js \
     api/console/static/vendor/cytoscape.min.js
RUN pip install . \
    && rm -rf build ./*.egg-info

# A non-root user; /var/lib/tiergraph (TIERGRAPH_DATA_DIR) is its only writable place, and
# /var/lib/tiergraph/beat is where Celery beat keeps its schedule, /var/lib/tiergraph/metrics
# where the API's and the worker's processes keep their metrics (named volumes in compose).
RUN groupadd --system --gid 10001 tiergraph \
    && useradd --system --uid 10001 --gid tiergraph --home-dir /var/lib/tiergraph \
        --no-create-home --shell /usr/sbin/nologin tiergraph \
    && mkdir -p /var/lib/tiergraph/beat /var/lib/tiergraph/metrics \
    && chown -R tiergraph:tiergraph /var/lib/tiergraph
USER 10001:10001

EXPOSE 8000
# The API by default, on TIERGRAPH_API_HOST:TIERGRAPH_API_PORT: 127.0.0.1 unless the one who
# runs the image says otherwise (docker-compose.yml sets 0.0.0.0 for the API alone, whose
# port it publishes on the host's 127.0.0.1). TIERGRAPH_API_WORKERS processes, one per CPU
# when unset or 0, as `tiergraph up` runs them. docker-compose.yml sets the worker's and
# beat's commands.
CMD ["sh", "-c", "w=${TIERGRAPH_API_WORKERS:-0}; [ \"$w\" -gt 0 ] || w=$(nproc); exec uvicorn api.main:app --host \"$TIERGRAPH_API_HOST\" --port \"$TIERGRAPH_API_PORT\" --workers \"$w\" --no-access-log"]
