/*
 * Role-based access decisions (pangolin-api.md §2.9, §3.5), pure: grants
 * in, yes or no out.  The api layer loads a principal's grants (its roles'
 * and its direct permissions) once per request and asks here.
 *
 * Scopes nest tenant ⊃ catalog ⊃ namespace (and its child namespaces) ⊃
 * asset; a tag scope covers the assets whose business metadata carries the
 * tag.  `all` implies every action, `write` implies read, update, delete,
 * create and list, `read` implies list.
 */
#ifndef PGL_RBAC_H
#define PGL_RBAC_H

#include <stddef.h>

#include <jansson.h>

#include "util/uuid.h"

enum pgl_action {
	PGL_ACT_READ		= 1 << 0,
	PGL_ACT_WRITE		= 1 << 1,
	PGL_ACT_DELETE		= 1 << 2,
	PGL_ACT_CREATE		= 1 << 3,
	PGL_ACT_UPDATE		= 1 << 4,
	PGL_ACT_LIST		= 1 << 5,
	PGL_ACT_ALL		= 1 << 6,
	PGL_ACT_INGEST_BRANCHING = 1 << 7,
	PGL_ACT_EXPERIMENTAL_BRANCHING = 1 << 8,
	PGL_ACT_MANAGE_DISCOVERY = 1 << 9
};

enum pgl_scope_kind {
	PGL_SCOPE_TENANT,
	PGL_SCOPE_CATALOG,
	PGL_SCOPE_NAMESPACE,
	PGL_SCOPE_ASSET,
	PGL_SCOPE_TAG
};

#define PGL_RBAC_NS_MAX	4096		/* joined namespace, bytes */
#define PGL_RBAC_TAG_MAX 256

struct pgl_arena;

struct pgl_grant {
	enum pgl_scope_kind	kind;
	unsigned		actions;	/* enum pgl_action bits */
	char			catalog_id[PGL_UUID_LEN + 1];
	char			asset_id[PGL_UUID_LEN + 1];
	const char		*ns;	/* levels joined by 0x1f, or "" */
	const char		*tag;	/* or "" */
};

/*
 * What a request touches.  Deeper fields may be empty: a catalog-level
 * route leaves ns and asset_id empty; an asset that does not exist yet
 * (create) or no longer does has no asset_id.
 */
struct pgl_target {
	const char	*catalog_id;
	const char	*ns;			/* joined by 0x1f, or "" */
	const char	*asset_id;		/* or "" */
	const char	*const *tags;		/* the asset's tags */
	size_t		 ntags;
	/* The asset's business metadata says discoverable: anyone of the
	 * tenant sees it (§3.5), though seeing is not reading. */
	int		 discoverable;
};

/* One action name ("read", "ingest-branching") -> bit; 0 if unknown. */
unsigned	pgl_action_parse(const char *);
const char	*pgl_action_name(unsigned bit);
/* The actions a set of granted ones implies (all, write, read). */
unsigned	pgl_actions_implied(unsigned granted);

/*
 * Parse a PermissionScope object and an array of Action names into g,
 * its strings in a.  Namespaces are dotted in the API ("a.b"); levels are
 * kept joined by 0x1f like the store's.  Returns 0, or -1 with why set.
 */
int	pgl_grant_parse(const json_t *scope, const json_t *actions,
	    struct pgl_arena *a, struct pgl_grant *g, const char **why);

/*
 * n grants and their strings as one malloc'd block (free() it), e.g. to
 * keep them past a request; NULL when out of memory.  *size is its size.
 */
struct pgl_grant	*pgl_grants_copy(const struct pgl_grant *, size_t n,
			    size_t *size);

/* 1 if g's scope covers the target. */
int	pgl_grant_covers(const struct pgl_grant *, const struct pgl_target *);

/* 1 if some grant covers t and carries (or implies) action. */
int	pgl_rbac_allows(const struct pgl_grant *, size_t n, unsigned action,
	    const struct pgl_target *t);

/*
 * 1 if the caller may see t in a list: t is a discoverable asset, or a
 * grant implying read or list (or manage-discovery) covers t, or lies
 * inside t (a namespace grant makes its catalog and its parent namespaces
 * visible), or is a tag grant inside t's tenant (tagged assets may be
 * anywhere).
 */
int	pgl_rbac_sees(const struct pgl_grant *, size_t n,
	    const struct pgl_target *t);

/* 1 if one of the grants has a tag scope: only then do an asset's tags
 * decide anything, and need reading. */
int	pgl_rbac_has_tag_grants(const struct pgl_grant *, size_t n);

/* The actions that let a grant show things in lists and searches. */
#define PGL_ACT_SEES	(PGL_ACT_READ | PGL_ACT_LIST | PGL_ACT_MANAGE_DISCOVERY)

#endif
