/*
 * A password's argon2id hash or check, off the worker's event loop.
 *
 * One argon2id run costs 20-30 ms of CPU here (more in a sanitizer
 * build), and 19 MiB.  Made on the event loop, every request the worker
 * holds waited for it: a burst of logins (each unknown name costs a check
 * against a decoy) or a tenant admin setting passwords in a loop held
 * every tenant's loads on that worker.  So the hash is a call the request
 * waits for (api/request/fetch.h): made on the CPU lane's threads, below
 * the loops' priority; the handler returns as on any error, its reply
 * taken back (a management route's transaction rolled back, holding
 * nothing), and runs again from its start once the answer is in, which
 * it then finds here.  At most [auth] password_jobs calls wait or run in
 * a worker at once; past that the answer is 503 with Retry-After.
 */
#ifndef PGL_API_PASSWORD_JOB_H
#define PGL_API_PASSWORD_JOB_H

#include "auth/hash.h"
#include "http/request.h"
#include "pangolin/plugin.h"

/*
 * out: pw's hash (a fresh salt).  PGL_OK; PGL_EUNAVAIL while it is made
 * (or the worker has too many under way: err says which); or why not.
 */
int	api_password_hash(struct pgl_req *, const char *pw,
	    char out[PGL_HASH_LEN], struct pgl_err *);
/*
 * *ok: 1 when pw matches encoded.  encoded NULL checks against a decoy
 * hash, so that an unknown name costs what a known one does.  Returns as
 * api_password_hash does.
 */
int	api_password_check(struct pgl_req *, const char *pw,
	    const char *encoded, int *ok, struct pgl_err *);
/*
 * The answer to a hash or check that did not return PGL_OK: 503 with
 * Retry-After and err's words (taken back while the call runs), or 500.
 */
void	api_password_reply_error(struct pgl_req *, const struct pgl_err *);
/* 1 when this run of r's handler already has a check's answer in: it is
 * the replay after the check (a step made once skips it now). */
int	api_password_checked(const struct pgl_req *);

#endif
