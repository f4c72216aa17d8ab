# tiergraph: `make demo` on a fresh machine installs what is missing, starts the stack and
# loads a demo mall; `make test` runs the tests against real Neo4j, Redis and a worker.
VENV ?= .venv
PY := $(VENV)/bin/python
TG := $(VENV)/bin/tiergraph
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT := DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get

.PHONY: deps system-deps python-deps console demo up down status test lint bench clean

deps: system-deps python-deps console

system-deps:
	@missing=""; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	command -v java >/dev/null || missing="$$missing openjdk-17-jre-headless"; \
	command -v mvn >/dev/null || missing="$$missing maven"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	command -v chromium >/dev/null || missing="$$missing chromium chromium-driver fonts-wqy-microhei"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(APT) update -qq && $(APT) install -y -qq $$missing >/dev/null; \
	fi

python-deps: $(VENV)/.installed

# A working venv is kept whatever Python made it (re-running `venv` over one made by another
# interpreter breaks it); a missing or broken one is made afresh.
$(VENV)/.installed: pyproject.toml
	@$(PY) -c 'import ssl, socket' 2>/dev/null || python3 -m venv --clear $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	touch $@

# The web console's graph library (api/console/package-lock.json), from the npm registry at
# build time into the folder tiergraph serves at /console/static/; not committed.
CONSOLE := api/console
CONSOLE_LIB := $(CONSOLE)/static/vendor/cytoscape.min.js

console: $(CONSOLE_LIB)

$(CONSOLE_LIB): $(CONSOLE)/package.json $(CONSOLE)/package-lock.json
	cd $(CONSOLE) && npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(@D)
	cp $(CONSOLE)/node_modules/cytoscape/dist/cytoscape.min.js $@

demo: deps
	$(TG) up --demo

up: deps
	$(TG) up

down:
	@[ -x $(TG) ] && $(TG) down || true

status: python-deps
	$(TG) status

test: deps
	$(PY) -m pytest

bench: deps
	@command -v pg_ctlcluster >/dev/null || command -v /usr/lib/postgresql/*/bin/initdb >/dev/null || \
	  ($(APT) update -qq && $(APT) install -y -qq postgresql >/dev/null)
	$(TG) bench

lint: python-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

clean: down
	rm -rf .tiergraph
