/*
 * The router: one static table of (method, path template, handler, rule)
 * matched segment by segment.  Pure code, no Kore, so it is unit-tested.
 * The rule (who may call the route, what it changes) belongs to the
 * application; this layer only carries it to the application's hooks.
 */
#ifndef PGL_ROUTER_H
#define PGL_ROUTER_H

#include <stddef.h>

enum pgl_method {
	PGL_GET		= 1 << 0,
	PGL_POST	= 1 << 1,
	PGL_PUT		= 1 << 2,
	PGL_DELETE	= 1 << 3,
	PGL_HEAD	= 1 << 4,
	PGL_PATCH	= 1 << 5,
	PGL_OPTIONS	= 1 << 6
};

/* Route flags. */
#define ROUTE_JSON	0x01	/* takes a JSON body: 415 without one */
#define ROUTE_NO_STORE	0x02	/* answers without the metadata store */
#define ROUTE_OWN_AUTH	0x04	/* reads Authorization itself (OAuth) */
#define ROUTE_COMMIT	0x08	/* a commit: runs on a commit worker (kore_move.c) */

#define PGL_MAX_PARAMS	8
#define PGL_MAX_SEGS	32
#define PGL_PATH_MAX	8192

struct pgl_req;
struct pgl_rule;
typedef void	(*pgl_handler)(struct pgl_req *);

struct pgl_route {
	int			 method;
	const char		*path;	/* "/api/v1/catalogs/{name}" */
	pgl_handler		 fn;
	const struct pgl_rule	*rule;	/* the application's, opaque here */
	int			 flags;
	/*
	 * The application's handler for the route when its resource lives
	 * elsewhere (a federated catalog's remote), or NULL: which applies
	 * is the application's call, like the rule.
	 */
	pgl_handler		 remote;
};

struct pgl_match {
	const struct pgl_route	*route;		/* NULL: no match */
	int			 allowed;	/* methods of matching paths */
	size_t			 nparams;
	const char		*names[PGL_MAX_PARAMS];	/* "{name}" -> "name" */
	size_t			 name_len[PGL_MAX_PARAMS];
	char			*values[PGL_MAX_PARAMS]; /* percent-decoded */
	char			 buf[PGL_PATH_MAX];
};

enum pgl_match_result {
	PGL_MATCH_OK,
	PGL_MATCH_NOT_FOUND,
	PGL_MATCH_BAD_METHOD,	/* path known, method not: 405 */
	PGL_MATCH_BAD_PATH	/* undecodable escape or too long: 400 */
};

int		 pgl_method_parse(const char *);
const char	*pgl_method_name(int);

/* Match method + raw path (no query string) against the table. */
enum pgl_match_result	pgl_router_match(const struct pgl_route *, size_t n,
			    int method, const char *path, struct pgl_match *);

/* A decoded path parameter by name, or NULL. */
const char	*pgl_match_param(const struct pgl_match *, const char *name);

/* Percent-decode in place; -1 on a bad escape or an encoded NUL. */
int		 pgl_url_decode(char *);

#endif
