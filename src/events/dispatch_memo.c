/*
 * The scheduler's memory of sinks (dispatch_memo.h): an open-addressing
 * table keyed by (tenant, id), in the dispatcher process only.  The
 * caller serialises access (the pool's mutex).
 */
#include <stdio.h>
#include <string.h>

#include "events/dispatch_memo.h"

static struct pgl_memo	table[PGL_MEMO_SLOTS];

/* FNV-1a of tenant, a separator and id. */
static size_t
slot_of(const char *tenant, const char *id)
{
	uint64_t	h = 1469598103934665603ULL;
	const char	*p;

	for (p = tenant; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	h = (h ^ 0x1f) * 1099511628211ULL;
	for (p = id; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return ((size_t)(h % PGL_MEMO_SLOTS));
}

static struct pgl_memo *
lookup(const char *tenant, const char *id, int make)
{
	struct pgl_memo	*m;
	size_t		 i, at = slot_of(tenant, id);

	if (strlen(tenant) >= PGL_MEMO_KEY || strlen(id) >= PGL_MEMO_KEY)
		return (NULL);
	for (i = 0; i < PGL_MEMO_SLOTS; i++) {
		m = &table[(at + i) % PGL_MEMO_SLOTS];
		if (!m->used) {
			if (!make)
				return (NULL);
			memset(m, 0, sizeof(*m));
			m->used = 1;
			(void)snprintf(m->tenant, sizeof(m->tenant), "%s",
			    tenant);
			(void)snprintf(m->id, sizeof(m->id), "%s", id);
			return (m);
		}
		if (strcmp(m->tenant, tenant) == 0 && strcmp(m->id, id) == 0)
			return (m);
	}
	if (!make)
		return (NULL);
	/* Full (deleted sinks are never removed): the home slot is taken
	 * over.  It stays used, so no other key's probe chain breaks; the
	 * sink that had it is forgotten, and offered as if never run. */
	m = &table[at];
	(void)snprintf(m->tenant, sizeof(m->tenant), "%s", tenant);
	(void)snprintf(m->id, sizeof(m->id), "%s", id);
	return (m);
}

const struct pgl_memo *
pgl_memo_find(const char *tenant, const char *id)
{
	return (lookup(tenant, id, 0));
}

void
pgl_memo_note(const char *tenant, const char *id, int64_t now_ms,
    uint64_t cursor, uint64_t appended, int caught_up)
{
	struct pgl_memo	*m;

	if ((m = lookup(tenant, id, 1)) == NULL)
		return;
	m->last_ms = now_ms;
	m->cursor = cursor;
	m->appended = appended;
	m->caught_up = caught_up;
}
