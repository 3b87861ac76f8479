/*
 * The copy-on-write fixtures (cow.c) the forks, lineage and locations
 * families share: tenant t-a, catalog "cat", its branches and assets, and
 * a branch's whole view as one line.
 */
#ifndef PGL_TEST_STORE_COW_H
#define PGL_TEST_STORE_COW_H

#include "harness.h"

/* main as cow_seed_assets leaves it. */
#define COW_MAIN0	"a.b.x=m-x db.t1=m-t1 db.t2=m-t2 db.v1=m-v1 db2.t3=m-t3"

int		 cow_supported(void);
void		 cow_seed(struct fx *);
void		 cow_seed_assets(struct fx *);
void		 cow_fork(struct fx *, const char *, const char *);
void		 cow_put(struct fx *, const char *, const char *, const char *,
		    const char *, const char *);
void		 cow_cas(struct fx *, const char *, const char *, const char *,
		    const char *, const char *);
void		 cow_update(struct fx *, const char *, const char *,
		    const char *, const char *);
void		 cow_del(struct fx *, const char *, const char *, const char *);
void		 cow_rename(struct fx *, const char *, const char *,
		    const char *, const char *, const char *);
const char	*cow_get(struct fx *, const char *, const char *, const char *);
const char	*cow_id(struct fx *, const char *, const char *, const char *);
const char	*cow_parent(struct fx *, const char *);
const char	*cow_view_of(struct fx *, const char *, int, int);
const char	*cow_view(struct fx *, const char *);

#endif
