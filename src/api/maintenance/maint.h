/*
 * Table maintenance inside a task runner (issue 12): what each task kind
 * shares.  A task's request (struct pgl_req without a connection) carries
 * its tenant and arena, so the api layer's code (the store, the catalog's
 * storage, the one commit loop) runs for it as for a client.
 *
 * Safety on a branching catalog: a file is deleted only when nothing
 * retained reaches it, where "retained" is every snapshot kept by every
 * version of the table on every branch of every catalog of the tenant,
 * and of every other table whose location overlaps it (a table
 * registered on the same files).  A read error anywhere stops the task
 * before anything is deleted.
 */
#ifndef PGL_API_MAINT_H
#define PGL_API_MAINT_H

#include <jansson.h>

#include "api/target.h"
#include "api/tasks/task.h"
#include "http/request.h"
#include "pangolin/store.h"
#include "tasks/runner.h"
#include "util/strset.h"

/* maintenance/route.c: queue a maintenance task (202). */
void	ice_table_maintenance(struct pgl_req *);

/* maintenance/tasks.c */
void	api_task_get(struct pgl_req *);
void	api_task_list(struct pgl_req *);
void	api_task_cancel(struct pgl_req *);

/* The files reached so far, and the manifests already read. */
struct api_reach {
	struct pgl_req			*r;
	const struct pgl_catalog	*cat;
	struct pgl_task_run		*run;		/* progress; NULL */
	struct pgl_strset		*files;		/* path -> bytes */
	struct pgl_strset		*manifests;
	struct pgl_strset		*lists;		/* lists read */
	uint64_t			 manifests_read;
	/* Progress of a scan: snapshots read of those known so far. */
	uint64_t			 snaps_done, snaps_total;
	/* A re-run after a crash: what is gone was deleted the first time. */
	int				 missing_ok;
	/*
	 * The table's location: api_delete_unreached deletes nothing
	 * outside it (every table owns its files, commit/owners.h: its
	 * metadata may name another's, which are never its to delete).
	 * NULL: anywhere in the catalog's storage.
	 */
	const char			*scope;
};

/* A path as the sets hold it: file:// dropped, s3a:// as s3://. */
struct pgl_arena;
const char *api_reach_canon(struct pgl_arena *, const char *path);

int	api_reach_init(struct api_reach *, struct pgl_req *,
	    const struct pgl_catalog *, struct pgl_task_run *);
void	api_reach_free(struct api_reach *);

/* One file of bytes (its spelling made canonical); NULL or "" is none. */
int	api_reach_file(struct api_reach *, const char *path, int64_t bytes,
	    struct pgl_err *);
/* A snapshot's manifest list, manifests, live data and delete files. */
int	api_reach_snapshot(struct api_reach *, const json_t *snapshot,
	    struct pgl_err *);
/* Statistics and partition-statistics files of snapshot id (-1: all). */
int	api_reach_stats(struct api_reach *, const json_t *md, int64_t id,
	    struct pgl_err *);
/* Everything md keeps: its file, its log, every snapshot, statistics. */
int	api_reach_table(struct api_reach *, const json_t *md,
	    const char *md_location, struct pgl_err *);

/*
 * Every file kept by any other table version sharing files with the
 * table at location: every branch's version of it, and any table whose
 * location overlaps it, in every catalog of the tenant.  skip is the
 * version the caller reaches itself (NULL: none).
 */
int	api_reach_others(struct api_reach *, const char *location,
	    const struct pgl_asset *skip, struct pgl_err *);

/* Delete every member of doomed not in keep (dry_run: list only), and
 * inside rc's scope. */
struct api_deleted {
	uint64_t	files;
	uint64_t	bytes;
	json_t		*listed;	/* dry run: up to 1,000 paths */
	uint64_t	outside;	/* left: outside the scope */
};
int	api_delete_unreached(struct api_reach *, struct pgl_strset *doomed,
	    const struct pgl_strset *keep, int dry_run, struct api_deleted *,
	    struct pgl_err *);

/* The task kinds. */
enum pgl_task_end	api_task_run(struct pgl_task_run *);
enum pgl_task_end	api_expire_run(struct pgl_task_run *, struct pgl_req *,
			    const json_t *params, json_t *result);
enum pgl_task_end	api_orphans_run(struct pgl_task_run *,
			    struct pgl_req *, const json_t *params,
			    json_t *result);
enum pgl_task_end	api_purge_run(struct pgl_task_run *, struct pgl_req *,
			    const json_t *params, json_t *result);

#endif
