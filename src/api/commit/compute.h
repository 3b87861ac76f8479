/*
 * A commit attempt's CPU on a commit thread (commit/compute.c): the
 * loop's changes computed by ice_change_compute off the event loop.
 */
#ifndef PGL_API_COMMIT_COMPUTE_H
#define PGL_API_COMMIT_COMPUTE_H

struct commit_loop;

/*
 * Compute every change of l's attempt on a commit thread; once done, on
 * the worker's thread, l->computed (or l->stopped) is set and
 * l->resume(l->owner) runs the loop on.  0 queued, -1 no commit thread.
 */
int	commit_compute_submit(struct commit_loop *);

#endif
