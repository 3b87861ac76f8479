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
};

/* A job of op on location in st, or NULL (out of memory). */
struct pgl_objjob	*pgl_objjob_new(const struct pgl_storage *,
			    enum pgl_obj_op, const char *location);
/* Free the job and what it holds (out too, unless taken). */
void			 pgl_objjob_free(struct pgl_objjob *);

#endif
