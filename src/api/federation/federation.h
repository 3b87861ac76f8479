/*
 * Federated catalogs (pangolin-api.md §2.11 "Federated", "Proxying";
 * issue 26 item 6): a catalog whose namespaces, tables and views live in
 * another Iceberg REST catalog, the remote.  Pangolin keeps only the
 * catalog's row: its name, and in federated_config.properties where the
 * remote is (uri, warehouse) and how to sign in to it (one of: token;
 * username and password; api_key; credential "id:secret" for OAuth2
 * client credentials).  Secrets there, any key that names one in any
 * spelling (mask.c), are sealed at rest and masked in answers.
 *
 * Every Iceberg call on such a catalog (routes.c names them: the route's
 * `remote` handler) is authorized by the gate first, then sent to the
 * remote by a write-pool thread with the catalog's own credentials,
 * never the caller's, and the remote's status, body, Content-Type and
 * ETag come back as they are; the worker serves others meanwhile.  The
 * remote's /v1/config is read first (kept config_ttl_secs) for the
 * prefix it asks for.  Its origin obeys the outbound allow-list
 * ([storage] allowed_endpoints), also at connect time.  Calls one worker
 * has under way for one tenant to one remote origin are capped, and for
 * one tenant in all; a circuit breaker per tenant and remote origin
 * stops calling a remote that keeps failing, for that tenant only.
 * Nothing is ever served from the local store for such a catalog.
 *
 * The room uses the shared layer of src/api only.
 */
#ifndef PGL_API_FEDERATION_H
#define PGL_API_FEDERATION_H

#include <jansson.h>

#include "http/request.h"
#include "tasks/runner.h"

/* /api/v1/federated-catalogs (manage.c). */
void	api_fed_list(struct pgl_req *);
void	api_fed_create(struct pgl_req *);
void	api_fed_get(struct pgl_req *);
void	api_fed_delete(struct pgl_req *);
void	api_fed_test(struct pgl_req *);
void	api_fed_sync(struct pgl_req *);
void	api_fed_stats(struct pgl_req *);

/* Every /v1 route on a federated catalog: sent to the remote (proxy.c). */
void	api_fed_forward(struct pgl_req *);
/* A route that is Pangolin's own (table maintenance): 400 on one. */
void	api_fed_refuse(struct pgl_req *);

/*
 * federated_config of a catalog create or update (conf.c): checked
 * (properties of strings, a uri the allow-list admits, one sign-in kind)
 * and its secrets sealed; stored: the catalog's stored text (a masked
 * value sent back keeps it), or NULL.  The text to store, or NULL after
 * a reply.
 */
const char	*api_fed_config_prepare(struct pgl_req *, const json_t *cfg,
		    const char *stored);
/* Stored federated_config text with its secrets masked, in the arena. */
const char	*api_fed_config_masked(struct pgl_req *, const char *text);

/* The worker is stopping: calls under way to remotes give up now. */
void	api_fed_stop(void);

/* The task kind "federated_sync" (sync.c), run by a task runner. */
enum pgl_task_end	api_fed_sync_run(struct pgl_task_run *,
			    struct pgl_req *, const json_t *params,
			    json_t *result);

#endif
