/*
 * The commit room: what the handlers that change a table or view (rest,
 * branching, maintenance) write, and how.
 *
 * It reads through the read room (read/read.h: an asset found, a base's
 * metadata from the worker's cache) and never the reverse.
 *
 * io.c: metadata files (rendered, written) and the catalog commit log;
 * write.c: the same write off the worker's thread, and deletes;
 * batch.c: a transaction's files, likewise; assets.c: the asset rows
 * (name, location, create, drop).
 *
 * loop.c: the one commit loop of tables, views and /transactions/commit
 * (iceberg-commit.md §5, §7.3): per asset, load the pointer and its base
 * metadata, check the requirements, apply the updates, name and write
 * the next metadata file; then swap every pointer and record the catalog
 * commits in one store transaction.  A lost swap retries the whole
 * sequence on the fresh bases, without sleeping, a bounded number of
 * times, then answers 409.  What differs between tables and views is a
 * struct ice_commit_kind.  (run.h: the loop's state, for async.c.)
 */
#ifndef PGL_API_COMMIT_LOOP_H
#define PGL_API_COMMIT_LOOP_H

#include <stdint.h>
#include <jansson.h>

#include "api/target.h"
#include "http/request.h"
#include "iceberg/iceberg.h"
#include "util/uuid.h"

struct ice_change;

/* A task's commit: its updates planned afresh from each base (rest/commit.c). */
typedef json_t	*(*ice_plan_fn)(void *arg, struct pgl_req *, const json_t *base);

/*
 * commit/io.c: metadata files written and the catalog commit log.  Every
 * file call takes the catalog: its storage (api_storage: local disk
 * confined to the storage location, or its warehouse's S3 bucket) holds
 * the file (storage/objio.h).
 */
/*
 * Serialize and write a metadata file (gzip if its name says so), here:
 * a task's, or on local disk.  A client's object PUT would hold the
 * event loop and is refused (PGL_EUNAVAIL): the pool writes those.
 */
int	ice_write_metadata(struct pgl_req *, const struct pgl_catalog *,
	    const char *location, const json_t *md, struct pgl_err *);
/*
 * md as a metadata file's bytes: *text the plain JSON (malloc'd), and
 * *gz its gzip (malloc'd) when the location's name asks for gzip, else
 * NULL.  What ice_write_metadata writes; a commit renders on a commit
 * thread (compute.c) and hands the writing to the write pool.  Safe on
 * any thread.  memo (or NULL): the calling thread's texts of lists
 * (util/json_memo.h), key the table's, for a tree whose lists' entries
 * are never changed in place.
 */
struct pgl_json_memo;
int	ice_render_metadata(const char *location, const json_t *md,
	    struct pgl_json_memo *memo, const char *key, char **text,
	    size_t *len, char **gz, size_t *gzlen, struct pgl_err *);
/* A commit whose pointer swap may or may not have landed (PGL_TX_UNKNOWN). */
void	ice_reply_unknown(struct pgl_req *, const struct pgl_err *);
/*
 * Delete a file of the catalog's, best effort (cleanup after a loss or
 * a commit): on a client's request on S3 by the pool, not waited for
 * (commit/write.c).
 */
void	ice_delete_file(struct pgl_req *, const struct pgl_catalog *,
	    const char *location);
/*
 * What runs once ice_write_metadata_then's file is written: rc PGL_OK, or
 * the error (err).  On the worker's thread; it makes r's reply.
 */
typedef void	(*ice_written_fn)(struct pgl_req *, int rc,
		    const struct pgl_err *, void *arg);
/*
 * Write md at location off the worker's thread (commit/write.c): r
 * waits meanwhile and then() replies.  For a task's request the write
 * is inline, and without a pool a local one too, then() running before
 * this returns; an object with no pool to take it fails (PGL_EUNAVAIL).
 */
void	ice_write_metadata_then(struct pgl_req *, const struct pgl_catalog *,
	    const char *location, const json_t *md, ice_written_fn then,
	    void *arg);
/* Delete many, in batches where the storage has them (a client's on
 * S3: each as ice_delete_file), best effort. */
void	ice_delete_files(struct pgl_req *, const struct pgl_catalog *,
	    const char *const *locations, size_t n);

/*
 * Append a catalog commit to branch's history and move its head, inside
 * the caller's store transaction (pangolin-api.md decision 2).  ops is a
 * JSON array of {"Put":{"asset":..}} / {"Delete":{"name":..}} (stolen).
 */
int	ice_log_commit(struct pgl_req *, const char *catalog,
	    const char *branch, const char *message, json_t *ops,
	    struct pgl_err *);
/*
 * ice_log_commit for n commits in one transaction of an atomic store (a
 * group commit): those of one tenant's branch are chained in order, and
 * that branch's head moves once, at the last, so its row is held from
 * then to the transaction's end only.  A head that moved meanwhile is
 * PGL_ECONFLICT (the caller's transaction then fails as a whole).
 */
struct ice_log_entry {
	struct pgl_req	*r;
	const char	*catalog;
	const char	*branch;
	const char	*message;
	json_t		*ops;		/* stolen, as ice_log_commit's */
};
int	ice_log_commits(struct ice_log_entry *, size_t n, struct pgl_err *);
/*
 * api_tx for a change that calls ice_log_commit: a race lost only at the
 * branch head (two writers of different assets of one branch) is run
 * again, at once, a bounded number of times; any other failure returns.
 */
int	ice_tx_on_branch(struct pgl_req *, int (*fn)(void *, struct pgl_err *),
	    void *arg, struct pgl_err *);
json_t	*ice_op_put(const struct pgl_asset *);
json_t	*ice_op_delete(const char *ns, const char *name);

/* commit/assets.c: the asset rows as tables', views' and commits' writers
 * change them (finding one is read/read.h's). */
int	ice_name_free(struct pgl_req *, const struct ice_target *);
/* The body's `name` (may carry @branch; else ?branch=) in an existing
 * namespace and branch; replies 400/404. */
int	ice_body_target(struct pgl_req *, struct ice_target *);
/* commit/owners.h: where a location may lie (owners.c). */
const char *ice_location(struct pgl_req *, const struct ice_target *,
	    const char *requested);
int	ice_location_allowed(struct pgl_req *, const struct pgl_catalog *,
	    const char *location, const char *field);
int	ice_create_asset(struct pgl_req *, const struct ice_target *,
	    struct pgl_asset *, const char *verb, int delete_on_conflict);
int	ice_drop_asset(struct pgl_req *, const struct pgl_asset *);
/*
 * commit/overlaps.c, once after start-up (task runner 0; at start-up when
 * no task runs): a warning line per table or view lying
 * in another's location from before every table owned its files (issue
 * 67), bounded (commit/overlaps.h), and their count.
 */
void	ice_overlaps_report(void);
/* The same on store handle s (a task runner's). */
void	ice_overlaps_report_on(struct pgl_store *s);

/* What a table commit and a view commit do differently. */
struct ice_commit_kind {
	const char	*asset;		/* asset kind: ICEBERG_TABLE, VIEW */
	const char	*noun;		/* "table", "view": in messages */
	const char	*verb;		/* the catalog commit: "Commit table" */
	/*
	 * Check the requirements against c->base and apply c->updates:
	 * the next metadata, base itself (a new reference) when nothing
	 * changed, or NULL + ierr.  What it normalised of the base on
	 * the way (once per attempt) it may keep in c->read.
	 */
	json_t		*(*apply)(struct ice_change *c, int64_t now_ms,
			    struct ice_err *ierr);
	/* 1 if next (from apply) is base itself: nothing to write. */
	int		 (*unchanged)(const json_t *base, const json_t *next);
	/* The next metadata file's location (malloc'd) or NULL. */
	char		*(*location)(const json_t *next,
			    const char *base_location, const char *uuid);
	/* The reply when location() gives none. */
	void		 (*no_location)(struct pgl_req *);
	/* After a swap: delete the files the metadata-log dropped. */
	int		 cleanup;
	/*
	 * 1: apply never changes an entry of the metadata's lists in place
	 * (iceberg/update.c, shared_entries), so the next file's render
	 * copies the texts of the entries it shares with the last one
	 * (compute.c).
	 */
	int		 entries_kept;
};

extern const struct ice_commit_kind	ice_kind_table;
extern const struct ice_commit_kind	ice_kind_view;

/* One asset's part of a commit. */
struct ice_change {
	const struct ice_commit_kind	*kind;
	struct ice_target		 t;
	const json_t			*requirements;
	const json_t			*updates;
	/* A task's commit: updates planned afresh from each base. */
	ice_plan_fn			 plan;
	void				*plan_arg;
	/*
	 * Chained (commit/async.c): the first attempt's base is this
	 * change's result, written but not landed yet, instead of the
	 * store's row.  Read once by that attempt's load, then NULL.
	 */
	const struct ice_change		*on;

	/* One attempt's state (ice_change_clear): */
	struct pgl_asset		 asset;		/* as loaded */
	json_t				*base;		/* as read */
	json_t				*read;		/* base, normalised */
	int				 read_checked;	/* engine-built */
	json_t				*planned;
	json_t				*next;		/* NULL: unchanged */
	json_t				*next_read;	/* next, normalised */
	char				*next_location;	/* malloc'd */
	char				*bytes;		/* next as written */
	size_t				 len;
	char				*gz;		/* bytes gzip'd, if */
	size_t				 gzlen;		/* its name asks */
	int				 kept;		/* swapped, tx failed */
	/*
	 * ice_change_compute's input, made on the worker's thread: the
	 * base's plain bytes when no parsed tree of it was cached (the
	 * cache entry pinned by raw_ref), the time and the next file's
	 * uuid.  Its outcome: compute (COMPUTE_*), ierr, err.
	 */
	const char			*raw;
	size_t				 rawlen;
	void				*raw_ref;
	int64_t				 now_ms;
	char				 uuid[PGL_UUID_LEN + 1];
	int				 compute;
	int				 parsed;	/* base parsed from raw */
	/* The attempt's row is a hint (commit/rows.h), not the store's. */
	int				 hinted;
	/* next's location when it is another place than the row's (a
	 * set-location): claimed with the swap (commit/owners.h). */
	const char			*moved_to;	/* arena */
	struct ice_err			 ierr;
	struct pgl_err			 err;
};

void	ice_change_clear(struct ice_change *);

/*
 * commit/compute.c.  The CPU of a change's attempt, touching nothing but
 * the change: parse the base's bytes (when no tree was cached), check
 * the requirements, apply the updates, name and render the next file.
 * It runs on a commit thread (storage/write_pool.h) while the worker's
 * event loop serves other requests, or inline.  What it decides is
 * replied on the worker's thread (commit/loop.c).
 */
enum { COMPUTE_NONE, COMPUTE_OK, COMPUTE_CORRUPT, COMPUTE_REFUSED,
	COMPUTE_NO_LOCATION, COMPUTE_FAILED };
void	ice_change_compute(struct ice_change *);
/* Only the parse (a task plans from the tree): 0, or -1 (COMPUTE_CORRUPT). */
int	ice_change_parse(struct ice_change *);
/*
 * Write the file ice_change_compute rendered for c at location (its gzip
 * when there is one), here: a task's, or on local disk.  As
 * ice_write_metadata.
 */
int	ice_write_rendered(struct pgl_req *, const struct pgl_catalog *,
	    const char *location, const struct ice_change *c,
	    struct pgl_err *);

/*
 * Commit the n changes: 0 when every pointer moved (or nothing changed:
 * next NULL), each new file's bytes in bytes and in the metadata cache;
 * -1 after replying (4xx/5xx, or 409 once the attempts are spent).
 */
int	ice_commit_run(struct pgl_req *, struct ice_change *, size_t n);

/*
 * Commit one change for a client and reply 200 as ice_change_reply()
 * (config as there), or with the error.  On local disk the new file is
 * written by the write pool while the request waits (pgl_req_pend) and
 * the worker serves others; commits of one table in one worker go one
 * at a time (commit/async.c).  c is copied: the caller keeps nothing
 * to clear.
 */
void	ice_commit_serve(struct pgl_req *, const struct ice_change *c,
	    int config);
/*
 * After the write pool's reap (pgl_wpool_after_reap): swap in commits
 * whose files it finished, one group in one store transaction; 1 when
 * more wait for the next turn of the event loop.
 */
int	ice_commit_swap_ready(void);
/*
 * In the parent, before the workers fork: the table claims they share
 * (commit/async.c), -1 out of memory.  In each worker as it starts,
 * with its Kore id: the claims its earlier run held are let go.
 */
int	ice_commit_claims_init(void);
void	ice_commit_claims_worker(unsigned id);
/* 1 while this worker has a client's commit (a table's, a view's, a
 * transaction's) not yet answered: what http/kore_move.c asks, are
 * commits under way here? */
int	ice_commits_open(void);
/*
 * Commit the n changes of a multi-table transaction for a client and
 * reply 204, or with the error; every new file is written by the write
 * pool while the request waits (commit/batch.c).  cs (calloc'd) is
 * taken: cleared and freed here.
 */
void	ice_commit_serve_many(struct pgl_req *, struct ice_change *cs,
	    size_t n);

/*
 * 200 with the change's result {"metadata-location", "metadata"} (and
 * "config": {} when config is set: a LoadViewResult): the bytes just
 * written, not serialised again, or the base when nothing changed.
 */
void	ice_change_reply(struct pgl_req *, const struct ice_change *,
	    int config);
/*
 * ice_change_reply's answer to a caller bound by a data policy when the
 * metadata holds something its restrictions withhold (change_reply.c,
 * read/policies.h, issue 67): 1 replied, 0 not (reply as to anyone), -1 after replying an
 * error.  The restrictions are read only when the metadata holds
 * statistics.
 */
int	ice_restricted_change_reply(struct pgl_req *,
	    const struct ice_change *, int config);

#endif
