/*
 * The answer of a commit (commit/commit.h, ice_change_reply): the
 * LoadTableResult or LoadViewResult of the file it wrote, sent as its
 * bytes are, or of the base when nothing changed (a view's with its
 * labels); to a caller a data
 * policy restricts, without the statistics it may not have (issue 67,
 * read/policies.h).
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/commit/commit.h"
#include "api/read/policies.h"
#include "api/read/read.h"
#include "policy/policy.h"
#include "util/arena.h"
#include "util/json.h"

/*
 * {"metadata-location":"<location>","metadata":<bytes><tail>, malloc'd
 * and handed to Kore as it is (no more copies).
 */
static void
reply_bytes(struct pgl_req *r, const char *location, const char *bytes,
    size_t len, const char *tail)
{
	json_t	*loc;
	char	*quoted, *body;
	size_t	 qlen, tlen = strlen(tail), n;
	static const char	head1[] = "{\"metadata-location\":";
	static const char	head2[] = ",\"metadata\":";

	loc = json_string(location);
	quoted = loc != NULL ? pgl_json_dump(loc) : NULL;
	json_decref(loc);
	if (quoted == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return;
	}
	qlen = strlen(quoted);
	n = sizeof(head1) - 1 + qlen + sizeof(head2) - 1 + len + tlen;
	if ((body = malloc(n + 1)) == NULL) {
		free(quoted);
		pgl_reply_error(r, 503, "out of memory");
		return;
	}
	memcpy(body, head1, sizeof(head1) - 1);
	memcpy(body + sizeof(head1) - 1, quoted, qlen);
	memcpy(body + sizeof(head1) - 1 + qlen, head2, sizeof(head2) - 1);
	memcpy(body + n - tlen - len, bytes, len);
	memcpy(body + n - tlen, tail, tlen + 1);
	free(quoted);
	pgl_reply_malloc(r, 200, "application/json", body, n);
}

int
ice_restricted_change_reply(struct pgl_req *r, const struct ice_change *c,
    int config)
{
	struct pgl_pol_mask	 any = { NULL, 0, 1 };
	const json_t		*md = c->next != NULL ? c->next : c->base;
	json_t			*rr, *out, *j;
	int			 rc;

	/* The common commit's table holds no statistics: no policy read. */
	if (md == NULL || !pgl_pol_withholds(md, &any))
		return (0);
	if (ice_read_restrictions(r, c->t.catalog.name, c->t.ns, c->t.name,
	    c->asset.id, md, &rr, NULL) == -1)
		return (-1);
	rc = ice_restricted_metadata(r, md, rr, &out);
	json_decref(rr);
	if (rc == -1 || out == NULL)
		return (rc);
	j = json_pack("{s:s,s:o}", "metadata-location", c->next != NULL ?
	    c->next_location : ice_uri(r, c->asset.metadata_location),
	    "metadata", out);
	if (j != NULL && config)
		json_object_set_new(j, "config", json_object());
	pgl_reply_json(r, 200, j);
	return (1);
}

/*
 * What follows the metadata: nothing for a table (CommitTableResponse);
 * a view's (LoadViewResult) config and its labels' text when it has some
 * (read/labels.c).  NULL after replying.
 */
static const char *
reply_tail(struct pgl_req *r, int config, const char *labels)
{
	const char	*tail;

	if (!config)
		return ("}");
	if (labels == NULL)
		return (",\"config\":{}}");
	if ((tail = pgl_arena_printf(r->arena, ",\"config\":{},\"labels\":%s}",
	    labels)) == NULL)
		pgl_reply_error(r, 503, "out of memory");
	return (tail);
}

void
ice_change_reply(struct pgl_req *r, const struct ice_change *c, int config)
{
	const char	*tail, *labels = NULL;
	json_t		*j;

	if (ice_restricted_change_reply(r, c, config) != 0)
		return;
	if (config && ice_labels_text(r, &c->asset, NULL, NULL, &labels) ==
	    -1)
		return;
	if (c->next != NULL && c->bytes != NULL) {
		if ((tail = reply_tail(r, config, labels)) != NULL)
			reply_bytes(r, c->next_location, c->bytes, c->len,
			    tail);
		return;
	}
	j = json_pack("{s:s,s:O}", "metadata-location",
	    ice_uri(r, c->asset.metadata_location), "metadata", c->base);
	if (j != NULL && config) {
		json_object_set_new(j, "config", json_object());
		if (labels != NULL)
			json_object_set_new(j, "labels", json_loads(labels, 0,
			    NULL));
	}
	pgl_reply_json(r, 200, j);
}
