/*
 * The notifications a connection has been sent, taken in: configuration
 * changes (pg_notify.c) and the asset notes of every commit that changed
 * what an asset lookup finds (pg_schema_notes.c), for the asset cache
 * (pg_asset_cache.c).  Never waits: what has come is read, the rest waits
 * in the socket for the next call.
 */
#include <stdlib.h>
#include <string.h>

#include "pg_store.h"

#define NOTE_MAX	2048

static uint64_t
fnv(uint64_t h, const char *p)
{
	for (; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return ((h ^ 0x1f) * 1099511628211ULL);
}

/* Over tenant, catalog, namespace and name: every branch's row of an
 * asset shares its count (a branch sees its parent's). */
size_t
pg_asset_count_of(const char *tenant, const char *catalog, const char *ns,
    const char *name)
{
	uint64_t	h = 14695981039346656037ULL;

	h = fnv(fnv(fnv(fnv(h, tenant), catalog), ns), name);
	return ((size_t)(h & (PG_ASSET_COUNTS - 1)));
}

/*
 * A note's payload after its schema: "<n>" (all) or "<n>\x1f<tenant>
 * \x1f<catalog>\x1f<namespace>\x1f<name>".  One that cannot be read
 * counts as all: a note is never dropped.
 */
static void
asset_note(struct pg_assets *c, const char *payload)
{
	const char		*part[4], *p;
	char			*end, buf[NOTE_MAX];
	unsigned long long	 n;
	size_t			 i, len;

	n = strtoull(payload, &end, 10);
	if (n > c->applied)
		c->applied = n;
	if (*end != '\x1f' || (len = strlen(end + 1)) >= sizeof(buf)) {
		c->all++;
		return;
	}
	memcpy(buf, end + 1, len + 1);
	p = buf;
	for (i = 0; i < 4; i++) {
		part[i] = p;
		if ((end = strchr(p, '\x1f')) == NULL)
			break;
		*end = '\0';
		p = end + 1;
	}
	if (i != 3)
		c->all++;
	else
		c->counts[pg_asset_count_of(part[0], part[1], part[2],
		    part[3])]++;
}

/* An asset note of this schema: its payload after "<schema> ". */
static const char *
of_schema(const struct pgl_store *s, const char *extra)
{
	size_t	len = strlen(s->schema);

	if (strncmp(extra, s->schema, len) != 0 || extra[len] != ' ')
		return (NULL);
	return (extra + len + 1);
}

/*
 * What libpq holds (it keeps every notification it meets reading an
 * answer): taken in after every statement, so a handle that never asks
 * for changes (the task runner's) holds none for long.
 */
void
pg_notes_held(struct pgl_store *s)
{
	PGnotify	*n;
	const char	*note;
	int		 self;

	if (s->conn == NULL)
		return;
	self = PQbackendPID(s->conn);
	while ((n = PQnotifies(s->conn)) != NULL) {
		if (strcmp(n->relname, PG_CHANNEL) == 0 && n->be_pid != self &&
		    strcmp(n->extra, s->schema) == 0)
			s->changed = 1;
		else if (strcmp(n->relname, PG_ASSET_CHANNEL) == 0 &&
		    s->assets != NULL &&
		    (note = of_schema(s, n->extra)) != NULL)
			asset_note(s->assets, note);
		PQfreemem(n);
	}
}

/* The caller made the connection ready (no COMMIT in flight). */
int
pg_take_notes(struct pgl_store *s, struct pgl_err *err)
{
	if (!PQconsumeInput(s->conn)) {
		pg_lost(s);
		return (store_err(err, PGL_EUNAVAIL, STORE_NAME ": %s",
		    PQerrorMessage(s->conn)));
	}
	pg_notes_held(s);
	return (PGL_OK);
}
