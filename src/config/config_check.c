/*
 * A configuration checked whole, once the file and the environment are
 * in: what no single key's bounds can say (no-auth only on loopback,
 * local roots and endpoints well formed, the public URL, the identity
 * providers complete, one tenant's federated calls within the pool).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/config_oidc.h"
#include "config/config_parts.h"
int
pgl_config_is_loopback(const char *bind)
{
	return (strcmp(bind, "127.0.0.1") == 0 || strcmp(bind, "::1") == 0 ||
	    strcmp(bind, "localhost") == 0 || strncmp(bind, "127.", 4) == 0);
}

/* An absolute path without "." or ".." segments. */
static int
root_ok(const char *p)
{
	const char	*seg, *end;

	if (p[0] != '/')
		return (0);
	for (seg = p + 1; *seg != '\0'; seg = *end != '\0' ? end + 1 : end) {
		if ((end = strchr(seg, '/')) == NULL)
			end = seg + strlen(seg);
		if ((end - seg == 1 && seg[0] == '.') ||
		    (end - seg == 2 && seg[0] == '.' && seg[1] == '.'))
			return (0);
	}
	return (1);
}

/* An origin: http(s)://host[:port], nothing after it. */
static int
origin_ok(const char *o)
{
	const char	*host;

	if (strncmp(o, "http://", 7) == 0)
		host = o + 7;
	else if (strncmp(o, "https://", 8) == 0)
		host = o + 8;
	else
		return (0);
	return (*host != '\0' && strlen(o) <= 255 &&
	    strpbrk(host, "/?#@ \t\r\n\\") == NULL);
}

/*
 * [storage] ca_file: read now, so a missing or wrong file stops the start
 * naming itself rather than failing every TLS call later (or, worse,
 * falling back to the system's bundle).  A PEM bundle holds at least one
 * certificate; libcurl reads the file again for each new connection.
 */
static int
ca_file_validate(const char *p, struct pgl_config_error *err)
{
	static const char	 begin[] = "-----BEGIN CERTIFICATE-----";
	FILE			*fp;
	char			 buf[4096 + sizeof(begin)];
	size_t			 n, keep = 0;
	int			 found = 0, e;

	if (*p == '\0') {
		pgl_config_seterr(err, 0, "storage.ca_file", "is empty (leave "
		    "it out for the system's CA bundle)");
		return (-1);
	}
	if ((fp = fopen(p, "r")) == NULL) {
		e = errno;
		pgl_config_seterr(err, 0, "storage.ca_file",
		    "cannot read '%s': %s", p, strerror(e));
		return (-1);
	}
	/* Scan in blocks, keeping a marker's length across them. */
	while (!found && (n = fread(buf + keep, 1, sizeof(buf) - 1 - keep,
	    fp)) > 0) {
		n += keep;
		buf[n] = '\0';
		found = memmem(buf, n, begin, sizeof(begin) - 1) != NULL;
		keep = n < sizeof(begin) - 1 ? n : sizeof(begin) - 1;
		memmove(buf, buf + n - keep, keep);
	}
	e = ferror(fp) ? errno : 0;
	(void)fclose(fp);
	if (e != 0) {
		pgl_config_seterr(err, 0, "storage.ca_file",
		    "cannot read '%s': %s", p, strerror(e));
		return (-1);
	}
	if (!found) {
		pgl_config_seterr(err, 0, "storage.ca_file", "'%s' holds no "
		    "PEM certificate (\"%s\")", p, begin);
		return (-1);
	}
	return (0);
}

/* n0 to n1 lower-case letters, digits and the characters of more,
 * starting and ending with a letter or digit. */
static int
name_ok(const char *s, size_t n0, size_t n1, const char *more)
{
	size_t	n = strlen(s), i;

	if (n < n0 || n > n1 || !isalnum((unsigned char)s[0]) ||
	    !isalnum((unsigned char)s[n - 1]))
		return (0);
	for (i = 0; i < n; i++) {
		if (!islower((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]) && strchr(more, s[i]) == NULL)
			return (0);
	}
	return (1);
}

/* "<account>/<container>": Azure's names, as warehouses give them. */
static int
container_ok(const char *s)
{
	const char	*slash = strchr(s, '/');
	char		 account[32];

	if (slash == NULL || (size_t)(slash - s) >= sizeof(account))
		return (0);
	(void)snprintf(account, sizeof(account), "%.*s", (int)(slash - s), s);
	/* An account, a slash and a star: its every container. */
	return (name_ok(account, 3, 24, "") && (strcmp(slash + 1, "*") == 0 ||
	    (name_ok(slash + 1, 3, 63, "-") && strstr(slash + 1, "--") ==
	    NULL)));
}

static int
storage_validate(struct pgl_config *c, struct pgl_config_error *err)
{
	size_t	i;

	if (c->storage.ca_file != NULL &&
	    ca_file_validate(c->storage.ca_file, err) == -1)
		return (-1);

	for (i = 0; i < c->storage.local_roots.n; i++) {
		if (!root_ok(c->storage.local_roots.v[i])) {
			pgl_config_seterr(err, 0, "storage.local_roots",
			    "'%s' is not an absolute path without '.' or '..' "
			    "segments",
			    c->storage.local_roots.v[i]);
			return (-1);
		}
	}
	for (i = 0; i < c->storage.azure_container_sas.n; i++) {
		if (!container_ok(c->storage.azure_container_sas.v[i])) {
			pgl_config_seterr(err, 0, "storage.azure_container_sas",
			    "'%s' is not <account>/<container> (an account "
			    "and a container as Azure names them, or *)",
			    c->storage.azure_container_sas.v[i]);
			return (-1);
		}
	}
	for (i = 0; i < c->storage.static_key_buckets.n; i++) {
		if (!name_ok(c->storage.static_key_buckets.v[i], 3, 63,
		    "-.")) {
			pgl_config_seterr(err, 0, "storage.static_key_buckets",
			    "'%s' is not a bucket name (3 to 63 of a-z, 0-9, "
			    "'.' and '-')", c->storage.static_key_buckets.v[i]);
			return (-1);
		}
	}
	for (i = 0; i < c->storage.allowed_endpoints.n; i++) {
		if (!origin_ok(c->storage.allowed_endpoints.v[i])) {
			pgl_config_seterr(err, 0, "storage.allowed_endpoints",
			    "'%s' is not an origin (http://host[:port] or "
			    "https://host[:port])",
			    c->storage.allowed_endpoints.v[i]);
			return (-1);
		}
	}
	return (0);
}

/* [labels] business_keys: "*" (every key) stands alone. */
static int
labels_validate(const struct pgl_config *c, struct pgl_config_error *err)
{
	const struct pgl_strlist	*l = &c->labels.business_keys;
	size_t				 i;

	for (i = 0; i < l->n && l->n > 1; i++) {
		if (strcmp(l->v[i], "*") == 0) {
			pgl_config_seterr(err, 0, "labels.business_keys",
			    "\"*\" (every key) must be the only element");
			return (-1);
		}
	}
	return (0);
}

/*
 * One tenant's federated calls under way may not hold every thread of
 * the worker's pool, or one tenant's slow remotes would stall every
 * other tenant's calls, commits and object-store calls (limits.md).
 */
static int
federation_validate(const struct pgl_config *c, struct pgl_config_error *err)
{
	int	threads = c->storage.write_pool_threads;
	int	cap = c->federation.max_inflight_per_tenant;

	if (cap > 0 && threads > 1 && cap >= threads) {
		pgl_config_seterr(err, 0, "federation.max_inflight_per_tenant",
		    "%d would let one tenant's federated calls hold all %d "
		    "threads of [storage] write_pool_threads: at most %d (0: "
		    "half of them)", cap, threads, threads - 1);
		return (-1);
	}
	return (0);
}

/* An absolute http(s) URL, kept without its trailing slashes. */
static int
public_url_validate(struct pgl_config *c, struct pgl_config_error *err)
{
	char	*u = c->auth.public_url;
	size_t	 len;

	if (u == NULL)
		return (0);
	if ((strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0) ||
	    strpbrk(u, "?# \t") != NULL) {
		pgl_config_seterr(err, 0, "server.public_url",
		    "must be an http(s) URL without query or fragment");
		return (-1);
	}
	for (len = strlen(u); len > 0 && u[len - 1] == '/'; len--)
		u[len - 1] = '\0';
	return (0);
}

int
pgl_config_validate(struct pgl_config *c, struct pgl_config_error *err)
{
	if (c->auth.no_auth && !pgl_config_is_loopback(c->server.bind)) {
		pgl_config_seterr(err, 0, "auth.no_auth", "no-auth mode is "
		    "only allowed on a loopback bind address, not '%s'",
		    c->server.bind);
		return (-1);
	}
	if (c->defaults.warehouse_root != NULL &&
	    c->defaults.warehouse_root[0] == '\0') {
		pgl_config_seterr(err, 0, "defaults.warehouse_root",
		    "must not be empty");
		return (-1);
	}
	/* A plan nobody fetched never outlives a fetched one. */
	if (c->scan.unfetched_ttl_secs > c->scan.ttl_secs)
		c->scan.unfetched_ttl_secs = c->scan.ttl_secs;
	if (public_url_validate(c, err) == -1 ||
	    pgl_config_oidc_validate(c->auth.oidc, c->auth.noidc, err) == -1)
		return (-1);
	if (federation_validate(c, err) == -1 ||
	    labels_validate(c, err) == -1)
		return (-1);
	return (storage_validate(c, err));
}
