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
 * A plan reading at most [scan] sync_max_manifests manifests is made in
 * the request (its reads by fetch and replay: api/request/fetch.h); a
 * larger one is a task of kind "scan_plan" (the task id is the plan id)
 * that the runners make while the client polls.  A result is cut into
 * parts of [scan] tasks_per_part file scan tasks (and at most 3 MB of
 * JSON); a result of one part is answered inline and stored nowhere, a
 * larger one is stored (the store's plan parts, ABI 1.11) for [scan] ttl_secs:
 * part 0 is the plan's header, parts 1..n its plan tasks.  A plan task is "<plan id>:<n>".
 */
#ifndef PGL_API_SCAN_H
#define PGL_API_SCAN_H

#include <jansson.h>

#include "api/target.h"
#include "http/request.h"
#include "iceberg/manifest.h"
#include "iceberg/scan.h"
#include "tasks/runner.h"
#include "util/jw.h"

struct pgl_arena;

/* What the request asks, bound to the table (scan_req.c). */
struct scan_req {
	int64_t			 snapshot_id;	/* -1: an empty table */
	int64_t			 start_id;	/* incremental: exclusive; -1 */
	int64_t			*appends;	/* incremental: snapshots */
	size_t			 nappends;
	const json_t		*schema;
	const struct ice_expr	*filter;
	int			 has_filter;
	int32_t			*stats;		/* stats-fields' ids */
	const json_t		**stats_types;	/* their schema types */
	size_t			 nstats;
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

/* One manifest of the snapshot worth reading. */
struct scan_manifest {
	const char	*path;
	int64_t		 length;
	int32_t		 spec_id;
	int		 content;
	int64_t		 sequence_number;
	int64_t		 added_snapshot_id;
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

/* Where file scan tasks go (scan_sink.c). */
struct scan_sink {
	struct pgl_req		*r;
	const char		*plan_id;
	const char		*table;		/* the store's table key */
	int64_t			 expires_at_ms;
	int			 can_store;	/* the store keeps parts */
	int			 store;		/* parts go to the store */
	int			 one_tx;	/* all parts in one transaction */
	int			 in_tx;
	size_t			 per_part;
	struct pgl_jw		 tasks;		/* this part's, as text */
	struct pgl_jw		 deletes;	/* this part's, as text */
	size_t			 ntasks, ndeletes;
	int			*local;		/* delete index -> this part's */
	uint32_t		*stamp;		/* local[i]'s part + 1 */
	uint32_t		 parts;		/* stored so far */
	uint64_t		 files;		/* every part's */
};

/* One planning run, in a request or a task. */
struct scan_plan {
	struct pgl_req			*r;
	const struct pgl_catalog	*cat;
	struct pgl_task_run		*run;		/* a task's; NULL */
	struct scan_req			 q;
	const struct ice_expr		**proj;		/* per spec, lazily */
	const json_t			*md;
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

/* scan_manifests.c: the snapshot's manifests worth reading into p->mf. */
int	scan_list(struct scan_plan *, struct pgl_err *);
/* Ask for every listed manifest; 1 while one is still on its way. */
int	scan_fetch_all(struct scan_plan *, struct pgl_err *);
/* A manifest list's or manifest's bytes (cache: kept in the worker's
 * metadata cache), pinned until api_mcache_unref(*ref). */
int	scan_read(struct scan_plan *, const char *path, int cache,
	    const void **buf, size_t *len, void **ref, struct pgl_err *);
/* err's message prefixed with what failed on which path. */
void	scan_fail(struct pgl_err *, int code, const char *what,
	    const char *path);
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

/* scan_task.c: a task of kind "scan_plan". */
enum pgl_task_end	api_scan_plan_run(struct pgl_task_run *,
			    struct pgl_req *, const json_t *params,
			    json_t *result);

#endif
