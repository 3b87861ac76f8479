/*
 * The feed's operation types (event_types.h): the proposal's twelve as
 * its Operation schemas have them, then Pangolin's own.  Adding a type
 * is one row here and one section of docs/events.md.
 */
#include <string.h>

#include "events/event_types.h"

#define TABLE_OP	(PGL_EVF_IDENT | PGL_EVF_TABLE_UUID)
#define VIEW_OP		(PGL_EVF_IDENT | PGL_EVF_VIEW_UUID)
#define X		PGL_EVENT_X_PREFIX

/* Pangolin's payloads: small, typed, no secrets, no metadata bodies. */
static const struct pgl_jfield branch_f[] = {
	{ "branch", PGL_J_STRING, 1 },
	{ "from-branch", PGL_J_STRING, 0 },
	{ "assets", PGL_J_STRLIST, 0 },		/* a partial branch's */
	{ NULL, 0, 0 }
};
static const struct pgl_jfield branch_del_f[] = {
	{ "branch", PGL_J_STRING, 1 },
	{ NULL, 0, 0 }
};
static const struct pgl_jfield tag_f[] = {
	{ "tag", PGL_J_STRING, 1 },
	{ "branch", PGL_J_STRING, 0 },
	{ NULL, 0, 0 }
};
static const struct pgl_jfield merge_f[] = {
	{ "merge-id", PGL_J_STRING, 1 },
	{ "source-branch", PGL_J_STRING, 1 },
	{ "target-branch", PGL_J_STRING, 1 },
	{ "status", PGL_J_STRING, 1 },
	{ "conflicts", PGL_J_INT, 0 },
	{ NULL, 0, 0 }
};
static const struct pgl_jfield catalog_f[] = {
	{ "catalog-id", PGL_J_STRING, 0 },
	{ "catalog-name", PGL_J_STRING, 1 },
	{ "catalog-type", PGL_J_STRING, 0 },
	{ "warehouse", PGL_J_STRING, 0 },
	{ NULL, 0, 0 }
};
static const struct pgl_jfield warehouse_f[] = {
	{ "warehouse-id", PGL_J_STRING, 0 },
	{ "warehouse-name", PGL_J_STRING, 1 },
	{ "storage-type", PGL_J_STRING, 0 },
	{ NULL, 0, 0 }
};
static const struct pgl_jfield tenant_f[] = {
	{ "tenant-id", PGL_J_STRING, 1 },
	{ "tenant-name", PGL_J_STRING, 0 },
	{ NULL, 0, 0 }
};
static const struct pgl_jfield user_f[] = {
	{ "user-id", PGL_J_STRING, 1 },
	{ "username", PGL_J_STRING, 0 },
	{ "role", PGL_J_STRING, 0 },
	{ NULL, 0, 0 }
};
static const struct pgl_jfield role_f[] = {
	{ "role-id", PGL_J_STRING, 1 },
	{ "role-name", PGL_J_STRING, 0 },
	{ NULL, 0, 0 }
};
static const struct pgl_jfield service_user_f[] = {
	{ "service-user-id", PGL_J_STRING, 1 },
	{ "name", PGL_J_STRING, 0 },
	{ NULL, 0, 0 }
};
static const struct pgl_jfield grant_f[] = {
	{ "principal-type", PGL_J_STRING, 1 },	/* user, role, service-user */
	{ "principal-id", PGL_J_STRING, 1 },
	{ "role-id", PGL_J_STRING, 0 },
	{ "scope", PGL_J_STRING, 0 },
	{ "actions", PGL_J_STRLIST, 0 },
	{ NULL, 0, 0 }
};
static const struct pgl_jfield access_f[] = {
	{ "access-request-id", PGL_J_STRING, 1 },
	{ "requester-id", PGL_J_STRING, 0 },
	{ "asset", PGL_J_STRING, 0 },
	{ "decided-by", PGL_J_STRING, 0 },
	{ NULL, 0, 0 }
};
/* A SQL function's (issue 70): the proposal has no function type yet. */
static const struct pgl_jfield function_f[] = {
	{ "function-uuid", PGL_J_STRING, 1 },
	{ NULL, 0, 0 }
};
/* A subscription's test event: the dispatcher hands it to that one
 * subscription only, past its filter (api/webhooks/). */
static const struct pgl_jfield webhook_test_f[] = {
	{ "webhook-id", PGL_J_STRING, 1 },
	{ NULL, 0, 0 }
};
static const struct pgl_jfield task_f[] = {
	{ "task-id", PGL_J_STRING, 1 },
	{ "task-type", PGL_J_STRING, 1 },
	{ "state", PGL_J_STRING, 1 },
	{ "previous-state", PGL_J_STRING, 0 },
	{ NULL, 0, 0 }
};

#define CRUD(kind, fields)						\
	{ X "create-" kind, kind, PGL_EVF_PAYLOAD, fields },		\
	{ X "update-" kind, kind, PGL_EVF_PAYLOAD, fields },		\
	{ X "delete-" kind, kind, PGL_EVF_PAYLOAD, fields }

static const struct pgl_event_type types[] = {
	/* The proposal's OperationType, each as its *Operation schema. */
	{ "create-table", "table", TABLE_OP | PGL_EVF_UPDATES, NULL },
	{ "register-table", "table", TABLE_OP | PGL_EVF_UPDATES_OPT, NULL },
	{ "drop-table", "table", TABLE_OP | PGL_EVF_PURGE, NULL },
	{ "update-table", "table", TABLE_OP | PGL_EVF_UPDATES |
	    PGL_EVF_REQUIREMENTS, NULL },
	{ "rename-table", "table", PGL_EVF_RENAME | PGL_EVF_TABLE_UUID,
	    NULL },
	{ "create-view", "view", VIEW_OP | PGL_EVF_UPDATES, NULL },
	{ "drop-view", "view", VIEW_OP, NULL },
	{ "update-view", "view", VIEW_OP | PGL_EVF_UPDATES |
	    PGL_EVF_REQUIREMENTS, NULL },
	{ "rename-view", "view", PGL_EVF_RENAME | PGL_EVF_VIEW_UUID, NULL },
	{ "create-namespace", "namespace", PGL_EVF_NAMESPACE |
	    PGL_EVF_PROPERTIES, NULL },
	{ "update-namespace-properties", "namespace", PGL_EVF_NAMESPACE |
	    PGL_EVF_NS_CHANGES, NULL },
	{ "drop-namespace", "namespace", PGL_EVF_NAMESPACE, NULL },

	/* Pangolin's: catalog objects the proposal has no type for. */
	{ X "unregister-table", "table", TABLE_OP, NULL },
	{ X "register-view", "view", VIEW_OP, NULL },
	/* SQL functions: created (or restored), replaced, dropped. */
	{ X "create-function", "function", PGL_EVF_IDENT | PGL_EVF_PAYLOAD,
	    function_f },
	{ X "replace-function", "function", PGL_EVF_IDENT | PGL_EVF_PAYLOAD,
	    function_f },
	{ X "drop-function", "function", PGL_EVF_IDENT | PGL_EVF_PAYLOAD,
	    function_f },
	/* Branching. */
	{ X "create-branch", "branch", PGL_EVF_PAYLOAD, branch_f },
	{ X "delete-branch", "branch", PGL_EVF_PAYLOAD, branch_del_f },
	{ X "create-tag", "tag", PGL_EVF_PAYLOAD, tag_f },
	{ X "delete-tag", "tag", PGL_EVF_PAYLOAD, tag_f },
	{ X "merge", "merge", PGL_EVF_PAYLOAD, merge_f },
	/* The tenant's structure and its people. */
	CRUD("catalog", catalog_f),
	CRUD("warehouse", warehouse_f),
	CRUD("tenant", tenant_f),
	CRUD("user", user_f),
	CRUD("role", role_f),
	CRUD("service-user", service_user_f),
	{ X "grant", "grant", PGL_EVF_PAYLOAD, grant_f },
	{ X "revoke", "grant", PGL_EVF_PAYLOAD, grant_f },
	{ X "access-request-filed", "access-request", PGL_EVF_PAYLOAD,
	    access_f },
	{ X "access-request-approved", "access-request", PGL_EVF_PAYLOAD,
	    access_f },
	{ X "access-request-denied", "access-request", PGL_EVF_PAYLOAD,
	    access_f },
	{ X "task-state", "task", PGL_EVF_PAYLOAD | PGL_EVF_OF_TABLE, task_f },
	{ X "webhook-test", "webhook", PGL_EVF_PAYLOAD, webhook_test_f },
};

const struct pgl_event_type *
pgl_event_type_find(const char *name)
{
	size_t	i;

	if (name == NULL)
		return (NULL);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (strcmp(types[i].name, name) == 0)
			return (&types[i]);
	}
	return (NULL);
}

const struct pgl_event_type *
pgl_event_types(size_t *n)
{
	*n = sizeof(types) / sizeof(types[0]);
	return (types);
}

int
pgl_event_object_type_valid(const char *kind)
{
	return (kind != NULL && (strcmp(kind, "namespace") == 0 ||
	    strcmp(kind, "table") == 0 || strcmp(kind, "view") == 0 ||
	    strcmp(kind, "function") == 0));
}
