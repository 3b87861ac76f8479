/*
 * The PostgreSQL store's own test's harness (tests/unit/test_store_pg.c):
 * the plugin and its options from PGL_STORE_OPTS (a schema of its own for
 * every test), handles opened with an application_name so the test can
 * find and kill its backends, psql for what the plugin does not do, and
 * the rows most tests seed.
 */
#ifndef PGL_TEST_STORE_PG_HARNESS_H
#define PGL_TEST_STORE_PG_HARNESS_H

#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <dlfcn.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "store_util.h"

#include "pangolin/store.h"
#include "util/arena.h"
#include "util/location.h"
#include "util/name_fold.h"

#define NCHILDREN	8
#define MAX_KV		24

struct fx {
	struct pgl_store	*s;
	struct pgl_arena	*a;
	struct pgl_err		 err;
	char			 app[64];	/* this test's application_name */
};


/* harness.c */
extern const struct pgl_store_ops	*ops;
extern const char			*ext_opts;	/* PGL_STORE_OPTS */
extern unsigned				 test_seq;	/* {n} in ext_opts */
extern const struct pgl_host		 host;

void		 ext_options(void);
const char	*ext_value(const char *);
int		 open_with(struct pgl_store **, struct pgl_err *, const char *,
		    const struct pgl_kv *, size_t);
long		 psql_long(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
long		 backends(const char *);
long		 kill_backends(const char *);
int		 needs_server(void);
int		 setup(void **);
int		 teardown(void **);
void		 seed_tenant(struct fx *, struct pgl_store *, const char *);
void		 seed_tree(struct fx *);

/* search.c: the text index without fast update (migration 24). */
void	test_search_index_of_a_new_schema_has_no_fast_update(void **);
void	test_migration_24_merges_an_old_index_pending_list(void **);

#endif
