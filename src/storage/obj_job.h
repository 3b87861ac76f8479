/*
 * An object read, write or delete run by the write pool (write_pool.h) instead
 * of on the worker's thread: the storage is copied into the job, so the
 * job owes nothing to the request or the config cache while it runs,
 * and a hung endpoint holds a pool thread (for at most its timeout),
 * never the worker's event loop.
 */
#ifndef PGL_OBJ_JOB_H
#define PGL_OBJ_JOB_H

#include <stddef.h>

#include "storage/objio.h"
#include "storage/write_pool.h"

enum pgl_obj_op { PGL_OBJ_GET, PGL_OBJ_PUT, PGL_OBJ_DELETE };

struct pgl_objjob {
	struct pgl_wjob		 w;	/* the pool's: set w.done, w.arg */
	enum pgl_obj_op		 op;
	struct pgl_storage	 st;	/* a copy: its strings are the job's */
	char			*location;
	/* PUT: the bytes, the caller's until done() runs. */
	const void		*data;
	size_t			 len;
	/* GET: at most max bytes; out (malloc'd, the caller's to take). */
	size_t			 max;
	char			*out;
	size_t			 outlen;
	/* The endpoint's gate (pgl_objjob_submit): the caller's done(). */
	void			(*user_done)(struct pgl_wjob *, int);
	int			 gate;		/* -1: ungated */
	int			 slot;		/* holds one of the gate's */
	struct pgl_objjob	*queued;	/* next waiting at the gate */
};

/*
 * A copy of src whose strings are dst's own (a job's, a thread's): 0, or
 * -1 out of memory (nothing held).  Released by pgl_storage_release.
 */
int			 pgl_storage_copy(struct pgl_storage *dst,
			    const struct pgl_storage *src);
void			 pgl_storage_release(struct pgl_storage *);
/* A job of op on location in st, or NULL (out of memory). */
struct pgl_objjob	*pgl_objjob_new(const struct pgl_storage *,
			    enum pgl_obj_op, const char *location);
/* Free the job and what it holds (out too, unless taken). */
void			 pgl_objjob_free(struct pgl_objjob *);
/*
 * Hand the job to the write pool through its endpoint's gate, on the
 * worker's thread: at most s3_max_inflight_per_endpoint jobs of one
 * endpoint run at once, and the next s3_max_queued_per_endpoint wait
 * here, holding no thread, for one of them to end; past those, the job
 * goes on and the endpoint refuses it at once (busy).  So a hung
 * endpoint holds a few pool threads, never all of them, and a healthy
 * one under a burst makes its callers wait a moment, not fail.
 * 0: done() will run; -1: no pool takes it (none started, or it is
 * stopping), w.err says so.  The caller fails with that, never calls
 * the object store inline instead: that would hold the event loop.
 */
int			 pgl_objjob_submit(struct pgl_objjob *);
/*
 * PGL_EUNAVAIL in err: st's object store is not reached for this call
 * (why), in the words of a refusal by the endpoint (the warehouse named,
 * "retry after 1 s"), so that it is answered 503 with Retry-After.
 */
int			 pgl_objjob_refuse(const struct pgl_storage *,
			    const char *why, struct pgl_err *);

#endif
