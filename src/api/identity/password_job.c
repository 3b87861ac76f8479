/*
 * Password hashes and checks on the CPU lane (password_job.h).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/identity/password_job.h"
#include "api/request/fetch.h"
#include "app/app.h"

/* Under these keys the request keeps the answer (fetch.h): one hash and
 * one check per request. */
#define KEY_HASH	"argon2:hash"
#define KEY_CHECK	"argon2:check"

struct password_job {
	struct api_fetch_call	 c;
	int			 check;
	char			*pw;
	char			*encoded;	/* checked against; NULL: decoy */
};

/* Calls of this worker waiting or running (their free() ends them). */
static int	under_way;

/*
 * The decoy an unknown name is checked against, made once per process on
 * the first pool thread that needs it.
 */
static pthread_once_t	decoy_once = PTHREAD_ONCE_INIT;
static char		decoy[PGL_HASH_LEN];

static void
decoy_make(void)
{
	if (pgl_password_hash("decoy password nobody has", decoy) == -1)
		decoy[0] = '\0';
}

static void
fail(struct pgl_wjob *w, int code, const char *msg)
{
	w->rc = w->err.code = code;
	(void)snprintf(w->err.msg, sizeof(w->err.msg), "%s", msg);
}

/*
 * On a CPU lane thread.  A check's answer is "1" or "0" and then the
 * string it was checked against, so that a run that reads another hash
 * (the password changed meanwhile) does not take it for its own.
 */
static void
job_run(struct pgl_wjob *w)
{
	struct password_job	*j = (struct password_job *)w;
	char			 hash[PGL_HASH_LEN];
	const char		*against = j->encoded;
	size_t			 n;
	int			 ok;

	w->rc = PGL_OK;
	if (!j->check) {
		if (pgl_password_hash(j->pw, hash) == -1 ||
		    (j->c.out = strdup(hash)) == NULL) {
			fail(w, PGL_ENOMEM, "cannot hash the password");
			return;
		}
		j->c.outlen = strlen(hash);
		return;
	}
	if (against == NULL) {
		(void)pthread_once(&decoy_once, decoy_make);
		against = decoy;
	}
	ok = pgl_password_verify(j->pw, against);
	n = j->encoded != NULL ? strlen(j->encoded) : 0;
	if ((j->c.out = malloc(n + 2)) == NULL) {
		fail(w, PGL_ENOMEM, "out of memory");
		return;
	}
	j->c.out[0] = ok ? '1' : '0';
	memcpy(j->c.out + 1, j->encoded != NULL ? j->encoded : "", n + 1);
	j->c.outlen = n + 1;
}

/* On the worker's thread: the call is over (or was never made). */
static void
job_free(struct api_fetch_call *c)
{
	struct password_job	*j = (struct password_job *)c;

	under_way--;
	if (j->pw != NULL) {
		explicit_bzero(j->pw, strlen(j->pw));
		free(j->pw);
	}
	free(j->encoded);
	free(c->key);
	free(c->out);
	free(j);
}

/*
 * The answer under key if r has it, else the call made: PGL_OK with
 * *data (the caller's), or PGL_EUNAVAIL while it runs, or why not.
 */
static int
call(struct pgl_req *r, const char *key, int check, const char *pw,
    const char *encoded, char **data, size_t *len, struct pgl_err *err)
{
	struct password_job	*j;
	int			 have = api_fetch_has(r, key);

	if (!have && under_way >= pgl_app.cfg->auth.password_jobs) {
		err->code = PGL_EUNAVAIL;
		(void)snprintf(err->msg, sizeof(err->msg), "too many password "
		    "checks under way; retry after 1 s");
		return (PGL_EUNAVAIL);
	}
	if ((j = calloc(1, sizeof(*j))) == NULL)
		goto nomem;
	under_way++;
	j->check = check;
	j->c.cpu = 1;
	j->c.w.run = job_run;
	j->c.free = job_free;
	/* A run after the call only collects its answer: no more copies of
	 * the password. */
	if ((j->c.key = strdup(key)) == NULL || (!have &&
	    ((j->pw = strdup(pw != NULL ? pw : "")) == NULL ||
	    (encoded != NULL && (j->encoded = strdup(encoded)) == NULL)))) {
		job_free(&j->c);
		goto nomem;
	}
	/* From here the call is fetch.c's, freed by it whatever it says. */
	return (api_fetch_call(r, &j->c, data, len, err));
nomem:
	err->code = PGL_ENOMEM;
	(void)snprintf(err->msg, sizeof(err->msg), "out of memory");
	return (PGL_ENOMEM);
}

int
api_password_hash(struct pgl_req *r, const char *pw, char out[PGL_HASH_LEN],
    struct pgl_err *err)
{
	char	*data = NULL;
	size_t	 len = 0;
	int	 rc;

	if ((rc = call(r, KEY_HASH, 0, pw, NULL, &data, &len, err)) !=
	    PGL_OK)
		return (rc);
	if (len == 0 || len >= PGL_HASH_LEN) {
		free(data);
		err->code = PGL_EINTERNAL;
		(void)snprintf(err->msg, sizeof(err->msg), "cannot hash the "
		    "password");
		return (PGL_EINTERNAL);
	}
	memcpy(out, data, len + 1);
	free(data);
	return (PGL_OK);
}

int
api_password_check(struct pgl_req *r, const char *pw, const char *encoded,
    int *ok, struct pgl_err *err)
{
	char	*data = NULL;
	size_t	 len = 0;
	int	 rc;

	*ok = 0;
	if ((rc = call(r, KEY_CHECK, 1, pw, encoded, &data, &len, err)) !=
	    PGL_OK)
		return (rc);
	/* Checked against another string than this run read: no match. */
	*ok = len >= 1 && data[0] == '1' &&
	    strcmp(data + 1, encoded != NULL ? encoded : "") == 0;
	free(data);
	return (PGL_OK);
}

void
api_password_reply_error(struct pgl_req *r, const struct pgl_err *err)
{
	if (err->code != PGL_EUNAVAIL && err->code != PGL_ENOMEM) {
		pgl_reply_error(r, 500, "cannot hash or check the password");
		return;
	}
	pgl_set_header(r, "retry-after", "1");
	pgl_reply_error(r, 503, "%s", err->msg);
}

int
api_password_checked(const struct pgl_req *r)
{
	return (api_fetch_has(r, KEY_CHECK));
}
