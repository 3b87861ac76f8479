/*
 * The one commit loop of tables, views and /transactions/commit
 * (iceberg-commit.md §5, §7.3): per asset, load the pointer and its base
 * metadata, check the requirements, apply the updates, name and write
 * the next metadata file; then swap every pointer and record the catalog
 * commits in one store transaction.  A lost swap retries the whole
 * sequence on the fresh bases, without sleeping, a bounded number of
 * times, then answers 409.  What differs between tables and views is a
 * struct ice_commit_kind.
 */
#ifndef PGL_API_COMMIT_LOOP_H
#define PGL_API_COMMIT_LOOP_H

#include <stdint.h>
#include <jansson.h>

#include "api/rest/rest.h"
#include "http/request.h"
#include "iceberg/iceberg.h"

struct ice_change;

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

	/* One attempt's state (ice_change_clear): */
	struct pgl_asset		 asset;		/* as loaded */
	json_t				*base;		/* as read */
	json_t				*read;		/* base, normalised */
	json_t				*planned;
	json_t				*next;		/* NULL: unchanged */
	char				*next_location;	/* malloc'd */
	char				*bytes;		/* next as written */
	size_t				 len;
	int				 kept;		/* swapped, tx failed */
};

void	ice_change_clear(struct ice_change *);

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
 * 200 with the change's result {"metadata-location", "metadata"} (and
 * "config": {} when config is set: a LoadViewResult): the bytes just
 * written, not serialised again, or the base when nothing changed.
 */
void	ice_change_reply(struct pgl_req *, const struct ice_change *,
	    int config);

#endif
