# 产改通: `make run` starts the platform with demo data; `make test` runs every test.
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
DEV := DJANGO_DEBUG=1

.PHONY: run test install lint demo

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(DEV) $(PY) manage.py migrate --noinput
	$(DEV) $(PY) manage.py load_demo
	@echo "产改通已启动：http://127.0.0.1:8000  （按 Ctrl+C 停止）"
	$(DEV) $(PY) manage.py runserver 127.0.0.1:8000

test: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest -q

lint: install
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .
