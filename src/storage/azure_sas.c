/*
 * The SAS a client is vended (pgl_azure_sas): a service SAS signed with
 * the account key ("Create a service SAS", version 2020-12-06 and later,
 * signed for sv=2022-11-02), over a container (sr=c) or a directory of an
 * account with a hierarchical namespace (sr=d, sdd = its depth); without
 * a key, Entra's user-delegation SAS (entra.h).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "storage/azure.h"
#include "storage/azure_sign.h"
#include "storage/entra.h"
#include "storage/s3_call.h"

#define DIR_MAX		1024

static int
iso8601(time_t t, char out[24])
{
	struct tm	tm;

	return (gmtime_r(&t, &tm) == NULL || strftime(out, 24,
	    "%Y-%m-%dT%H:%M:%SZ", &tm) != 20 ? -1 : 0);
}

/* A directory's depth ("a/b/c": 3); 0 if it is not a path the spec
 * allows (empty, a leading or trailing '/', an empty segment). */
static int
depth(const char *d)
{
	int	n = 1;

	if (d == NULL || *d == '\0' || *d == '/' || d[strlen(d) - 1] == '/' ||
	    strstr(d, "//") != NULL || strlen(d) > DIR_MAX)
		return (0);
	for (; *d != '\0'; d++)
		n += *d == '/';
	return (n);
}

/*
 * The sixteen fields, in the spec's order: sp, st, se, canonicalized
 * resource ("/blob/<account>/<container>[/<directory>]", not encoded),
 * si, sip, spr, sv, sr, snapshot time, ses, rscc, rscd, rsce, rscl, rsct.
 * Only those this server sets are not empty.
 */
int
pgl_azure_sas_string(const struct pgl_azure *a,
    const struct pgl_azure_sas_req *r, char *out, size_t len)
{
	char	st[24] = "", se[24];
	int	dir = r->scope == PGL_AZURE_SAS_DIRECTORY, n;

	if ((dir && depth(r->directory) == 0) ||
	    (r->start != 0 && iso8601(r->start, st) == -1) ||
	    iso8601(r->expiry, se) == -1)
		return (-1);
	n = snprintf(out, len, "%s\n%s\n%s\n/blob/%s/%s%s%s\n\n\n%s\n%s\n%s\n"
	    "\n\n\n\n\n\n", r->write ? "racwdl" : "rl", st, se, a->account,
	    a->container, dir ? "/" : "", dir ? r->directory : "",
	    r->allow_http ? "https,http" : "https", PGL_AZURE_SAS_VERSION,
	    dir ? "d" : "c");
	return (n < 0 || (size_t)n >= len ? -1 : 0);
}

int
pgl_azure_sas(const struct pgl_azure *a, const struct pgl_azure_sas_req *r,
    char *out, size_t len, struct pgl_err *err)
{
	char	sts[2 * DIR_MAX], sig[64], esig[200], st[24], est[80] = "";
	char	se[24], ese[80], sdd[24] = "";
	int	n;

	if (a->account_key == NULL)
		return (pgl_entra_user_delegation_sas(a, r, out, len, err));
	if (pgl_azure_sas_string(a, r, sts, sizeof(sts)) == -1)
		goto bad;
	if (pgl_azure_hmac(a->account_key, sts, strlen(sts), sig,
	    sizeof(sig)) == -1) {
		err->code = PGL_EINVAL;
		(void)snprintf(err->msg, sizeof(err->msg), "warehouse '%.60s': "
		    "cannot sign a SAS: the account key is not base64",
		    a->name != NULL ? a->name : "?");
		return (PGL_EINVAL);
	}
	pgl_s3_encode(esig, sizeof(esig), sig, 0);
	if (r->start != 0) {
		(void)iso8601(r->start, st);
		(void)snprintf(est, sizeof(est), "&st=");
		pgl_s3_encode(est + 4, sizeof(est) - 4, st, 0);
	}
	(void)iso8601(r->expiry, se);
	pgl_s3_encode(ese, sizeof(ese), se, 0);
	if (r->scope == PGL_AZURE_SAS_DIRECTORY)
		(void)snprintf(sdd, sizeof(sdd), "&sdd=%d", depth(r->directory));
	n = snprintf(out, len, "sv=%s&spr=%s%s&se=%s&sr=%s&sp=%s%s&sig=%s",
	    PGL_AZURE_SAS_VERSION, r->allow_http ? "https%2Chttp" : "https",
	    est, ese, r->scope == PGL_AZURE_SAS_DIRECTORY ? "d" : "c",
	    r->write ? "racwdl" : "rl", sdd, esig);
	if (n >= 0 && (size_t)n < len)
		return (PGL_OK);
bad:
	err->code = PGL_EINVAL;
	(void)snprintf(err->msg, sizeof(err->msg), "warehouse '%.60s': cannot "
	    "make a SAS for this request", a->name != NULL ? a->name : "?");
	return (PGL_EINVAL);
}
