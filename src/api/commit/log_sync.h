/*
 * The store's log synced off the event loop (store ABI 1.21,
 * defer_log_sync).  A store whose commit syncs its log on the caller's
 * thread (SQLite's WAL under synchronous = FULL) holds the worker's
 * event loop for each sync, and the reads it serves wait behind it.  So
 * a group's swap transaction commits without the sync, and the commits
 * that landed are answered once a write-pool thread has synced the log:
 * acknowledged only when durable, as before.
 */
#ifndef PGL_API_COMMIT_LOG_SYNC_H
#define PGL_API_COMMIT_LOG_SYNC_H

#include <stddef.h>

/*
 * Before the transactions whose commits are answered through
 * ice_log_sync_after: 1 when the store now leaves its log's sync to us
 * (*fd to sync, or -1: nothing to sync), 0 when its commits stay synced
 * as they return.  After 1, ice_log_sync_resume() once they are done.
 */
int	ice_log_sync_defer(int *fd);
void	ice_log_sync_resume(void);

/*
 * fdatasync(fd) on a pool thread, then answer(items[i], error) for each
 * item on the worker's thread (error: the sync's errno, or 0).  Without
 * a pool (or memory for the job) the sync runs here.
 */
void	ice_log_sync_after(int fd, void **items, size_t n,
	    void (*answer)(void *, int));

#endif
