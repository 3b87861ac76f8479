/*
 * The events of management mutations, from the route's audit action:
 * the gate knows the action, the resource's id and name and the request;
 * that is all a catalog, warehouse, user, role, service-user, grant,
 * branch or tag event carries (event_types.c), so their handlers note
 * nothing themselves.  A handler that noted an event of its own (a
 * table's, a namespace's) is not given another.
 */
#include <string.h>

#include "api/events/event_note.h"
#include "api/request/req_app.h"
#include "http/request.h"
#include "util/json.h"

#define X	"x-pangolin."

/* How an action's payload is made: which keys get the id and the name. */
enum shape { S_CATALOG, S_WAREHOUSE, S_USER, S_ROLE, S_SERVICE_USER,
	S_BRANCH, S_TAG, S_ROLE_GRANT, S_PERMISSION, S_TENANT, S_ACCESS };

static const struct action {
	const char	*action;
	const char	*type;
	enum shape	 shape;
} actions[] = {
	/* Root's changes to a tenant are that tenant's events. */
	{ "create_tenant", X "create-tenant", S_TENANT },
	{ "update_tenant", X "update-tenant", S_TENANT },
	{ "delete_tenant", X "delete-tenant", S_TENANT },
	{ "create_catalog", X "create-catalog", S_CATALOG },
	{ "update_catalog", X "update-catalog", S_CATALOG },
	{ "delete_catalog", X "delete-catalog", S_CATALOG },
	{ "create_warehouse", X "create-warehouse", S_WAREHOUSE },
	{ "update_warehouse", X "update-warehouse", S_WAREHOUSE },
	{ "delete_warehouse", X "delete-warehouse", S_WAREHOUSE },
	{ "create_user", X "create-user", S_USER },
	{ "update_user", X "update-user", S_USER },
	{ "delete_user", X "delete-user", S_USER },
	{ "create_role", X "create-role", S_ROLE },
	{ "update_role", X "update-role", S_ROLE },
	{ "delete_role", X "delete-role", S_ROLE },
	{ "create_service_user", X "create-service-user", S_SERVICE_USER },
	{ "update_service_user", X "update-service-user", S_SERVICE_USER },
	{ "delete_service_user", X "delete-service-user", S_SERVICE_USER },
	{ "create_branch", X "create-branch", S_BRANCH },
	{ "delete_branch", X "delete-branch", S_BRANCH },
	{ "create_tag", X "create-tag", S_TAG },
	{ "delete_tag", X "delete-tag", S_TAG },
	{ "assign_role", X "grant", S_ROLE_GRANT },
	{ "revoke_role", X "revoke", S_ROLE_GRANT },
	{ "create_access_request", X "access-request-filed", S_ACCESS },
	/* Approved or denied: the body says which (type_of). */
	{ "review_access_request", NULL, S_ACCESS },
	{ "grant_permission", X "grant", S_PERMISSION },
	{ "revoke_permission", X "revoke", S_PERMISSION },
};

static const struct action *
find(const char *action)
{
	size_t	i;

	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		if (strcmp(actions[i].action, action) == 0)
			return (&actions[i]);
	}
	return (NULL);
}

static const char *
body_str(struct pgl_req *r, const char *key)
{
	return (r->body != NULL ? pgl_json_str(r->body, key) : NULL);
}

/* Set key to s when s is given. */
static void
put(json_t *o, const char *key, const char *s)
{
	if (s != NULL)
		json_object_set_new(o, key, json_string(s));
}

/* The payload, for branches and tags the catalog they are in, for a
 * tenant the tenant itself. */
static json_t *
payload(struct pgl_req *r, const struct action *a, const char *id,
    const char *name, const char **catalog, const char **tenant)
{
	json_t		*p = json_object();
	const char	*v;

	if (p == NULL)
		return (NULL);
	switch (a->shape) {
	case S_CATALOG:
		put(p, "catalog-id", id);
		put(p, "catalog-name", name != NULL ? name : id);
		break;
	case S_WAREHOUSE:
		put(p, "warehouse-id", id);
		put(p, "warehouse-name", name != NULL ? name : id);
		break;
	case S_USER:
		put(p, "user-id", id != NULL ? id : name);
		put(p, "username", name);
		break;
	case S_ROLE:
		put(p, "role-id", id != NULL ? id : name);
		put(p, "role-name", name);
		break;
	case S_SERVICE_USER:
		put(p, "service-user-id", id != NULL ? id : name);
		put(p, "name", name);
		break;
	case S_BRANCH:
	case S_TAG:
		put(p, a->shape == S_BRANCH ? "branch" : "tag", name);
		if (a->shape == S_BRANCH)
			put(p, "from-branch", body_str(r, "from_branch"));
		else
			put(p, "branch", body_str(r, "branch"));
		if ((*catalog = body_str(r, "catalog")) == NULL)
			*catalog = pgl_query(r, "catalog");
		break;
	case S_ROLE_GRANT:
		put(p, "principal-type", "user");
		put(p, "principal-id", pgl_param(r, "user_id"));
		if ((v = pgl_param(r, "role_id")) == NULL)
			v = body_str(r, "role-id");
		if (v == NULL)
			v = body_str(r, "role_id");
		put(p, "role-id", v);
		break;
	case S_TENANT:
		if (id == NULL && (id = pgl_param(r, "id")) == NULL) {
			json_decref(p);
			return (NULL);
		}
		put(p, "tenant-id", id);
		put(p, "tenant-name", name);
		*tenant = id;
		break;
	case S_ACCESS:
		put(p, "access-request-id", id);
		if (a->type != NULL) {		/* filed: by the caller */
			put(p, "requester-id", r->who.user_id);
			put(p, "asset", name);
		} else {			/* reviewed: name is the user */
			put(p, "requester-id", name);
			put(p, "decided-by", r->who.user_id);
		}
		break;
	case S_PERMISSION:
		put(p, "principal-type", "user");
		put(p, "principal-id", name != NULL ? name : id);
		break;
	}
	return (p);
}

/* The operation type: the row's, or a review's by its decision. */
static const char *
type_of(struct pgl_req *r, const struct action *a)
{
	const char	*status;

	if (a->type != NULL)
		return (a->type);
	status = body_str(r, "status");
	if (status != NULL && strcmp(status, "approved") == 0)
		return (X "access-request-approved");
	if (status != NULL && strcmp(status, "rejected") == 0)
		return (X "access-request-denied");
	return (NULL);
}

void
api_event_note_action(struct pgl_req *r, const char *tenant,
    const char *action, const char *id, const char *name)
{
	const struct action	*a;
	struct pgl_event_input	 in;
	const char		*catalog = NULL, *type;
	json_t			*p;

	if (action == NULL || (a = find(action)) == NULL ||
	    api_event_handler_noted(r) || !api_events_on() ||
	    (type = type_of(r, a)) == NULL)
		return;
	if ((p = payload(r, a, id, name, &catalog, &tenant)) == NULL)
		return;
	memset(&in, 0, sizeof(in));
	in.operation_type = type;
	in.catalog = catalog;
	in.payload = p;
	api_event_note_audit(r, tenant, &in);
	json_decref(p);
}
