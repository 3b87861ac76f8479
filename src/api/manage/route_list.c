/*
 * The route table described, for `pangolin --list-routes` (each method
 * and path) and `pangolin --list-rules` (each route and the rule it
 * declares, as JSON): what the tests compare with the contract and the
 * OpenAPI document, and what the authorization matrix calls every route
 * by (tests/integration/authz_matrix.test.js).  The table is handed in
 * (main.c): only main.c names pgl_routes.  --list-rules also checks that
 * each rule holds together, and the build runs it, so a route with no
 * rule, or one that no rule of routes.c would make, does not build.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/federation/federation.h"
#include "api/gate.h"
#include "api/manage/manage.h"

static const char *const who_names[] = {
	[WHO_PUBLIC] = "PUBLIC", [WHO_ANY] = "ANYONE", [WHO_SEE] = "SEES",
	[WHO_PERM] = "MAY", [WHO_ADMIN] = "ADMIN",
	[WHO_TENANT_ADMIN] = "TENANT_ADMIN", [WHO_ROOT] = "ROOT"
};

static const char *const scope_names[] = {
	[SC_NONE] = NULL, [SC_TENANT] = "TENANT", [SC_PREFIX] = "PREFIX",
	[SC_NS] = "NS", [SC_TABLE] = "TABLE", [SC_VIEW] = "VIEW",
	[SC_CATALOG] = "CATALOG", [SC_CATALOG_QUERY] = "CATALOG_QUERY",
	[SC_MNS] = "MNS", [SC_MASSET] = "MASSET", [SC_ASSET_ID] = "ASSET_ID",
	[SC_FUNCTION] = "FUNCTION"
};

#define NWHO	(sizeof(who_names) / sizeof(who_names[0]))
#define NSCOPE	(sizeof(scope_names) / sizeof(scope_names[0]))

void
api_routes_list(FILE *out, const struct pgl_route *t, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		fprintf(out, "%s %s\n", pgl_method_name(t[i].method),
		    t[i].path);
}

/* Why a route's rule does not hold together, or NULL. */
static const char *
rule_fault(const struct pgl_route *rt)
{
	const struct pgl_rule	*r = rt->rule;
	int			 perm, see;

	if (r == NULL)
		return ("no rule");
	if ((unsigned)r->who >= NWHO || (unsigned)r->scope >= NSCOPE)
		return ("a rule no macro of routes.c makes");
	perm = r->who == WHO_PERM;
	see = r->who == WHO_SEE;
	if (perm && strcmp(pgl_action_name(r->action), "unknown") == 0)
		return ("MAY names no one action");
	if (!perm && r->action != 0)
		return ("an action on a rule that is not MAY");
	if ((perm || see) != (r->scope != SC_NONE))
		return ("a scope only SEES and MAY have, and they must");
	if (r->resource != NULL && r->audit == NULL)
		return ("a resource type without an audit action");
	if (strcmp(pgl_method_name(rt->method), "OTHER") == 0 ||
	    rt->path == NULL || rt->path[0] != '/' || rt->fn == NULL)
		return ("not a method, a path and a handler");
	return (NULL);
}

/* The rule as routes.c spells it, JSON-escaped: MAY(READ, TABLE). */
static void
print_rule(FILE *out, const struct pgl_rule *r)
{
	const char	*p;
	int		 args = 0;

	fprintf(out, "%s%s%s", who_names[r->who], r->audit != NULL ?
	    "_DOES" : "", r->resource != NULL ? "_TO" : "");
	if (r->who == WHO_PERM) {
		fputc('(', out);
		for (p = pgl_action_name(r->action); *p != '\0'; p++)
			fputc(*p == '-' ? '_' : toupper((unsigned char)*p),
			    out);
		fputc(',', out);
		args++;
	}
	if (scope_names[r->scope] != NULL)
		fprintf(out, "%s%s", args++ ? " " : "(", scope_names[r->scope]);
	if (r->audit != NULL)
		fprintf(out, "%s\\\"%s\\\"", args++ ? ", " : "(", r->audit);
	if (r->resource != NULL)
		fprintf(out, ", \\\"%s\\\"", r->resource);
	if (args)
		fputc(')', out);
}

/* "x" or null. */
static void
print_str(FILE *out, const char *s)
{
	if (s != NULL)
		fprintf(out, "\"%s\"", s);
	else
		fputs("null", out);
}

static void
print_route(FILE *out, const struct pgl_route *rt)
{
	static const struct { int flag; const char *name; } flags[] = {
		{ ROUTE_JSON, "JSON" }, { ROUTE_NO_STORE, "NOSTORE" },
		{ ROUTE_OWN_AUTH, "OWNAUTH" }, { ROUTE_COMMIT, "COMMIT" },
	};
	const struct pgl_rule	*r = rt->rule;
	size_t			 j;
	int			 n = 0;

	fprintf(out, "{\"method\":\"%s\",\"path\":\"%s\",\"rule\":\"",
	    pgl_method_name(rt->method), rt->path);
	print_rule(out, r);
	fprintf(out, "\",\"who\":\"%s\",\"action\":", who_names[r->who]);
	print_str(out, r->who == WHO_PERM ? pgl_action_name(r->action) : NULL);
	fputs(",\"scope\":", out);
	print_str(out, scope_names[r->scope]);
	fputs(",\"audit\":", out);
	print_str(out, r->audit);
	fputs(",\"flags\":[", out);
	for (j = 0; j < sizeof(flags) / sizeof(flags[0]); j++) {
		if (rt->flags & flags[j].flag)
			fprintf(out, "%s\"%s\"", n++ ? "," : "", flags[j].name);
	}
	fputs("],\"remote\":", out);
	print_str(out, rt->remote == api_fed_forward ? "forward" :
	    rt->remote == api_fed_refuse ? "refuse" : NULL);
	fputc('}', out);
}

int
api_routes_rules(FILE *out, const struct pgl_route *t, size_t n)
{
	const char	*why;
	size_t		 i;
	int		 bad = 0, first = 1;

	fputs("[", out);
	for (i = 0; i < n; i++) {
		if ((why = rule_fault(&t[i])) != NULL) {
			fprintf(stderr, "pangolin: route %s %s: %s\n",
			    pgl_method_name(t[i].method), t[i].path, why);
			bad = 1;
			continue;
		}
		fputs(first ? "\n" : ",\n", out);
		print_route(out, &t[i]);
		first = 0;
	}
	fputs("\n]\n", out);
	return (bad ? -1 : 0);
}
