# Pangolin: one Kore binary plus its store and cache plugins.
#
#   make            build ./pangolin and plugins/*.so (release flavor)
#   make run        install what is missing, build, start on the embedded
#                   default (SQLite store, local-disk warehouse, no-auth)
#   make test       install what is missing, build with ASan/UBSan, run
#                   every test (unit, fuzz smoke, integration; the package
#                   test on the release build, which ships);
#                   FILE=x STORE=y: only integration file x on store y;
#                   FILE=store/x: family x of the store suite (tests/unit/store)
#   make unit       the C unit tests alone, with the store suite on every
#                   store
#   make bench      build release and print the benchmark tables
#   make install    PREFIX=/usr/local SYSCONFDIR=/etc DESTDIR=: binary,
#                   plugins, /etc/pangolin/{pangolin.toml,pangolin.env},
#                   pangolin.service with its sysusers.d/tmpfiles.d files,
#                   bash completion of `pangolin admin`
#   make deb        build/pangolin_<version>_<arch>.deb (README "Install
#                   on a VM")
#
# Kore is compiled in from the Debian package's source (/usr/share/kore),
# with the small patch in src/kore/ applied, as a single binary: kore.conf
# and assets/ are embedded.  Flags come from build.conf.

FLAVOR		?= release
PREFIX		?= /usr/local
SYSCONFDIR	?= /etc
BINDIR		?= $(PREFIX)/bin
PLUGINDIR	?= $(PREFIX)/lib/pangolin/plugins
UNITDIR		?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR	?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR	?= $(PREFIX)/lib/tmpfiles.d
DOCDIR		?= $(PREFIX)/share/doc/pangolin
COMPLETIONDIR	?= $(PREFIX)/share/bash-completion/completions
# The unit's StateDirectory=pangolin: always /var/lib/pangolin.
STATEDIR	:= /var/lib/pangolin
DEB		?= build/pangolin_$(VERSION)_$(shell dpkg --print-architecture 2>/dev/null || echo amd64).deb
KORE_SRC	?= /usr/share/kore
CC		?= cc
CLANG		?= clang
# The targets below that build for you (test, run, bench) compile this
# many files at a time.
JOBS		?= $(shell nproc 2>/dev/null || echo 2)

OUT		:= build/$(FLAVOR)
VERSION		:= $(shell cat VERSION 2>/dev/null || echo 0.0.0)
KORE_OUT	:= $(OUT)/kore

# cflags/ldflags from build.conf: the top-level lines plus the flavor's.
conf = $(shell awk -v flavor=$(FLAVOR) -v key=$(1) ' \
	/^[ \t]*\#/ { next } \
	/^[A-Za-z_]+[ \t]*\{/ { sec = $$1; next } \
	/^[ \t]*\}/ { sec = ""; next } \
	$$0 ~ "^[ \t]*" key "[ \t]*=" { \
		if (sec == "" || sec == flavor) { \
			sub("^[ \t]*" key "[ \t]*=[ \t]*", ""); printf "%s ", $$0 } }' \
	build.conf)

BASE_CFLAGS	:= $(call conf,cflags)
BASE_LDFLAGS	:= $(call conf,ldflags) $(shell pkg-config --libs avro-c)

PGL_CFLAGS	:= $(BASE_CFLAGS) -Iinclude -Isrc -I$(KORE_OUT)/include/kore \
		   -DKORE_SINGLE_BINARY -DPGL_VERSION='"$(VERSION)"'
PLUGIN_CFLAGS	:= $(BASE_CFLAGS) -Iinclude -fPIC -fvisibility=hidden

# Kore's own code is built with Kore's flags, warnings not ours to fix.
KORE_CFLAGS	:= $(filter -O% -g -g% -fsanitize% -fno-sanitize% \
		     -fno-omit-frame-pointer,$(BASE_CFLAGS)) \
		   -std=c99 -D_GNU_SOURCE=1 -D_FILE_OFFSET_BITS=64 \
		   -DKORE_SINGLE_BINARY -DPREFIX='"$(PREFIX)"' \
		   -I$(KORE_OUT)/include/kore -I$(KORE_OUT)/obj -w
KORE_NAMES	:= kore buf config connection domain filemap fileref json mem \
		   msg module net pool runtime timer utils worker keymgr \
		   auth accesslog http validator websocket linux seccomp
KORE_OBJS	:= $(KORE_NAMES:%=$(KORE_OUT)/obj/%.o) $(KORE_OUT)/obj/version.o

# Code that needs Kore at link time; everything else in src/ is pure logic
# and is linked into the unit tests as well.
KORE_DEPENDENT	:= src/main.c src/app/app.c src/service.c src/kore_log.c \
		   $(wildcard src/http/kore_*.c src/api/*.c src/api/*/*.c)
CORE_SRCS	:= $(filter-out $(KORE_DEPENDENT),$(shell find src -name "*.c" -not -path "src/tools/*"))
CORE_OBJS	:= $(CORE_SRCS:%.c=$(OUT)/%.o)
APP_OBJS	:= $(KORE_DEPENDENT:%.c=$(OUT)/%.o) $(OUT)/gen/assets.o
HEADERS		:= $(shell find include src -name '*.h')

# Plugins: plugins/<name>/*.c -> <out>/plugins/<name>.so.  The memory
# store is the SQLite engine on a private :memory: database.  The entity
# SQL of the two SQL stores is plugins/sql-common, compiled into each with
# its dialect (sql_dialect.h); each links only its own client library.
SQL_SRCS	:= $(wildcard plugins/sql-common/*.c)
SQL_DEPS	:= $(wildcard plugins/sql-common/*.h) $(HEADERS)
SQLITE_SRCS	:= $(wildcard plugins/store-sqlite/*.c) $(SQL_SRCS)
SQLITE_CFLAGS	:= -Iplugins/sql-common -DSQL_DIALECT_SQLITE
CACHE_SRCS	:= $(wildcard plugins/cache/*.c)
PG_SRCS		:= $(wildcard plugins/store-postgres/*.c) $(SQL_SRCS)
PG_CFLAGS	 = -Iplugins/sql-common -DSQL_DIALECT_POSTGRES \
		   -I$(shell pg_config --includedir)
MONGO_SRCS	:= $(wildcard plugins/store-mongo/*.c)
PLUGINS		:= $(OUT)/plugins/store-sqlite.so $(OUT)/plugins/store-memory.so \
		   $(OUT)/plugins/cache.so $(OUT)/plugins/cache-redis.so \
		   $(OUT)/plugins/store-postgres.so \
		   $(OUT)/plugins/store-mongo.so

UNIT_TESTS	:= $(patsubst tests/unit/%.c,$(OUT)/tests/%,\
		     $(wildcard tests/unit/test_*.c))
# The bench's C programs, linked with the pure core like the unit tests;
# `make test` builds them too, so a bench cannot stop compiling unseen.
BENCH_PROGS	:= $(patsubst tests/bench/%.c,$(OUT)/bench/%,\
		     $(wildcard tests/bench/*.c))
BROKEN_PLUGINS	:= $(patsubst tests/plugins/%.c,$(OUT)/tests/plugins/%.so,\
		     $(wildcard tests/plugins/*.c))

.PHONY: all build run test bench deps deps-test install deb clean unit \
	fuzz integration it-times build-unit build-it

all: build
	@ln -sf $(OUT)/pangolin pangolin
	@mkdir -p plugins && for p in $(PLUGINS); do \
		ln -sf ../$$p plugins/$$(basename $$p); done

build: $(OUT)/pangolin $(PLUGINS)

# --- Kore, patched, from the Debian package's source ---------------------

$(KORE_OUT)/.patched: src/kore/0001-pangolin.patch
	@test -d $(KORE_SRC)/src || { echo "missing $(KORE_SRC): apt-get install kore (or make deps)"; exit 1; }
	rm -rf $(KORE_OUT) && mkdir -p $(KORE_OUT)/obj
	cp -R $(KORE_SRC)/src $(KORE_SRC)/include $(KORE_SRC)/misc $(KORE_OUT)/
	patch -s -d $(KORE_OUT) -p1 < src/kore/0001-pangolin.patch
	sh $(KORE_OUT)/misc/linux-platform.sh > $(KORE_OUT)/obj/platform.h
	printf 'const char *kore_version = "%s";\n' "$$(cat $(KORE_SRC)/RELEASE)" \
		> $(KORE_OUT)/obj/version.c
	touch $@

$(KORE_OUT)/obj/%.o: $(KORE_OUT)/.patched
	$(CC) $(KORE_CFLAGS) -c $(KORE_OUT)/src/$*.c -o $@

$(KORE_OUT)/obj/version.o: $(KORE_OUT)/.patched
	$(CC) $(KORE_CFLAGS) -c $(KORE_OUT)/obj/version.c -o $@

# --- the appliance ---------------------------------------------------------

$(OUT)/tools/bin2c: src/tools/bin2c.c
	@mkdir -p $(dir $@)
	$(CC) -O1 -o $@ $<

# The admin page (assets/*.*, and uPlot for its charts) and the API's
# page (assets/api-docs/: its own files and Swagger UI's from the
# swagger-ui-dist npm package; `make deps` installs both packages from
# the lock file there), and the OpenAPI document
# served at /openapi.json: docs/openapi/management.yaml and, beside it, the
# Iceberg REST catalog's own document, merged (src/tools/openapi_json.mjs).
DOCS_DIR	:= assets/api-docs
SWAGGER		:= $(DOCS_DIR)/node_modules/swagger-ui-dist
# The console's charts: uPlot from the same npm packages (the lock file
# there), served under /ui/ beside the console's own files.
UPLOT		:= $(DOCS_DIR)/node_modules/uplot/dist
UI_FILES	:= $(wildcard assets/*.*) $(UPLOT)/uPlot.iife.min.js $(UPLOT)/uPlot.min.css
DOCS_FILES	:= $(DOCS_DIR)/index.html $(DOCS_DIR)/docs.js $(DOCS_DIR)/docs.css \
		   $(SWAGGER)/swagger-ui-bundle.js $(SWAGGER)/swagger-ui.css \
		   $(OUT)/gen/swagger-ui-bundle.js.gz $(OUT)/gen/swagger-ui.css.gz
sym		= $(subst -,_,$(subst .,_,$(notdir $(1))))

$(SWAGGER)/swagger-ui-bundle.js $(SWAGGER)/swagger-ui.css \
		$(UPLOT)/uPlot.iife.min.js $(UPLOT)/uPlot.min.css:
	@echo "missing $@: the pages' npm packages (make deps)"; exit 1

# The viewer's two large files also gzip'd (1.4 MiB of script is 0.4),
# sent as they are to a client that accepts gzip.
$(OUT)/gen/%.gz: $(SWAGGER)/%
	@mkdir -p $(dir $@)
	gzip -9 -n -c $< > $@

OPENAPI_SRC	:= docs/openapi/management.yaml \
		   docs/openapi/iceberg-rest-catalog-open-api.yaml

$(OUT)/gen/openapi.json: $(OPENAPI_SRC) src/tools/openapi_json.mjs \
		$(DOCS_DIR)/package-lock.json
	@mkdir -p $(dir $@)
	node src/tools/openapi_json.mjs $(OPENAPI_SRC) $@

# kore.conf and the pages compiled in: Kore reads asset_builtin_kore_conf.
$(OUT)/gen/assets.c: kore.conf $(UI_FILES) $(DOCS_FILES) $(OUT)/gen/openapi.json \
		$(OUT)/tools/bin2c
	@mkdir -p $(dir $@)
	$(OUT)/tools/bin2c $@ builtin_kore_conf=kore.conf \
		$(foreach f,$(UI_FILES),ui:$(call sym,$f)=$f) \
		$(foreach f,$(DOCS_FILES),docs:docs_$(call sym,$f)=$f) \
		openapi_json=$(OUT)/gen/openapi.json

$(OUT)/gen/assets.o: $(OUT)/gen/assets.c
	$(CC) -Isrc -c $< -o $@

$(OUT)/%.o: %.c $(HEADERS) $(KORE_OUT)/.patched
	@mkdir -p $(dir $@)
	$(CC) $(PGL_CFLAGS) -c $< -o $@

# A route whose rule is missing or does not hold together fails the build
# (routes.c; the binary checks its own table).
$(OUT)/pangolin: $(KORE_OBJS) $(CORE_OBJS) $(APP_OBJS)
	$(CC) $^ $(BASE_LDFLAGS) -o $@
	@ASAN_OPTIONS=detect_leaks=0 $@ --list-rules > /dev/null || \
		{ rm -f $@; echo "$@: a route's rule is missing (src/api/routes.c)"; exit 1; }

# --- plugins -----------------------------------------------------------------

# The SQLite and memory stores share their objects but for the files
# that name the store (STORE_NAME of sqlite_store.h, or PGL_STORE_MEMORY
# itself), which the memory store compiles again with -DPGL_STORE_MEMORY:
# one compile of the engine's 40-odd files where there were two, per
# file so make runs them side by side and a change recompiles only its
# own.
SQLITE_NAMED	:= $(shell grep -lE 'STORE_NAME|PGL_STORE_MEMORY' \
		     plugins/store-sqlite/*.c)
SQLITE_OBJS	:= $(SQLITE_SRCS:%.c=$(OUT)/obj-sqlite/%.o)
MEMORY_OBJS	:= $(filter-out $(SQLITE_NAMED:%.c=$(OUT)/obj-sqlite/%.o),\
		     $(SQLITE_OBJS)) $(SQLITE_NAMED:%.c=$(OUT)/obj-memory/%.o)
SQLITE_HDRS	:= $(SQL_DEPS) $(wildcard plugins/store-sqlite/*.h)

$(OUT)/obj-sqlite/%.o: %.c $(SQLITE_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(PLUGIN_CFLAGS) $(SQLITE_CFLAGS) -c $< -o $@

$(OUT)/obj-memory/%.o: %.c $(SQLITE_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(PLUGIN_CFLAGS) $(SQLITE_CFLAGS) -DPGL_STORE_MEMORY -c $< -o $@

$(OUT)/plugins/store-sqlite.so: $(SQLITE_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(PLUGIN_CFLAGS) -shared $(SQLITE_OBJS) -lsqlite3 -o $@

$(OUT)/plugins/store-memory.so: $(MEMORY_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(PLUGIN_CFLAGS) -shared $(MEMORY_OBJS) -lsqlite3 -o $@

$(OUT)/plugins/store-postgres.so: $(PG_SRCS) $(SQL_DEPS) $(wildcard plugins/store-postgres/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(PLUGIN_CFLAGS) $(PG_CFLAGS) -shared $(PG_SRCS) \
		-L$(shell pg_config --libdir) -lpq -o $@

$(OUT)/plugins/store-mongo.so: $(MONGO_SRCS) $(HEADERS) $(wildcard plugins/store-mongo/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(PLUGIN_CFLAGS) $(shell pkg-config --cflags libmongoc-1.0) \
		-shared $(MONGO_SRCS) $(shell pkg-config --libs libmongoc-1.0) -o $@

$(OUT)/plugins/cache.so: $(CACHE_SRCS) $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(PLUGIN_CFLAGS) -shared $(CACHE_SRCS) -o $@

$(OUT)/plugins/cache-redis.so: $(wildcard plugins/cache-redis/*.c) $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(PLUGIN_CFLAGS) -shared $(wildcard plugins/cache-redis/*.c) \
		-lhiredis -o $@

# Deliberately broken plugins for the loader's refusal tests.
$(OUT)/tests/plugins/%.so: tests/plugins/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(PLUGIN_CFLAGS) -shared $< -o $@

# --- tests -----------------------------------------------------------------

# The pure core as an archive, so the linker takes from it only what a
# test or bench program uses (with every object linked into each, the
# unit tests took 215 MB; now 18 MB).
CORE_LIB	:= $(OUT)/libpgl-core.a
$(CORE_LIB): $(CORE_OBJS)
	@rm -f $@
	$(AR) rcs $@ $(CORE_OBJS)

# Each tests/unit/test_X.c is one cmocka binary linked with the pure core.
$(OUT)/tests/test_%: tests/unit/test_%.c $(CORE_LIB) $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(PGL_CFLAGS) -Itests/unit $< $(EXTRA_SRCS) $(CORE_LIB) \
		$(BASE_LDFLAGS) -lcmocka -o $@

# The store conformance suite: test_store.c runs the families of
# tests/unit/store/, one object each, on the harness they share.
STORE_SUITE	:= $(patsubst tests/unit/store/%.c,$(OUT)/tests/store/%.o,\
		     $(wildcard tests/unit/store/*.c))
$(OUT)/tests/store/%.o: tests/unit/store/%.c $(wildcard tests/unit/store/*.h) \
    tests/unit/store_util.h $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(PGL_CFLAGS) -Itests/unit -c $< -o $@
$(OUT)/tests/test_store: EXTRA_SRCS = $(STORE_SUITE)
$(OUT)/tests/test_store: $(STORE_SUITE)

# The migration and PostgreSQL tests link their harnesses (a folder each
# beside them: tests/unit/store_migrate/, tests/unit/store_pg/).
$(OUT)/tests/test_store_migrate: EXTRA_SRCS = $(wildcard tests/unit/store_migrate/*.c)
$(OUT)/tests/test_store_migrate: $(wildcard tests/unit/store_migrate/*.[ch])
$(OUT)/tests/test_store_pg: EXTRA_SRCS = $(wildcard tests/unit/store_pg/*.c)
$(OUT)/tests/test_store_pg: $(wildcard tests/unit/store_pg/*.[ch])

# The merge partition test links the one api file it tests (api/ is not
# in the pure core).
$(OUT)/tests/test_merge_parts: EXTRA_SRCS = src/api/branching/merge_parts.c
$(OUT)/tests/test_merge_parts: src/api/branching/merge_parts.c
$(OUT)/tests/test_tree_cache: EXTRA_SRCS = src/api/cache/tree_cache.c
$(OUT)/tests/test_tree_cache: src/api/cache/tree_cache.c
# The SQL stores' kept rows (issue 69): the one shared file, on its own.
$(OUT)/tests/test_sql_asset_rows: EXTRA_SRCS = -Iplugins/sql-common \
    plugins/sql-common/sql_asset_rows.c
$(OUT)/tests/test_sql_asset_rows: plugins/sql-common/sql_asset_rows.c \
    plugins/sql-common/sql_asset_rows.h

# The cache unit test links the plugin's sources directly.
$(OUT)/tests/test_cache: EXTRA_SRCS = $(CACHE_SRCS)
$(OUT)/tests/test_cache: $(CACHE_SRCS)
$(OUT)/tests/test_cache_redis: EXTRA_SRCS = $(wildcard plugins/cache-redis/*.c) -lhiredis
$(OUT)/tests/test_cache_redis: $(wildcard plugins/cache-redis/*.c)

# The search bench seeds PostgreSQL itself (its COPY), so it links libpq.
$(OUT)/bench/search_bench: BENCH_EXTRA = $(shell pkg-config --cflags --libs libpq)

$(OUT)/bench/%: tests/bench/%.c $(CORE_LIB) $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(PGL_CFLAGS) -pthread $< $(CORE_LIB) $(BASE_LDFLAGS) $(BENCH_EXTRA) -o $@

deps:
	@sh tests/deps.sh build

deps-test:
	@sh tests/deps.sh test

# The integration jobs are started longest first, by the seconds each
# took in a measured run (tests/integration/times.txt); each run writes
# its own figures to build/test/times.txt, and names in its summary the
# long jobs the list has wrong.  After a full `make test`, this keeps them.
it-times:
	cp build/test/times.txt tests/integration/times.txt

unit:
	@$(MAKE) --no-print-directory -j$(JOBS) FLAVOR=test build-unit
	@sh tests/run-unit.sh build/test

build-unit: build $(UNIT_TESTS) $(BROKEN_PLUGINS) $(BENCH_PROGS)
build-it: build $(BROKEN_PLUGINS)

# `make fuzz`: the smoke run of make test (a fixed number of inputs);
# `make fuzz FUZZ_SECONDS=600`: each target that long.
fuzz:
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS)

integration:
	@$(MAKE) --no-print-directory FLAVOR=test build-unit
	@sh tests/run-integration.sh build/test

# `make test FILE=x STORE=y`: only integration file(s) x (tests/integration/
# x.test.js; several separated by spaces) on pass(es) y (memory sqlite
# postgres mongo oauth s3 sts); either may be left out (tests/README.md).
# FILE=store/f runs family f of the store conformance suite
# (tests/unit/store/f.c; FILE=store, all of them) on the stores y names.
STORE_FAMILIES	:= $(patsubst store/%,%,$(filter store/%,$(FILE))) \
		   $(if $(filter store,$(FILE)),all)
IT_FILES	:= $(filter-out store store/%,$(FILE))
# The whole run builds only what the integration suites start (the test
# build, its plugins and the broken ones config.test.js loads) before its
# parts begin: the unit tests and the bench programs are built by the
# unit part, the release build by the package part (make deb), each in
# the background beside the integration suites, whose jobs leave a core
# idle part of the time (tests/run-all.sh).
test: deps-test
ifeq ($(strip $(FILE)$(STORE)),)
	@$(MAKE) --no-print-directory -j$(JOBS) FLAVOR=test build-it
	@sh tests/run-all.sh build/test build/release
else
	@$(MAKE) --no-print-directory -j$(JOBS) FLAVOR=test build build-unit
ifneq ($(strip $(STORE_FAMILIES)),)
	@PGL_STORE_FAMILIES="$(strip $(STORE_FAMILIES))" PGL_STORE_PASSES="$(STORE)" \
		sh tests/run-unit.sh build/test
endif
ifneq ($(strip $(IT_FILES)$(if $(strip $(STORE_FAMILIES)),,$(STORE))),)
	@PGL_IT_FILES="$(IT_FILES)" PGL_IT_PASSES="$(STORE)" sh tests/run-integration.sh build/test
endif
endif

run: deps
	@$(MAKE) --no-print-directory -j$(JOBS) all
	PANGOLIN_NO_AUTH=true ./pangolin -c pangolin.example.toml

bench: deps-test
	@$(MAKE) --no-print-directory -j$(JOBS) all $(BENCH_PROGS)
	@sh tests/bench/run.sh

# The installed files name where they are installed (packaging/*.in).
SUBST		= sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		      -e 's|@PLUGINDIR@|$(PLUGINDIR)|g' -e 's|@STATEDIR@|$(STATEDIR)|g' \
		      -e 's|@DOCDIR@|$(DOCDIR)|g'

# The config and the secrets file are never overwritten: an operator's
# edits survive a reinstall.  After a `make install` on a live system:
# systemd-sysusers; systemd-tmpfiles --create; systemctl daemon-reload.
install: build
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(PLUGINDIR) \
		$(DESTDIR)$(SYSCONFDIR)/pangolin $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(DOCDIR) \
		$(DESTDIR)$(COMPLETIONDIR)
	install -m 755 $(OUT)/pangolin $(DESTDIR)$(BINDIR)/pangolin
	# The binary writes its own completion, so it names only verbs it has.
	ASAN_OPTIONS=detect_leaks=0 $(OUT)/pangolin admin completion bash \
		> $(DESTDIR)$(COMPLETIONDIR)/pangolin
	chmod 644 $(DESTDIR)$(COMPLETIONDIR)/pangolin
	install -m 644 $(PLUGINS) $(DESTDIR)$(PLUGINDIR)/
	$(SUBST) packaging/pangolin.service.in > $(DESTDIR)$(UNITDIR)/pangolin.service
	chmod 644 $(DESTDIR)$(UNITDIR)/pangolin.service
	install -m 644 packaging/pangolin.sysusers $(DESTDIR)$(SYSUSERSDIR)/pangolin.conf
	install -m 644 packaging/pangolin.tmpfiles $(DESTDIR)$(TMPFILESDIR)/pangolin.conf
	install -m 644 README.md pangolin.example.toml $(DESTDIR)$(DOCDIR)/
	test -e $(DESTDIR)$(SYSCONFDIR)/pangolin/pangolin.toml || { \
		$(SUBST) packaging/pangolin.toml.in > $(DESTDIR)$(SYSCONFDIR)/pangolin/pangolin.toml && \
		chmod 644 $(DESTDIR)$(SYSCONFDIR)/pangolin/pangolin.toml; }
	test -e $(DESTDIR)$(SYSCONFDIR)/pangolin/pangolin.env || \
		install -m 600 packaging/pangolin.env $(DESTDIR)$(SYSCONFDIR)/pangolin/pangolin.env

# A Debian package of this flavor's build: installed into a fresh staging
# root with PREFIX=/usr, then packaging/mkdeb.sh.
deb: build
	rm -rf $(OUT)/deb-root
	$(MAKE) --no-print-directory install DESTDIR=$(CURDIR)/$(OUT)/deb-root \
		PREFIX=/usr SYSCONFDIR=/etc
	sh packaging/mkdeb.sh $(OUT)/deb-root $(DEB) $(VERSION)

clean:
	rm -rf build pangolin plugins/*.so
$(OUT)/src/main.o: VERSION
