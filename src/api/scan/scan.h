/*
 * Server-side scan planning (issue 28): the Iceberg REST planTableScan,
 * fetchPlanningResult, cancelPlanning and fetchScanTasks routes.
 *
 * A plan is made the way a correct client would make it: the snapshot's
 * manifest list, its manifests pruned by their partition summaries, each
 * live entry kept when its partition tuple and then its column metrics
 * may match the filter (iceberg/scan.h), with the delete files that apply
 * to it by sequence number and partition, and its residual filter.  No
 * data file is opened.
 *
 * Planning never runs on a worker's event loop (issue 42): the request's
 * plan is a job on the worker's planning threads (the write pool's CPU
 * lane, scan_job.c), at most [scan] max_running_per_tenant of a tenant's
 * at once in a worker (scan_gate.c), and the request waits for it (it is
 * pended) for at most [scan] sync_wait_ms.  A plan done by then answers
 * "completed"; one that is not, or that reads more than [scan]
 * sync_max_manifests manifests, becomes a task of kind "scan_plan" (the
 * task id is the plan id) that the runners make while the client polls.
 * A result is cut into parts of [scan] tasks_per_part file scan tasks
 * (and at most 3 MB of JSON); a result of one part is answered inline and
 * stored nowhere, a larger one is stored (the store's plan parts, ABI
 * 1.11): part 0 is the plan's header, parts 1..n its plan tasks.  A plan
 * task is "<plan id>:<n>".  Stored plans are bounded like every stored
 * thing (scan_quota.c): per plan ([scan] max_plan_bytes), per tenant
 * ([scan] max_plans_per_tenant, max_bytes_per_tenant; 429 past them),
 * and in time: [scan] unfetched_ttl_secs until first fetched, then [scan]
 * ttl_secs.
 */
#ifndef PGL_API_SCAN_H
#define PGL_API_SCAN_H

#include <jansson.h>

#include "api/target.h"
#include "http/request.h"
#include "iceberg/manifest.h"
#include "iceberg/scan.h"
#include "metrics/metrics.h"
#include "tasks/runner.h"
#include "util/jw.h"

struct ice_place;
struct pgl_arena;
struct scan_pack;

/* The largest manifest list or manifest a plan reads. */
#define SCAN_MANIFEST_MAX	(256UL * 1024 * 1024)

/* What the request asks, bound to the table (scan_req.c). */
struct scan_req {
	int64_t			 snapshot_id;	/* -1: an empty table */
	int64_t			 start_id;	/* incremental: exclusive; -1 */
	int64_t			*appends;	/* incremental: snapshots */
	size_t			 nappends;
	const json_t		*schema;
	const struct ice_expr	*filter;
	/* What column metrics may prune by: filter, or, for a caller whom
	 * a row filter binds, that row filter alone (scan_restrict.c). */
	const struct ice_expr	*metrics_filter;
	int			 has_filter;
	int32_t			*stats;		/* stats-fields' ids */
	const json_t		**stats_types;	/* their schema types */
	size_t			 nstats;
	/* The caller's read restrictions the plan was made under, as a
	 * tag: "" for none (scan_restrict.c). */
	const char		*scope;
	struct ice_pspec	*specs;		/* the table's specs */
	size_t			 nspecs;
	int			 format_version;
};

/* Parse body (a PlanTableScanRequest) against md; 0, or -1 after 400. */
int	scan_req_parse(struct pgl_req *, const json_t *body, const json_t *md,
	    struct scan_req *);
/* The snapshot of md with id, or NULL. */
const json_t	*scan_snapshot_of(const json_t *md, int64_t id);
/* The spec of id, or NULL. */
const struct ice_pspec	*scan_spec(const struct scan_req *, int32_t id);

/*
 * scan_restrict.c: a plan as a caller bound by a data policy may have
 * it.  The member of a plan request that carries the caller's read
 * restrictions from the route to the parse (and into a task's stored
 * request); a client cannot send it (plan_fields refuses it).
 */
#define SCAN_RR_MEMBER	"pangolin-read-restrictions"
/*
 * r->body made the caller's: its read restrictions on the table (md its
 * metadata) carried in SCAN_RR_MEMBER.  A caller that is no enforcing
 * engine, on a table partitioned by a field the restrictions mask, is
 * refused (403): a file's partition tuple holds that field's values.
 * 0, or -1 after replying.
 */
int	scan_restrict_body(struct pgl_req *, const struct ice_target *,
	    const struct pgl_asset *, const json_t *md);
/* q bound to the restrictions body carries (none: unchanged); 0, or -1
 * after replying 400. */
int	scan_restrict_req(struct pgl_req *, const json_t *body,
	    const json_t *md, struct scan_req *q);
/* The tag of the restrictions a plan request (body) carries: "" for
 * none, NULL out of memory (arena). */
const char	*scan_scope_of(struct pgl_arena *, const json_t *body);
/* The tag of the caller's read restrictions on the table now ("" for
 * none), for a stored plan's fetch; 0, or -1 after replying. */
int	scan_scope(struct pgl_req *, const struct ice_target *,
	    const struct pgl_asset *, const char **scope);

/* One manifest of the snapshot worth reading. */
struct scan_manifest {
	const char	*path;
	int64_t		 length;
	int32_t		 spec_id;
	int		 content;
	int64_t		 sequence_number;
	int64_t		 added_snapshot_id;
	/* Its bytes, pinned in the worker's cache for a walk off the
	 * worker's thread (scan_job.c), or NULL: read them. */
	const void	*buf;
	size_t		 len;
	void		*ref;
};

/* One delete file of the plan (scan_deletes.c). */
struct scan_delete {
	int		 content;	/* ICE_CONTENT_DELETES / EQ_DELETES */
	int32_t		 spec_id;
	int64_t		 seq;
	const char	*key;		/* spec id and partition tuple */
	const char	*referenced;	/* a DV's or a one-file delete */
	const char	*json;		/* its DeleteFile, rendered */
};

struct scan_deletes {
	struct scan_delete	*v;
	size_t			 n, cap;
	size_t			*by_key;	/* v's indexes sorted by key */
	size_t			 n_keyed;
	size_t			 nglobal;	/* unpartitioned equality */
	size_t			*global;
};

/* A part made off the worker's thread, for done() to store. */
struct scan_part {
	struct scan_part	*next;
	uint32_t		 seq;
	char			*body;		/* malloc'd */
	size_t			 len;
};

/* Where file scan tasks go (scan_sink.c). */
struct scan_sink {
	struct pgl_req		*r;		/* a task's: the store's */
	struct pgl_arena	*arena;
	const char		*tenant;
	const char		*plan_id;
	const char		*table;		/* the store's table key */
	const char		*scope;		/* scan_req.scope */
	int64_t			 expires_at_ms;
	int			 can_store;	/* the store keeps parts */
	int			 store;		/* parts are kept */
	int			 keep;		/* ... in kept, not the store */
	int			 too_large;	/* past max_bytes */
	int			 full;		/* past keep_max */
	uint64_t		 bytes;		/* of every part kept */
	uint64_t		 max_bytes;	/* [scan] max_plan_bytes */
	uint64_t		 keep_max;	/* kept past it: SCAN_STOP_SIZE */
	struct scan_part	*kept, **kept_tail;
	size_t			 per_part;
	struct pgl_jw		 tasks;		/* this part's, as text */
	struct pgl_jw		 deletes;	/* this part's, as text */
	size_t			 ntasks, ndeletes;
	int			*local;		/* delete index -> this part's */
	uint32_t		*stamp;		/* local[i]'s part + 1 */
	uint32_t		 parts;		/* stored so far */
	uint64_t		 files;		/* every part's */
};

/* Why a walk stopped (scan_files answered SCAN_STOPPED). */
enum scan_stop {
	SCAN_GOING,
	SCAN_STOP_CANCEL,	/* the task was cancelled */
	SCAN_STOP_WAIT,		/* the request waited [scan] sync_wait_ms */
	SCAN_STOP_SIZE,		/* more than a pool plan may hold */
	SCAN_STOP_SERVER	/* the server is stopping */
};
#define SCAN_STOPPED	(-2)

/*
 * One planning run, in a task (r the runner's request: reads through
 * the cache, parts to the store) or off a worker's thread (scan_job.c: r
 * NULL there, reads from the job's storage, parts kept for done()).
 */
struct scan_plan {
	struct pgl_req			*r;
	struct pgl_arena		*arena;		/* the run's */
	const char			*tenant;
	const struct pgl_catalog	*cat;
	struct pgl_task_run		*run;		/* a task's; NULL */
	/* A manifest list's or manifest's bytes, pinned until release. */
	int	(*read)(struct scan_plan *, const char *path, int cache,
		    const void **buf, size_t *len, void **ref,
		    struct pgl_err *);
	void	(*release)(struct scan_plan *, void *ref);
	/* Checked between manifests and every few hundred entries: set
	 * stopped (enum scan_stop) and answer 1 to stop the walk. */
	int	(*stop)(struct scan_plan *);
	void				*job;
	int				 stopped;
	struct scan_req			 q;
	const struct ice_expr		**proj;		/* per spec, lazily */
	const json_t			*md;
	/*
	 * The table's place (iceberg/place.h, issue 67): a plan reads and
	 * answers only files in it, its manifest list, manifests, data and
	 * delete files; outside is set when one was not (403).
	 */
	const struct ice_place		*place;
	int				 outside;
	struct scan_manifest		*mf;
	size_t				 nmf;
	size_t				 ndata_mf;
	struct scan_deletes		 del;
	struct scan_sink		 sink;
	uint64_t			 manifests_listed;
	uint64_t			 manifests_read;
	uint64_t			 bytes_read;
	uint64_t			 entries;
	uint64_t			 skipped_partition;
	uint64_t			 skipped_metrics;
};

/* scan_manifests.c: the snapshot's manifests worth reading into p->mf,
 * the list read through p->read and the worker's cache (a task's). */
int	scan_list(struct scan_plan *, struct pgl_err *);
/* The path of the snapshot's manifest list (NULL: an empty table), with
 * the run readied for its walk; -1 with err. */
int	scan_list_path(struct scan_plan *, const char **, struct pgl_err *);
/* The cache key of the list's packed refs (arena). */
const char	*scan_list_key(struct scan_plan *, const char *list);
/* The cache key of a manifest's bytes (arena). */
const char	*scan_manifest_key(struct scan_plan *, const char *path);
/* Walk a list's bytes into p->mf: packed refs, or the Avro list, then
 * packed into pack when it is not NULL; 0, -1 with err, SCAN_STOPPED,
 * or 1: packed bytes that are not a packed list. */
int	scan_list_walk(struct scan_plan *, const char *list, const void *,
	    size_t, int packed, struct scan_pack *pack, struct pgl_err *);
/* scan_plan.read of a task: the worker's metadata cache (cache: kept
 * there), then the object store; release is api_mcache_unref. */
int	scan_read(struct scan_plan *, const char *path, int cache,
	    const void **buf, size_t *len, void **ref, struct pgl_err *);
void	scan_release(struct scan_plan *, void *ref);
/* err's message prefixed with what failed on which path. */
void	scan_fail(struct pgl_err *, int code, const char *what,
	    const char *path);
/* p->place made from p->md's location (p->arena): 0, or -1 out of memory. */
int	scan_place(struct scan_plan *, struct pgl_err *);
/* 1 if path lies in the table's place; else 0, p->outside set and err
 * saying what (a "manifest list", a "data file") lies outside. */
int	scan_owned(struct scan_plan *, const char *what, const char *path,
	    struct pgl_err *);
/*
 * Before a plan is made: 0 when the snapshot the request plans (q)
 * keeps its manifest list in md's place, else -1 after replying 403.
 */
int	scan_list_owned(struct pgl_req *, const json_t *md,
	    const struct scan_req *q);
/* Snapshot id is one of the appends an incremental plan reads. */
int	scan_is_append(const struct scan_req *, int64_t id);
/* The filter projected on spec, made once per spec. */
const struct ice_expr *scan_projected(struct scan_plan *,
	    const struct ice_pspec *);

/* scan_walk.c: read the manifests, deletes first, emitting file scan
 * tasks. */
int	scan_files(struct scan_plan *, struct pgl_err *);
/* What the run did, for a task's result and the logs. */
json_t	*scan_counts(const struct scan_plan *);

/* scan_list_cache.c: a manifest list packed for the worker's cache. */
struct scan_pack {
	unsigned char	*p;
	size_t		 len, cap;
	int		 oom;		/* or a list that cannot be packed */
};
void	scan_pack_ref(struct scan_pack *, const struct ice_manifest_ref *);
void	scan_pack_free(struct scan_pack *);
/* Every packed ref to fn; 0, or -1 for bytes that are not a packed list. */
int	scan_pack_walk(const void *, size_t, ice_manifest_ref_fn, void *);

/* scan_deletes.c */
int	scan_deletes_add(struct scan_deletes *, struct pgl_arena *,
	    const struct scan_delete *, size_t max, struct pgl_err *);
int	scan_deletes_index(struct scan_deletes *, struct pgl_arena *,
	    struct pgl_err *);
/* Call fn for every delete applying to a data file. */
void	scan_deletes_for(const struct scan_deletes *, const char *key,
	    int32_t spec_id, int64_t data_seq, const char *path,
	    void (*fn)(void *, size_t), void *arg);
/* The key of a partition tuple of spec_id (arena). */
const char	*scan_partition_key(struct pgl_arena *, int32_t spec_id,
		    const struct ice_value *, size_t n);

/* scan_json.c: a ContentFile of a full manifest entry, its partition
 * (the text scan_partition_jw made of its tuple) given. */
void	scan_file_jw(struct pgl_jw *, const struct scan_plan *,
	    const struct ice_pspec *, const struct ice_manifest_full *,
	    const char *partition);
void	scan_partition_jw(struct pgl_jw *, const struct ice_pspec *,
	    const struct ice_value *tuple);

/* scan_sink.c */
/* Ready for tasks of a plan with ndeletes delete files; 0 or -1. */
int	scan_sink_start(struct scan_sink *, size_t ndeletes);
int	scan_sink_task(struct scan_sink *, const struct scan_deletes *,
	    const char *data_file, const size_t *dels, size_t ndels,
	    const char *residual, struct pgl_err *);
/* The members file-scan-tasks and delete-files of the part in hand. */
void	scan_sink_body(const struct scan_sink *, struct pgl_jw *);
/* Store the part in hand (and, when final, the header); 0 or -1. */
int	scan_sink_flush(struct scan_sink *, int final, struct pgl_err *);
void	scan_sink_free(struct scan_sink *);
/* The plan task names of a stored plan of n parts. */
json_t	*scan_plan_tasks(const char *plan_id, uint32_t n);

/* scan_routes.c */
void	ice_plan_scan(struct pgl_req *);
void	ice_plan_fetch(struct pgl_req *);
void	ice_plan_cancel(struct pgl_req *);
void	ice_scan_tasks(struct pgl_req *);

/* scan_reply.c */
/* An engine error as the Iceberg envelope. */
void	scan_reply_err(struct pgl_req *, const struct pgl_err *);
/* The same for p's run: 403 when it met a file outside the place. */
void	scan_reply_failed(struct pgl_req *, const struct scan_plan *,
	    const struct pgl_err *);
/* A completed plan's answer: inline, or its plan tasks when stored. */
void	scan_reply_completed(struct pgl_req *, struct scan_plan *,
	    const struct ice_target *, const struct pgl_asset *);
/*
 * The caller's read restrictions, vended credentials or the signing
 * config, as loadTable gives them: 0, or -1 after replying (403 for a
 * restricted caller asking for the files that enforces nothing).
 */
int	scan_add_credentials(struct pgl_req *, const struct ice_target *,
	    const struct pgl_asset *, json_t *);
/* Queue the plan as a task and answer "submitted" (or 429). */
void	scan_submit(struct pgl_req *, const struct ice_target *,
	    const struct pgl_asset *);

/* scan_job.c: plan off the worker's thread; r waits (pended) for it. */
void	scan_job_start(struct pgl_req *, const struct ice_target *,
	    const struct pgl_asset *, json_t *md, const struct scan_req *);

/* scan_gate.c: a tenant's plans in this worker, at most [scan]
 * max_running_per_tenant running and max_waiting_per_tenant waiting. */
struct scan_gate_item {
	struct scan_gate_item	*next;
	void			(*start)(struct scan_gate_item *);
	char			 tenant[PGL_UUID_LEN + 1];
};
/* 0: start it now; 1: waiting (start() runs when a slot frees); -1: the
 * tenant holds every slot, *running and *waiting say how many. */
int	scan_gate_enter(struct scan_gate_item *, int *running, int *waiting);
/* A plan of the tenant ended: the next waiting one starts. */
void	scan_gate_leave(const char *tenant);

/* scan_quota.c: what a tenant's stored plans may hold. */
/* 0 when bytes more (and a plan more, if plans) fit the tenant's quota;
 * -1 after 429 with the figures, or a store error. */
int	scan_quota_check(struct pgl_req *, uint64_t bytes, int plans);
/* The same for a task's parts (no reply): 0, or -1 with err. */
int	scan_quota_room(struct pgl_arena *, const char *tenant,
	    uint64_t bytes, int plans, struct pgl_err *);
/* The plan was fetched: it lives [scan] ttl_secs from now if less
 * than [scan] unfetched_ttl_secs of its life is left. */
void	scan_quota_touch(struct pgl_req *, const char *plan_id,
	    int64_t expires_at_ms);
/* Expiry of a plan stored now, not fetched yet. */
int64_t	scan_unfetched_expiry(void);
/*
 * /metrics: the plans running and waiting, and with scope
 * PGL_METRICS_TENANTS the stored plans and the usage of the tenants
 * holding the most (malloc'd Prometheus text, or NULL).
 */
char	*api_scan_metrics(enum pgl_metrics_scope);

/* scan_task.c: a task of kind "scan_plan". */
enum pgl_task_end	api_scan_plan_run(struct pgl_task_run *,
			    struct pgl_req *, const json_t *params,
			    json_t *result);

#endif
