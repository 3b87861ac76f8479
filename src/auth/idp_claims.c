/*
 * A provider's claims to a caller (idp_claims.h).
 */
#include <stdio.h>
#include <string.h>

#include "auth/idp_claims.h"
#include "util/names.h"

#define USERNAME_MAX	127	/* struct pgl_principal's username */

const json_t *
pgl_idp_claim(const json_t *claims, const char *name)
{
	const json_t	*at = claims;
	const char	*p = name, *dot;
	char		 key[128];
	size_t		 n;

	if (json_object_get(claims, name) != NULL)
		return (json_object_get(claims, name));
	while (at != NULL && *p != '\0') {
		dot = strchr(p, '.');
		n = dot != NULL ? (size_t)(dot - p) : strlen(p);
		if (n == 0 || n >= sizeof(key))
			return (NULL);
		memcpy(key, p, n);
		key[n] = '\0';
		at = json_object_get(at, key);
		p += n + (dot != NULL);
	}
	return (at);
}

/* A claim that is a non-empty string, or NULL. */
static const char *
claim_str(const json_t *claims, const char *name)
{
	const char	*s = json_string_value(pgl_idp_claim(claims, name));

	return (s != NULL && s[0] != '\0' ? s : NULL);
}

/* A user name may hold '@' (an email), never control bytes or slashes. */
static int
username_ok(const char *s)
{
	size_t	len = strlen(s), i;

	if (len == 0 || len > USERNAME_MAX || !pgl_utf8_valid(s, len))
		return (0);
	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f || s[i] == '/' ||
		    s[i] == '\\')
			return (0);
	}
	return (1);
}

static void
add_role(struct pgl_idp_who *who, const char *role)
{
	size_t	i;

	if (strcmp(role, "root") == 0)
		who->role = ROLE_ROOT;
	else if (strcmp(role, "tenant-admin") == 0) {
		if (who->role != ROLE_ROOT)
			who->role = ROLE_TENANT_ADMIN;
	} else if (strcmp(role, "tenant-user") != 0) {
		for (i = 0; i < who->nroles; i++) {
			if (strcmp(who->roles[i], role) == 0)
				return;
		}
		if (who->nroles < PGL_IDP_MAX_ROLES)
			who->roles[who->nroles++] = role;
	}
}

/* One group: every mapping of it applies. */
static void
map_group(const struct pgl_oidc_provider *p, struct pgl_idp_who *who,
    const char *group)
{
	size_t	i;

	for (i = 0; i < p->nroles; i++) {
		if (strcmp(p->roles[i].group, group) == 0)
			add_role(who, p->roles[i].role);
	}
}

static int
map_groups(const struct pgl_oidc_provider *p, const json_t *claims,
    struct pgl_idp_who *who, char *why, size_t whylen)
{
	const char	*name = p->groups_claim != NULL ? p->groups_claim :
			    "groups";
	const json_t	*g = pgl_idp_claim(claims, name), *v;
	size_t		 i;

	if (g == NULL)
		return (0);
	if (json_is_string(g)) {
		map_group(p, who, json_string_value(g));
		return (0);
	}
	if (!json_is_array(g)) {
		(void)snprintf(why, whylen, "the '%s' claim is not a list of "
		    "groups", name);
		return (-1);
	}
	json_array_foreach(g, i, v) {
		if (json_is_string(v))
			map_group(p, who, json_string_value(v));
	}
	return (0);
}

static const char *
username_of(const struct pgl_oidc_provider *p, const json_t *claims)
{
	const char	*u;

	if (p->username_claim != NULL)
		return (claim_str(claims, p->username_claim));
	if ((u = claim_str(claims, "preferred_username")) != NULL)
		return (u);
	if ((u = claim_str(claims, "email")) != NULL)
		return (u);
	return (claim_str(claims, "sub"));
}

int
pgl_idp_who(const struct pgl_oidc_provider *p, const json_t *claims,
    struct pgl_idp_who *who, char *why, size_t whylen)
{
	const char	*tclaim = p->tenant_claim != NULL ? p->tenant_claim :
			    "tenant";

	memset(who, 0, sizeof(*who));
	who->role = ROLE_TENANT_USER;
	if ((who->subject = claim_str(claims, "sub")) == NULL) {
		(void)snprintf(why, whylen, "the token has no 'sub' claim");
		return (-1);
	}
	who->username = username_of(p, claims);
	if (who->username == NULL || !username_ok(who->username)) {
		(void)snprintf(why, whylen, "the token's '%s' claim is not a "
		    "usable user name", p->username_claim != NULL ?
		    p->username_claim : "preferred_username");
		return (-1);
	}
	who->email = claim_str(claims, "email");
	if (map_groups(p, claims, who, why, whylen) == -1)
		return (-1);
	if (who->role == ROLE_ROOT)
		return (0);
	who->tenant = p->tenant != NULL ? p->tenant : claim_str(claims, tclaim);
	if (who->tenant == NULL) {
		(void)snprintf(why, whylen, "the token has no '%s' claim "
		    "naming a tenant", tclaim);
		return (-1);
	}
	return (0);
}
