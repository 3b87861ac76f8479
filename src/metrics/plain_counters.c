/*
 * The plain counters /metrics renders with a fixed help text each:
 * calls out (federated remotes, STS), group commits, scan plans.
 */
#include "metrics/metrics.h"

const struct pgl_counter_doc pgl_plain_counters[] = {
	{ PGL_C_FED_CALLS, "pangolin_federation_calls_total",
	    "Iceberg calls sent to federated catalogs' remote catalogs." },
	{ PGL_C_FED_FAILED, "pangolin_federation_failures_total",
	    "Calls to remote catalogs that got no answer (no connection, "
	    "timeout, too large; 502 or 504)." },
	{ PGL_C_FED_REFUSED, "pangolin_federation_refused_total",
	    "Calls to remote catalogs refused at once (breaker open, too "
	    "many waiting, or the tenant's gates all in use; 503)." },
	{ PGL_C_FED_WAITED, "pangolin_federation_waited_total",
	    "Calls to remote catalogs that waited in the worker, holding no "
	    "thread, for a slot of their remote or of their tenant "
	    "(max_inflight_per_remote, max_inflight_per_tenant)." },
	{ PGL_C_STS_CALLS, "pangolin_sts_assume_role_total",
	    "STS AssumeRole calls made to mint vended credentials (a cached "
	    "credential makes none)." },
	{ PGL_C_STS_FAILED, "pangolin_sts_assume_role_failures_total",
	    "AssumeRole calls that got no credentials (not reached, or "
	    "refused)." },
	/* A worker's group commits (api/commit/async.c). */
	{ PGL_C_COMMIT_GROUPS, "pangolin_commit_groups_total",
	    "Store transactions that swapped in the files of two or more "
	    "commits at once (group commit)." },
	{ PGL_C_COMMIT_GROUPED, "pangolin_commit_grouped_total",
	    "Commits whose pointer swap shared a store transaction with "
	    "others." },
	{ PGL_C_COMMIT_GROUPS_UNDEFERRED,
	    "pangolin_commit_groups_undeferred_total",
	    "Group commits whose writes, sent without waiting for each "
	    "answer (PostgreSQL), did not all take, run again with each "
	    "write awaited." },
	{ PGL_C_COMMIT_SWAPS_DEFERRED, "pangolin_commit_swaps_deferred_total",
	    "Group swaps put off for about a millisecond because another "
	    "worker held the store's writer lock (SQLite's write lock, "
	    "PostgreSQL's tenant lock), so that the event loop served its "
	    "reads instead of waiting." },
	/* Connections that moved between workers (http/kore_move.c). */
	{ PGL_C_CONNS_MOVED_TO_COMMITS, "pangolin_connections_moved_to_commit_worker_total",
	    "Connections handed to a commit worker as they sent a commit "
	    "([server] commit_workers)." },
	{ PGL_C_CONNS_MOVED_TO_READS, "pangolin_connections_moved_off_commit_worker_total",
	    "Connections handed from a commit worker with commits under way "
	    "to a worker that takes none, as they sent a request that is not "
	    "a commit." },
	{ PGL_C_CONN_MOVES_FAILED, "pangolin_connection_moves_failed_total",
	    "Hand-overs to another worker that could not be made at once "
	    "(its queue full); the request was served where it came." },
	/* Store transactions that lost a race with another over the same
	 * rows (PostgreSQL's serialization failures, deadlocks): run again,
	 * and given up (answered 503, or 409 CommitFailed for a commit). */
	{ PGL_C_STORE_TX_RETRIES, "pangolin_store_tx_retries_total",
	    "Store transactions run again after losing a race with a "
	    "concurrent one." },
	{ PGL_C_STORE_TX_GAVE_UP, "pangolin_store_tx_gave_up_total",
	    "Store transactions that lost the race on every attempt." },
	/* Change events (issue 43): appended in their change's transaction
	 * (one whose commit then fails takes them back), and changes whose
	 * event could not be built, which the log names: a host bug. */
	{ PGL_C_EVENTS_APPENDED, "pangolin_events_appended_total",
	    "Change events appended to the outbox in their change's "
	    "transaction." },
	{ PGL_C_EVENTS_UNBUILT, "pangolin_events_unbuilt_total",
	    "Changes made without their event, whose body could not be "
	    "built (logged)." },
	/* Scan plans off the event loop (api/scan/scan_job.c). */
	{ PGL_C_SCAN_POOL_PLANS, "pangolin_scan_pool_plans_total",
	    "Scan plans made on a worker's planning threads and answered "
	    "completed within sync_wait_ms." },
	{ PGL_C_SCAN_HANDED, "pangolin_scan_plans_handed_to_tasks_total",
	    "Scan plans not done within sync_wait_ms (or too large for a "
	    "request) that a task made instead (answered submitted)." },
	/* A group's COMMIT answered later (store ABI 1.25) and the row
	 * hints of commits (api/commit/rows.h). */
	{ PGL_C_COMMIT_FLIGHTS, "pangolin_commit_flights_total",
	    "Commit groups whose store COMMIT was sent and its answer taken "
	    "in later, the worker's loop serving other work meanwhile." },
	{ PGL_C_COMMIT_FLIGHT_WAITS, "pangolin_commit_flight_waits_total",
	    "Of those, answers another store call on the worker waited for "
	    "first." },
	{ PGL_C_COMMIT_ROW_HINTS, "pangolin_commit_row_hints_total",
	    "Commits computed on the table's row as the worker's last commit "
	    "of it left it, read from no store first." },
	{ PGL_C_COMMIT_ENTRIES_COPIED, "pangolin_commit_entries_copied_total",
	    "Entries of a table metadata's lists (snapshots, logs, schemas) "
	    "whose text a commit's render copied from the last file's "
	    "instead of rendering them again." },
	{ PGL_C_COMMIT_SWAPS_JOINED, "pangolin_commit_swaps_joined_total",
	    "Pointer swaps a group's transaction did not make: a commit "
	    "chained on another of the group moved its table's pointer with "
	    "that one's swap, from the first's base to the last's file." },
	{ PGL_C_COMMIT_SWAPS_LOST_KEPT, "pangolin_commit_group_swaps_lost_total",
	    "Pointer swaps a group's transaction found lost (another writer, "
	    "a replica, had moved the table) and left out, the rest of the "
	    "group landing; their commits were made again on the new base." },
};

const size_t pgl_nplain_counters = sizeof(pgl_plain_counters) /
    sizeof(pgl_plain_counters[0]);
