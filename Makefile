# eventlog: `make run` starts everything, `make test` runs every test. Both install what is
# missing (Debian packages), build, and start a loopback PostgreSQL and ClickHouse under var/.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
BUILD := build/default
ASAN := build/asan
BIN := $(BUILD)/eventlog

.PHONY: all install deps build build-asan env services migrate run stop test test-unit \
        test-integration test-faults test-cluster test-claims-soak lint format bench deb clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@cmake --preset default >/dev/null
	@cmake --build --preset default -j$(JOBS)

build-asan: deps
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j$(JOBS) --target eventlog_unit_tests

# The seed's `make install`: packages and a build.
install: build

# .env from the template, unless you already have one.
env:
	@[ -f .env ] || { cp .env.example .env; echo "created .env from .env.example"; }

# Loopback servers, unless DATABASE_URL / CLICKHOUSE_HOST in the environment point elsewhere.
services: deps
	@if [ -z "$${DATABASE_URL:-}" ]; then scripts/services.sh start-pg; else echo "using DATABASE_URL from the environment"; fi
	@if [ -z "$${CLICKHOUSE_HOST:-}" ]; then scripts/services.sh start-ch; else echo "using CLICKHOUSE_HOST from the environment"; fi

migrate: build env services
	@$(BIN) migrate

run: migrate
	@scripts/run.sh start

stop:
	@scripts/run.sh stop
	@scripts/services.sh stop
	@EVENTLOG_VAR_DIR=$(CURDIR)/var/faults PG_PORT=55433 CH_HTTP_PORT=58124 CH_TCP_PORT=59001 scripts/services.sh stop
	@scripts/cluster.sh stop
	@EVENTLOG_CLUSTER_DIR=$(CURDIR)/var/bench-cluster scripts/cluster.sh stop
	@EVENTLOG_VAR_DIR=$(CURDIR)/var/cluster-suite PG_PORT=55434 scripts/services.sh stop-pg

test: build build-asan
	@scripts/services.sh start
	@echo "== unit tests (ASan + UBSan)"
	@ctest --test-dir $(ASAN) -L unit --output-on-failure -j$(JOBS)
	@echo "== unit, integration and fault tests"
	@ctest --test-dir $(BUILD) --output-on-failure

test-unit: build-asan
	@ctest --test-dir $(ASAN) -L unit --output-on-failure -j$(JOBS)

test-integration: build
	@scripts/services.sh start
	@ctest --test-dir $(BUILD) -L integration --output-on-failure

test-faults: build
	@ctest --test-dir $(BUILD) -L faults --output-on-failure

# The randomized claim interleaving test (issue 15) at length: 25 seeds of 4,000 steps, about
# 25 min on 2 cores (make test runs 3 seeds of 1,500). Set EVENTLOG_CLAIMS_SEED to replay one.
test-claims-soak: build
	@scripts/services.sh start
	@EVENTLOG_CLAIMS_SEEDS=$${EVENTLOG_CLAIMS_SEEDS:-25} EVENTLOG_CLAIMS_STEPS=$${EVENTLOG_CLAIMS_STEPS:-4000} \
	  $(BUILD)/eventlog_integration_tests --gtest_filter='ClaimInterleaving*'

# ZooKeeper + four ClickHouse servers (2 shards x 2 replicas) of its own; part of `make test`.
test-cluster: build
	@ctest --test-dir $(BUILD) -L cluster --output-on-failure

# One run of every scenario of issues 8 and 10 (about 5 min on 2 cores), then the enqueue's cost
# from pgbench and psycopg2 (scripts/bench-enqueue.sh, about 1 min); one bench at a time per machine.
bench: build
	@scripts/services.sh start
	@flock /tmp/eventlog-bench.lock $(BUILD)/eventlog_bench
	@case ",$${EVENTLOG_BENCH_ONLY:-enqueue}," in *,enqueue,*) scripts/bench-enqueue.sh ;; esac

# A Debian package (CPack): the program, eventlog::outbox, the man page, an example
# /etc/eventlog/eventlog.env and the systemd units; left in build/default.
deb: build
	@cd $(BUILD) && cpack -G DEB

lint: build
	@echo "== boundaries"
	@scripts/check-boundaries.sh
	@echo "== clang-format"
	@clang-format --dry-run -Werror $$(git ls-files '*.cc' '*.h')
	@echo "== clang-tidy"
	@run-clang-tidy -p $(BUILD) -j $(JOBS) -quiet $$(git ls-files '*.cc') 2>&1 | \
	  grep -v -E '^[0-9]+ warnings? generated|^Suppressed|^Use -header-filter|^clang-tidy-14 |^$$' ; \
	  test $${PIPESTATUS[0]} -eq 0

format:
	@clang-format -i $$(git ls-files '*.cc' '*.h')

clean:
	rm -rf build
