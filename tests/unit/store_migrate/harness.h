/*
 * The migration test's harness (tests/unit/test_store_migrate.c): each
 * store's plugin loaded from PGL_PLUGIN_DIR, a store of before opened from
 * its fixture on a throwaway server or file (setup_*, teardown), the
 * store seeded the old way (seed_old: make.sh's fixtures) and dumped as
 * the fixtures' expect-*.txt files say (dump, dump_string).
 */
#ifndef PGL_TEST_STORE_MIGRATE_HARNESS_H
#define PGL_TEST_STORE_MIGRATE_HARNESS_H

#include <sys/stat.h>
#include <sys/wait.h>

#include <dlfcn.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "store_util.h"

#include "pangolin/store.h"
#include "plugin/loader.h"
#include "util/arena.h"
#include "util/location.h"
#include "util/name_fold.h"

#define SEP		PGL_NS_SEP_STR
#define FIXTURES	"tests/fixtures/store-1.11"
#define NAMES_FIXTURES	"tests/fixtures/store-1.13"
#define TENANT		"t-mig"
#define TENANT2		"t-two"

struct fx {
	const struct pgl_store_ops	*ops;
	struct pgl_store		*s;
	struct pgl_arena		*a;
	struct pgl_err			 err;
	void				*dl;
	const char			*name;		/* sqlite, ... */
	const char			*fixtures;	/* FIXTURES, ... */
	char				 dir[64];	/* scratch */
	char				 opts[512];	/* k=v;k=v */
	char				 stop[512];	/* stops the server */
};

/* harness.c */
const struct pgl_store_ops *load(const char *, void **);
int		 open_opts(struct fx *, const char *);
int		 sh(const char *, ...) __attribute__((format(printf, 1, 2)));
void		 seed_asset(struct fx *, const char *, const char *,
		    const char *, const char *, const char *, const char *,
		    const char *);
void		 seed_old(struct fx *);
void		 dump(struct fx *, FILE *);
char		*dump_string(struct fx *);
char		*read_file(const char *);
int		 setup_sqlite(void **);
int		 setup_postgres(void **);
int		 setup_mongo(void **);
int		 setup_sqlite_names(void **);
int		 setup_postgres_names(void **);
int		 setup_mongo_names(void **);
int		 teardown(void **);
int		 opened(struct fx *);
void		 expect_parent(struct fx *, const char *, const char *);
const char	*meta(struct fx *, const char *, const char *, const char *);
char		*branch_string(struct fx *, const char *);

#endif
