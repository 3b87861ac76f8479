/*
 * The branching room: branches (list, get, create inline or as a task,
 * delete), tags, the commit history of a branch, and merges with their
 * conflicts and the task a large merge runs as.  Its routes are the
 * handlers declared below; the rest of the server uses only the merge
 * task's runner (tasks/) and the branch JSON writer.
 *
 * Branch merges (pangolin-api.md §2.5, §4; the top section, item 3).
 *
 * A merge compares, per asset, three versions: the source branch's and
 * the target's (list_all_assets_for_branch) and the base's, the asset as
 * the merge base commit left it (its last Put or Delete along the base's
 * first-parent history: merge commits record what they brought in, so
 * that chain is complete).  The outcome is a plan, kept in the merge
 * operation's document: the asset changes to make on the target, and the
 * conflicts left to resolve.  complete applies the plan, the target head
 * move and the merge commit (two parents) in one store transaction.
 *
 * A version is a JSON object {id, kind, location, metadata_location,
 * properties} or JSON null (absent).
 */
#ifndef PGL_API_MERGE_H
#define PGL_API_MERGE_H

#include <jansson.h>

#include "http/request.h"
#include "iceberg/manifest.h"
#include "pangolin/store.h"
#include "tasks/runner.h"

/* branching/branches.c */
void	api_branch_list(struct pgl_req *);
void	api_branch_get(struct pgl_req *);
void	api_branch_delete(struct pgl_req *);
/* branch_view.c: a branch's JSON (name, head_commit_id, branch_type,
 * assets), as stored. */
json_t	*api_branch_json(const struct pgl_branch *);

/*
 * branching/branch_create.c: POST /api/v1/branches, inline or, past
 * [branch] inline_max_assets rows to copy, as a task of kind "branch"
 * (api_branch_run).  api_branch_assets: the assets on a branch (one
 * store count), 0 or -1 after replying.
 */
void	 api_branch_create(struct pgl_req *);
int	 api_branch_assets(struct pgl_req *, const char *catalog,
	    const char *branch, uint64_t *total);
enum pgl_task_end api_branch_run(struct pgl_task_run *, struct pgl_req *,
	    const json_t *params, json_t *result);

/* branching/branches.c, continued: commits and tags. */
void	api_branch_commits(struct pgl_req *);
/*
 * branching/branch_view.c: what a reader may see of a branch (issue 67).
 * api_branch_log answers b's commit log, newest first, with the
 * operations the caller may read (a commit with none left out);
 * api_branch_seen_json is api_branch_json with only the partial-branch
 * asset names the caller may read; api_branch_reads_all: 1 when the
 * caller may read every object of the catalog (nothing to filter).
 */
/* pg as api_list_page gave it: with a page_token, the log resumes at
 * the parent of the commit it names (a keyset page of the chain), which
 * must be one of the catalog's. */
struct api_page;
void	api_branch_log(struct pgl_req *, const struct pgl_catalog *,
	    const struct pgl_branch *, const struct api_page *);
json_t	*api_branch_seen_json(struct pgl_req *, const struct pgl_catalog *,
	    const struct pgl_branch *);
int	api_branch_reads_all(struct pgl_req *, const char *catalog_id);
void	api_tag_list(struct pgl_req *);
void	api_tag_create(struct pgl_req *);
void	api_tag_delete(struct pgl_req *);

/* branching/merge_routes.c: the routes of §2.5. */
void	api_merge_start(struct pgl_req *);
void	api_merge_list(struct pgl_req *);
void	api_merge_get(struct pgl_req *);
void	api_merge_conflicts(struct pgl_req *);
void	api_merge_resolve(struct pgl_req *);
void	api_merge_complete(struct pgl_req *);
void	api_merge_abort(struct pgl_req *);
void	api_branch_rebase(struct pgl_req *);

/*
 * branching/merge_routes.c, shared with the task kind "merge" (branching/merge_task.c): the
 * read-only part of a merge (the base and the plan) apart from what it
 * records (the operation, its conflicts, the apply), so a task can plan
 * outside its store transaction.
 */
struct merge_tick;
struct merge_prepared {
	const char	*base;		/* merge base commit, or NULL */
	json_t		*plan, *conflicts;
};
int	 merge_find_branch(struct pgl_req *, const char *catalog,
	    const char *name, struct pgl_branch *);
/*
 * merge_op.c, for the routes: the operation's public form, its catalog
 * (authorized for action), loaded and saved with a new status, the
 * experimental-branch rule, finishing it (apply and merge commit), the
 * time as the documents write it.  Each int is 0, or -1 after replying.
 */
json_t	*merge_op_public(const json_t *doc);
int	 merge_catalog_for(struct pgl_req *, const char *name, unsigned action,
	    struct pgl_catalog *);
int	 merge_load_op(struct pgl_req *, const char *id, unsigned action,
	    struct pgl_merge_op *, json_t **doc, struct pgl_catalog *);
int	 merge_save_op(struct pgl_req *, struct pgl_merge_op *, json_t *doc,
	    const char *status);
int	 merge_allowed(struct pgl_req *, const struct pgl_catalog *,
	    const struct pgl_branch *s, const struct pgl_branch *t);
int	 merge_finish(struct pgl_req *, const struct pgl_catalog *,
	    struct pgl_merge_op *, json_t *doc, const json_t *resolutions);
const char	*merge_now_text(struct pgl_req *);
/* 0; 1 the merge must run as a task (files_later); -1 after replying. */
int	 merge_prepare(struct pgl_req *, const struct pgl_catalog *,
	    const struct pgl_branch *s, const struct pgl_branch *t,
	    struct merge_tick *, struct merge_prepared *);
/*
 * Record p (it takes p's plan and conflicts): 0 with the completed
 * operation's document in *done; -1 after replying (409 with
 * r->app->keep_on_error set: the merge stopped on conflicts).
 */
int	 merge_record(struct pgl_req *, const struct pgl_catalog *,
	    const struct pgl_branch *s, const struct pgl_branch *t,
	    struct merge_prepared *p, json_t **done);

/*
 * branching/merge_task.c: a merge too large for the event loop.  merge_is_large:
 * 1 when either branch holds more assets than [merge] inline_max_assets
 * (one store count each), 0 when not, -1 after replying.  merge_queue
 * queues it as a task (rebase: t takes s in as api_branch_rebase) and
 * answers 202 with the task, or an error (429 past the task quota).
 */
int	 merge_is_large(struct pgl_req *, const struct pgl_catalog *,
	    const struct pgl_branch *s, const struct pgl_branch *t);
void	 merge_queue(struct pgl_req *, const struct pgl_catalog *,
	    const struct pgl_branch *s, const struct pgl_branch *t,
	    int rebase);

/* branching/merge_task.c, in a task runner: the task kind "merge". */
enum pgl_task_end	api_merge_run(struct pgl_task_run *, struct pgl_req *,
			    const json_t *params, json_t *result);

/* branching/merge_base.c */
/* The version of an asset as a store row describes it. */
json_t	*merge_ver_asset(const struct pgl_asset *);
/* 1 if two versions (or absences) are the same. */
int	 merge_ver_equal(const json_t *a, const json_t *b);
/* "ns<0x1f>name": the key of an asset in every map below. */
char	*merge_key(struct pgl_req *, const char *ns, const char *name);
/*
 * Every asset's base version, keyed by merge_key, from one ancestry
 * query: an object whose values are versions (null: deleted).  An asset
 * never named along the way is not a key.  base NULL: {}.
 */
int	 merge_base_versions(struct pgl_req *, const char *base, json_t **out,
	    struct pgl_err *);

/* branching/merge_table.c: two changes to one Iceberg table. */
struct merge_outcome {
	json_t	*merged;	/* the version to put on the target */
	json_t	*conflict_type;	/* or this, with description */
	char	 description[512];
};
/*
 * 0 with *out filled, -1 after replying.  dry (a preview): decide the
 * same way, write nothing; a merged version is then the body's, as a
 * sign that the table would merge.
 */
int	 merge_table(struct pgl_req *, const struct pgl_catalog *,
	    const char *display, const json_t *base, const json_t *source,
	    const json_t *target, int dry, struct merge_outcome *out);

/*
 * branching/merge_append.c: data changes on both sides as one new snapshot on the
 * target's; its add-snapshot and set-snapshot-ref into updates.  1 done,
 * 0 not mergeable (the partitions both touched into overlapping, when
 * that is why), -1 after replying.  dry: 1 once it is known to merge,
 * with nothing written and nothing in updates.
 */
int	 merge_appends(struct pgl_req *, const struct pgl_catalog *,
	    const json_t *base, const json_t *source, const json_t *target,
	    int dry, json_t *updates, json_t *overlapping);

/*
 * branching/merge_parts.c: 1 if a manifest of a can hold rows of a partition some
 * manifest of b holds (summaries compared per partition field, with md's
 * specs and schema); those of a into overlapping ("name=v/...").
 */
int	 merge_touching(struct pgl_req *, const json_t *md,
	    const struct ice_manifest_ref *a, size_t na,
	    const struct ice_manifest_ref *b, size_t nb, json_t *overlapping);

/*
 * Called now and then while a plan is computed (a task's progress and
 * lease); non-zero stops the plan (it replies 503).
 */
struct merge_tick {
	int	(*fn)(void *arg, uint64_t done, uint64_t total);
	void	*arg;
};

/* branching/merge_plan.c: the three-way comparison of two branches. */
struct merge_inputs {
	const struct pgl_catalog	*catalog;
	const struct pgl_branch		*source, *target;
	const char			*base_commit;	/* NULL: none */
	struct merge_tick		*tick;		/* NULL: none */
	/*
	 * A client's merge on an object store: a table both branches
	 * changed is not merged here, where its files would be read and
	 * written on the event loop; the plan stops with 1 and the merge
	 * goes to a task (branching/merge_task.c).
	 */
	int				 files_later;
	/*
	 * A preview (branching/merge_preview.c): the same decisions, no
	 * file written.  touched, when set, receives every asset either
	 * side changed since the base: {key, ns, name, base, source,
	 * target}, the versions as compared (null: absent).
	 */
	int				 dry;
	json_t				*touched;
};
/*
 * The plan (a JSON array of {key, ns, name, action: put|delete|conflict,
 * source, target, merged, conflict}) and the conflicts found (an array of
 * {conflict_type, description, asset_id, asset_name, key}); 0, 1 (no plan:
 * files_later met a table to merge), or -1 after replying.
 */
int	 merge_plan(struct pgl_req *, const struct merge_inputs *,
	    json_t **plan, json_t **conflicts);

/*
 * branching/merge_preview.c: GET /api/v1/branches/merge/preview, what a
 * merge would do, computed by merge_plan with nothing written.
 */
void	 api_merge_preview(struct pgl_req *);

/* branching/merge_apply.c: inside the caller's transaction. */
/*
 * Apply the operation doc's plan to its target with each conflict's
 * resolution (resolutions: conflict id -> MergeConflict doc), move the
 * target head from the recorded one to a new merge commit.  0 with the
 * commit id; -1 after replying (409 when the target moved).
 */
int	 merge_apply(struct pgl_req *, const struct pgl_catalog *,
	    json_t *op, const json_t *resolutions, const char **commit_id);

#endif
