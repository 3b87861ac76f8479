/*
 * Object reads, writes and deletes as write-pool jobs (obj_job.h).
 */
#include <stdlib.h>
#include <string.h>

#include "storage/obj_job.h"

static void
run(struct pgl_wjob *w)
{
	struct pgl_objjob	*j = (struct pgl_objjob *)w;

	if (j->op == PGL_OBJ_GET)
		w->rc = pgl_obj_read(&j->st, j->location, j->max, &j->out,
		    &j->outlen, &w->err);
	else if (j->op == PGL_OBJ_PUT)
		w->rc = pgl_obj_write(&j->st, j->location, j->data, j->len,
		    &w->err);
	else
		w->rc = pgl_obj_delete(&j->st, j->location, &w->err);
}

/* *dst = a copy of src (NULL stays NULL); -1 out of memory. */
static int
dup(const char **dst, const char *src)
{
	if (src == NULL) {
		*dst = NULL;
		return (0);
	}
	return ((*dst = strdup(src)) == NULL ? -1 : 0);
}

struct pgl_objjob *
pgl_objjob_new(const struct pgl_storage *st, enum pgl_obj_op op,
    const char *location)
{
	struct pgl_objjob	*j;
	struct pgl_s3		*s;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		return (NULL);
	j->op = op;
	j->st = *st;
	s = &j->st.s3;
	/* Cleared first: a failed copy frees only what was copied. */
	j->st.root = NULL;
	s->endpoint = s->region = s->bucket = s->access_key = NULL;
	s->secret_key = s->session_token = s->name = NULL;
	if (dup(&j->st.root, st->root) == -1 ||
	    dup(&s->endpoint, st->s3.endpoint) == -1 ||
	    dup(&s->region, st->s3.region) == -1 ||
	    dup(&s->bucket, st->s3.bucket) == -1 ||
	    dup(&s->access_key, st->s3.access_key) == -1 ||
	    dup(&s->secret_key, st->s3.secret_key) == -1 ||
	    dup(&s->session_token, st->s3.session_token) == -1 ||
	    dup(&s->name, st->s3.name) == -1 ||
	    (j->location = strdup(location)) == NULL) {
		pgl_objjob_free(j);
		return (NULL);
	}
	j->w.run = run;
	return (j);
}

void
pgl_objjob_free(struct pgl_objjob *j)
{
	struct pgl_s3	*s;

	if (j == NULL)
		return;
	s = &j->st.s3;
	free((char *)j->st.root);
	free((char *)s->endpoint);
	free((char *)s->region);
	free((char *)s->bucket);
	free((char *)s->access_key);
	/* The secret is not left in freed memory. */
	if (s->secret_key != NULL)
		explicit_bzero((char *)s->secret_key, strlen(s->secret_key));
	free((char *)s->secret_key);
	free((char *)s->session_token);
	free((char *)s->name);
	free(j->location);
	free(j->out);
	free(j);
}
