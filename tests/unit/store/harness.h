/*
 * The store conformance suite's harness, shared by its families (one
 * file each in tests/unit/store/, listed in tests/unit/test_store.c):
 * the plugin under test (harness.c), a fresh store for every test (setup
 * and teardown), the skips for what a store cannot show, processes
 * racing, and the rows more than one family seeds (fixtures.c).
 *
 * Every test starts from an empty database.  Tests that need a second
 * connection or a second process to mean anything (races, persistence,
 * concurrent migration) are skipped for the memory store, whose database
 * is private to one connection by design.
 */
#ifndef PGL_TEST_STORE_HARNESS_H
#define PGL_TEST_STORE_HARNESS_H

#include <sys/types.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "store_util.h"

#include "pangolin/store.h"
#include "plugin/loader.h"
#include "util/arena.h"

#define SEP		PGL_NS_SEP_STR
#define NCHILDREN	8	/* processes of a race */

/* The ids seed_catalog_tree gives tenant t-a's db.t1 and db.v1. */
#define T1	"as-t-a-cat-main-db-t1"
#define V1	"as-t-a-cat-main-db-v1"

/* One test's store: a fresh database (setup), closed by teardown. */
struct fx {
	struct pgl_store	*s;
	struct pgl_arena	*a;
	struct pgl_err		err;
};

/*
 * A family of tests, run on each store as one cmocka group; its name is
 * what `make test FILE=store/<name>` and test_store's arguments take.
 */
struct store_family {
	const char		*name;
	const struct CMUnitTest	*tests;
	size_t			 n;
};

#define STORE_FAMILY(fam, list)						\
	const struct store_family store_##fam = { #fam, (list),		\
	    sizeof(list) / sizeof((list)[0]) }

/* A test on a fresh store of its own. */
#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

/* harness.c: the plugin under test and how it is opened. */
extern const struct pgl_store_ops	*ops;
extern const struct pgl_host		 host;
extern const char			*db_path;	/* NULL: memory */
extern const char			*ext_opts;	/* PGL_STORE_OPTS */
extern unsigned				 test_seq;	/* {n} in ext_opts */
extern struct pgl_kv			 ext_kv[16];

int			 harness_load(void);
size_t			 ext_options(void);
int			 open_store(struct pgl_store **, struct pgl_err *);
void			 remove_db(void);
void			 remove_template(void);
int			 setup(void **);
int			 teardown(void **);
int			 sqlite_only(void);
int			 needs_file(void);
int			 congodb(void);
struct pgl_store	*open_waiting(struct fx *, const char *);
struct pgl_store	*open_impatient(struct fx *);
int			 fork_children(void (*)(int, int), pid_t *);
void			 wait_children(pid_t *, int *);

/* fixtures.c: rows more than one family seeds. */
void			 seed_tenant(struct fx *, const char *, const char *);
void			 seed_warehouse(struct fx *, const char *,
			    const char *);
void			 seed_catalog(struct fx *, const char *, const char *,
			    const char *);
void			 seed_ns(struct fx *, const char *, const char *,
			    const char *);
void			 seed_branch(struct fx *, const char *, const char *,
			    const char *);
void			 seed_asset(struct fx *, const char *, const char *,
			    const char *, const char *, const char *,
			    const char *);
void			 seed_commit(struct fx *, const char *, const char *,
			    const char *, const char *);
void			 seed_catalog_tree(struct fx *, const char *);
void			 seed_batch(struct fx *, size_t);
struct pgl_user		 user(const char *, const char *, const char *);
struct pgl_service_user	 service_user(const char *, const char *,
			    const char *, const char *);
void			 seed_audit(struct fx *, const char *, const char *,
			    int64_t, const char *, const char *, const char *);
struct pgl_business_metadata metadata(const char *, const char *,
			    const char *, int, const char *);
uint64_t		 append_ev(struct fx *, const char *, const char *,
			    const char *, int64_t, const char *);
size_t			 list_ev(struct fx *, const char *, const char *,
			    uint64_t, uint32_t, struct pgl_event **);
uint64_t		 trips(struct fx *, uint64_t *);
void			 webhook_of(struct pgl_webhook *, const char *,
			    const char *, int64_t);

/* The families, in test_store.c's order. */
extern const struct store_family	store_lifecycle, store_catalogs,
	store_namespaces, store_assets, store_swaps, store_branches,
	store_merges, store_forks, store_lineage, store_users, store_roles,
	store_audit, store_tasks, store_cascades, store_governance,
	store_search, store_idempotency, store_plans, store_paging,
	store_events, store_webhooks, store_policies, store_dropped,
	store_defer, store_locations, store_usage, store_keyset;

#endif
