/*
 * The answer of a commit (commit/commit.h, ice_change_reply): the
 * LoadTableResult or LoadViewResult of the file it wrote, sent as its
 * bytes are, or of the base when nothing changed.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/commit/commit.h"
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

void
ice_change_reply(struct pgl_req *r, const struct ice_change *c, int config)
{
	json_t	*j;

	if (ice_restricted_change_reply(r, c, config) != 0)
		return;
	if (c->next != NULL && c->bytes != NULL) {
		reply_bytes(r, c->next_location, c->bytes, c->len,
		    config ? ",\"config\":{}}" : "}");
		return;
	}
	j = json_pack("{s:s,s:O}", "metadata-location",
	    ice_uri(r, c->asset.metadata_location), "metadata", c->base);
	if (j != NULL && config)
		json_object_set_new(j, "config", json_object());
	pgl_reply_json(r, 200, j);
}
