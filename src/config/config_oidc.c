/*
 * [[auth.oidc]] providers and their variables (config_oidc.h).  A block
 * is read key by key into struct pgl_oidc_provider; the variables
 * override one provider (or make it, when the file has none); then every
 * provider is checked whole, with the file's line when it came from one.
 */
#include <arpa/inet.h>

#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/config_oidc.h"

#define P(f)	offsetof(struct pgl_oidc_provider, f)

enum field_kind { F_STR, F_INT, F_ROLES };

static const struct field {
	const char	*key;		/* in the block */
	const char	*env;		/* the variable, written out whole so a
					 * grep for it finds where it is read */
	enum field_kind	 kind;
	size_t		 off;
	int		 min, max;
} fields[] = {
	{ "name",		"PANGOLIN_OIDC_NAME",		F_STR,
	    P(name), 0, 0 },
	{ "issuer",		"PANGOLIN_OIDC_ISSUER",		F_STR,
	    P(issuer), 0, 0 },
	{ "audience",		"PANGOLIN_OIDC_AUDIENCE",	F_STR,
	    P(audience), 0, 0 },
	{ "jwks_uri",		"PANGOLIN_OIDC_JWKS_URI",	F_STR,
	    P(jwks_uri), 0, 0 },
	{ "client_id",		"PANGOLIN_OIDC_CLIENT_ID",	F_STR,
	    P(client_id), 0, 0 },
	{ "client_secret",	"PANGOLIN_OIDC_CLIENT_SECRET",	F_STR,
	    P(client_secret), 0, 0 },
	{ "scopes",		"PANGOLIN_OIDC_SCOPES",		F_STR,
	    P(scopes), 0, 0 },
	{ "tenant_claim",	"PANGOLIN_OIDC_TENANT_CLAIM",	F_STR,
	    P(tenant_claim), 0, 0 },
	{ "tenant",		"PANGOLIN_OIDC_TENANT",		F_STR,
	    P(tenant), 0, 0 },
	{ "username_claim",	"PANGOLIN_OIDC_USERNAME_CLAIM",	F_STR,
	    P(username_claim), 0, 0 },
	{ "groups_claim",	"PANGOLIN_OIDC_GROUPS_CLAIM",	F_STR,
	    P(groups_claim), 0, 0 },
	{ "roles",		"PANGOLIN_OIDC_ROLES",		F_ROLES,
	    P(roles), 0, 0 },
	{ "leeway_secs",	"PANGOLIN_OIDC_LEEWAY_SECS",	F_INT,
	    P(leeway_secs), 0, 300 },
	{ "refetch_secs",	"PANGOLIN_OIDC_REFETCH_SECS",	F_INT,
	    P(refetch_secs), 1, 3600 },
	{ "jwks_max_age_secs",	"PANGOLIN_OIDC_JWKS_MAX_AGE_SECS", F_INT,
	    P(jwks_max_age_secs), 60, 86400 },
	{ "max_waiting",	"PANGOLIN_OIDC_MAX_WAITING",	F_INT,
	    P(max_waiting), 1, 1000000 },
};
#define NFIELDS	(sizeof(fields) / sizeof(fields[0]))

/* Line of each provider's block, for errors found after reading. */
static int	block_line[PGL_OIDC_MAX];

static int __attribute__((format(printf, 4, 5)))
fail(struct pgl_config_error *err, int line, const char *key,
    const char *fmt, ...)
{
	va_list	ap;

	err->line = line;
	(void)snprintf(err->key, sizeof(err->key), "%s", key);
	va_start(ap, fmt);
	(void)vsnprintf(err->reason, sizeof(err->reason), fmt, ap);
	va_end(ap);
	return (-1);
}

static char *
dup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL) {
		fprintf(stderr, "pangolin: out of memory\n");
		exit(2);
	}
	return (p);
}

static void
set(char **dst, const char *v)
{
	free(*dst);
	*dst = dup(v);
}

static void
roles_clear(struct pgl_oidc_provider *p)
{
	size_t	i;

	for (i = 0; i < p->nroles; i++) {
		free(p->roles[i].group);
		free(p->roles[i].role);
	}
	p->nroles = 0;
}

static int
role_add(struct pgl_oidc_provider *p, const char *group, size_t glen,
    const char *role, size_t rlen)
{
	if (p->nroles == PGL_OIDC_MAX_ROLES || glen == 0 || rlen == 0)
		return (-1);
	p->roles[p->nroles].group = strndup(group, glen);
	p->roles[p->nroles].role = strndup(role, rlen);
	if (p->roles[p->nroles].group == NULL ||
	    p->roles[p->nroles].role == NULL) {
		fprintf(stderr, "pangolin: out of memory\n");
		exit(2);
	}
	p->nroles++;
	return (0);
}

static struct pgl_oidc_provider *
provider_new(struct pgl_oidc_provider *all, size_t *n, int line)
{
	struct pgl_oidc_provider	*p = &all[*n];

	memset(p, 0, sizeof(*p));
	p->scopes = dup("openid profile email");
	p->tenant_claim = dup("tenant");
	p->groups_claim = dup("groups");
	p->leeway_secs = 60;
	p->refetch_secs = 60;
	p->jwks_max_age_secs = 3600;
	p->max_waiting = 1024;
	block_line[*n] = line;
	(*n)++;
	return (p);
}

static const struct field *
field_by_key(const char *key)
{
	size_t	i;

	for (i = 0; i < NFIELDS; i++) {
		if (strcmp(fields[i].key, key) == 0)
			return (&fields[i]);
	}
	return (NULL);
}

/* roles = { group = "role", ... } */
static int
load_roles(struct pgl_oidc_provider *p, const struct toml_value *v,
    const char *full, struct pgl_config_error *err)
{
	const char	*g, *r;
	size_t		 i;

	if (toml_type(v) != TOML_TABLE)
		return (fail(err, toml_line(v), full, "expected a table of "
		    "group = \"role\""));
	roles_clear(p);
	for (i = 0; i < toml_count(v); i++) {
		g = toml_key_at(v, i);
		if ((r = toml_str(toml_value_at(v, i))) == NULL ||
		    role_add(p, g, strlen(g), r, strlen(r)) == -1)
			return (fail(err, toml_line(toml_value_at(v, i)), full,
			    "each group maps to a non-empty role name, at most "
			    "%d", PGL_OIDC_MAX_ROLES));
	}
	return (0);
}

static int
load_field(struct pgl_oidc_provider *p, const struct field *f,
    const struct toml_value *v, const char *full,
    struct pgl_config_error *err)
{
	void	*dst = (char *)p + f->off;
	int64_t	 n;

	switch (f->kind) {
	case F_STR:
		if (toml_str(v) == NULL)
			return (fail(err, toml_line(v), full, "expected a "
			    "string"));
		set(dst, toml_str(v));
		return (0);
	case F_INT:
		if (toml_int(v, &n) == -1 || n < f->min || n > f->max)
			return (fail(err, toml_line(v), full, "must be an "
			    "integer between %d and %d", f->min, f->max));
		*(int *)dst = (int)n;
		return (0);
	case F_ROLES:
		return (load_roles(p, v, full, err));
	}
	return (-1);
}

static int
load_block(struct pgl_oidc_provider *all, size_t *n,
    const struct toml_value *t, size_t idx, struct pgl_config_error *err)
{
	struct pgl_oidc_provider	*p;
	const struct field		*f;
	char				 full[128];
	size_t				 i;

	if (toml_type(t) != TOML_TABLE)
		return (fail(err, toml_line(t), "auth.oidc", "must be "
		    "[[auth.oidc]] tables"));
	p = provider_new(all, n, toml_line(t));
	for (i = 0; i < toml_count(t); i++) {
		(void)snprintf(full, sizeof(full), "auth.oidc[%zu].%s", idx,
		    toml_key_at(t, i));
		if ((f = field_by_key(toml_key_at(t, i))) == NULL)
			return (fail(err, toml_line(toml_value_at(t, i)), full,
			    "unknown key"));
		if (load_field(p, f, toml_value_at(t, i), full, err) == -1)
			return (-1);
	}
	return (0);
}

int
pgl_config_oidc_load(struct pgl_oidc_provider *all, size_t *n,
    const struct toml_value *v, struct pgl_config_error *err)
{
	size_t	i;

	if (toml_type(v) != TOML_ARRAY)
		return (fail(err, toml_line(v), "auth.oidc", "must be "
		    "[[auth.oidc]] tables"));
	if (toml_count(v) > PGL_OIDC_MAX)
		return (fail(err, toml_line(v), "auth.oidc", "at most %d "
		    "providers", PGL_OIDC_MAX));
	for (i = 0; i < toml_count(v); i++) {
		if (load_block(all, n, toml_value_at(v, i), i, err) == -1)
			return (-1);
	}
	return (0);
}

/* PANGOLIN_OIDC_ROLES: "group=role,group2=role2". */
static int
env_roles(struct pgl_oidc_provider *p, const char *v)
{
	const char	*s = v, *comma, *eq;
	size_t		 len;

	roles_clear(p);
	while (*s != '\0') {
		comma = strchr(s, ',');
		len = comma != NULL ? (size_t)(comma - s) : strlen(s);
		eq = memchr(s, '=', len);
		if (eq == NULL || role_add(p, s, (size_t)(eq - s), eq + 1,
		    len - (size_t)(eq - s) - 1) == -1)
			return (-1);
		s += len + (comma != NULL);
	}
	return (0);
}

static int
env_field(struct pgl_oidc_provider *p, const struct field *f, const char *v,
    const char *name, struct pgl_config_error *err)
{
	char	*end;
	long	 n;

	switch (f->kind) {
	case F_STR:
		set((char **)(void *)((char *)p + f->off), v);
		return (0);
	case F_INT:
		n = strtol(v, &end, 10);
		if (*v == '\0' || *end != '\0' || n < f->min || n > f->max)
			return (fail(err, 0, name, "must be an integer between "
			    "%d and %d", f->min, f->max));
		*(int *)(void *)((char *)p + f->off) = (int)n;
		return (0);
	case F_ROLES:
		if (env_roles(p, v) == -1)
			return (fail(err, 0, name, "expected "
			    "group=role,group2=role2 (at most %d)",
			    PGL_OIDC_MAX_ROLES));
		return (0);
	}
	return (-1);
}

int
pgl_config_oidc_env(struct pgl_oidc_provider *all, size_t *n,
    struct pgl_config_error *err)
{
	struct pgl_oidc_provider	*p = NULL;
	const char			*v, *name;
	size_t				 i;

	for (i = 0; i < NFIELDS; i++) {
		name = fields[i].env;
		if ((v = getenv(name)) == NULL || *v == '\0')
			continue;
		if (p == NULL && *n > 1)
			return (fail(err, 0, name, "PANGOLIN_OIDC_* set one "
			    "provider, and the file has %zu [[auth.oidc]]", *n));
		if (p == NULL)
			p = *n == 1 ? &all[0] : provider_new(all, n, 0);
		if (env_field(p, &fields[i], v, name, err) == -1)
			return (-1);
	}
	if (p != NULL && p->name == NULL)
		p->name = dup("oidc");
	return (0);
}

/* The host of an http(s) URL is loopback: http is allowed there only. */
static int
loopback_host(const char *url)
{
	const char	*h = strstr(url, "://") + 3;
	char		 host[64];
	size_t		 n;
	struct in_addr	 a;

	if (*h == '[')
		return (strncmp(h, "[::1]", 5) == 0);
	n = strcspn(h, ":/?#");
	if (n == 0 || n >= sizeof(host))
		return (0);
	memcpy(host, h, n);
	host[n] = '\0';
	if (strcasecmp(host, "localhost") == 0)
		return (1);
	return (inet_pton(AF_INET, host, &a) == 1 &&
	    (ntohl(a.s_addr) >> 24) == 127);
}

/* NULL, or why url may not name a provider's document. */
static const char *
url_problem(const char *url)
{
	size_t	i;

	for (i = 0; url[i] != '\0'; i++) {
		if (isspace((unsigned char)url[i]) || iscntrl((unsigned char)url[i]))
			return ("must not hold spaces or control characters");
	}
	if (strncmp(url, "https://", 8) == 0 && url[8] != '\0' && url[8] != '/')
		return (NULL);
	if (strncmp(url, "http://", 7) == 0 && url[7] != '\0' &&
	    loopback_host(url))
		return (NULL);
	return ("must be an https:// URL (http:// only to a loopback host)");
}

static int
name_ok(const char *n)
{
	size_t	i, len = strlen(n);

	if (len == 0 || len > 32)
		return (0);
	for (i = 0; i < len; i++) {
		if (!islower((unsigned char)n[i]) &&
		    !isdigit((unsigned char)n[i]) && n[i] != '-' && n[i] != '_')
			return (0);
	}
	return (1);
}

static int
provider_check(struct pgl_oidc_provider *all, size_t i,
    struct pgl_config_error *err)
{
	struct pgl_oidc_provider	*p = &all[i];
	int				 line = block_line[i];
	const char			*why;
	char				 key[64];
	size_t				 j;

	(void)snprintf(key, sizeof(key), "auth.oidc[%zu]", i);
	if (p->name == NULL || !name_ok(p->name))
		return (fail(err, line, key, "name: 1 to 32 of a-z, 0-9, - "
		    "and _ is required"));
	for (j = 0; j < i; j++) {
		if (strcmp(all[j].name, p->name) == 0)
			return (fail(err, line, key, "name '%s' is used twice",
			    p->name));
	}
	if (p->issuer == NULL || p->audience == NULL || *p->audience == '\0')
		return (fail(err, line, key, "issuer and audience are "
		    "required"));
	if ((why = url_problem(p->issuer)) != NULL ||
	    (p->jwks_uri != NULL && (why = url_problem(p->jwks_uri)) != NULL))
		return (fail(err, line, key, "%s %s", p->jwks_uri != NULL &&
		    url_problem(p->issuer) == NULL ? "jwks_uri" : "issuer",
		    why));
	if ((p->client_id == NULL) != (p->client_secret == NULL))
		return (fail(err, line, key, "client_id and client_secret go "
		    "together (the page's sign-in is a confidential client)"));
	if (p->tenant_claim[0] == '\0' || p->groups_claim[0] == '\0')
		return (fail(err, line, key, "claim names must not be empty"));
	return (0);
}

int
pgl_config_oidc_validate(struct pgl_oidc_provider *all, size_t n,
    struct pgl_config_error *err)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (provider_check(all, i, err) == -1)
			return (-1);
	}
	return (0);
}

void
pgl_config_oidc_free(struct pgl_oidc_provider *all, size_t *n)
{
	struct pgl_oidc_provider	*p;
	size_t				 i, j;

	for (i = 0; i < *n; i++) {
		p = &all[i];
		for (j = 0; j < NFIELDS; j++) {
			if (fields[j].kind == F_STR)
				free(*(char **)(void *)((char *)p +
				    fields[j].off));
		}
		roles_clear(p);
	}
	*n = 0;
}
