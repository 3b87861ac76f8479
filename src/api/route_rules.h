/*
 * The rules a route of routes.c may declare (gate.h: who, which action on
 * which scope, which audit event), and ROUTE, the row that requires one.
 * Included by routes.c alone.
 */
#ifndef PGL_API_ROUTE_RULES_H
#define PGL_API_ROUTE_RULES_H

#include "api/gate.h"

#define RULE(who, act, sc, ev, res) \
	(&(const struct pgl_rule){ who, act, sc, ev, res })
#define PUBLIC		RULE(WHO_PUBLIC, 0, SC_NONE, NULL, NULL)
#define ANYONE		RULE(WHO_ANY, 0, SC_NONE, NULL, NULL)
#define ADMIN		RULE(WHO_ADMIN, 0, SC_NONE, NULL, NULL)
#define ANYONE_DOES(ev)	RULE(WHO_ANY, 0, SC_NONE, ev, NULL)
#define ANYONE_DOES_TO(ev, res) RULE(WHO_ANY, 0, SC_NONE, ev, res)
#define ADMIN_DOES(ev)	RULE(WHO_ADMIN, 0, SC_NONE, ev, NULL)
#define ADMIN_DOES_TO(ev, res) RULE(WHO_ADMIN, 0, SC_NONE, ev, res)
#define TENANT_ADMIN_DOES(ev) RULE(WHO_TENANT_ADMIN, 0, SC_NONE, ev, NULL)
#define ROOT_DOES(ev)	RULE(WHO_ROOT, 0, SC_NONE, ev, NULL)
#define SEES(sc)	RULE(WHO_SEE, 0, SC_##sc, NULL, NULL)
#define SEES_DOES(sc, ev) RULE(WHO_SEE, 0, SC_##sc, ev, NULL)
#define MAY(act, sc)	RULE(WHO_PERM, PGL_ACT_##act, SC_##sc, NULL, NULL)
#define MAY_DOES(act, sc, ev) RULE(WHO_PERM, PGL_ACT_##act, SC_##sc, ev, NULL)
#define MAY_DOES_TO(act, sc, ev, res) \
	RULE(WHO_PERM, PGL_ACT_##act, SC_##sc, ev, res)
#define TENANT_ADMIN	RULE(WHO_TENANT_ADMIN, 0, SC_NONE, NULL, NULL)

/*
 * The rules a row may name.  ROUTE pastes its rule onto DECLARED_, so a
 * row with no rule, NULL, 0 or a struct pgl_rule made by hand names an
 * identifier nothing defines and does not compile.
 */
#define DECLARED_PUBLIC		PUBLIC
#define DECLARED_ANYONE		ANYONE
#define DECLARED_ADMIN		ADMIN
#define DECLARED_TENANT_ADMIN	TENANT_ADMIN
#define DECLARED_ANYONE_DOES	ANYONE_DOES
#define DECLARED_ANYONE_DOES_TO	ANYONE_DOES_TO
#define DECLARED_ADMIN_DOES	ADMIN_DOES
#define DECLARED_ADMIN_DOES_TO	ADMIN_DOES_TO
#define DECLARED_TENANT_ADMIN_DOES TENANT_ADMIN_DOES
#define DECLARED_ROOT_DOES	ROOT_DOES
#define DECLARED_SEES		SEES
#define DECLARED_SEES_DOES	SEES_DOES
#define DECLARED_MAY		MAY
#define DECLARED_MAY_DOES	MAY_DOES
#define DECLARED_MAY_DOES_TO	MAY_DOES_TO

/* A row; its remote handler (FWD, NOFED) only where one applies. */
#define ROUTE(method, path, fn, rule, ...) \
	{ method, path, fn, DECLARED_##rule, ROUTE_TAIL(__VA_ARGS__, NULL, ~) }
#define ROUTE_TAIL(flags, remote, ...)	flags, remote

#endif
