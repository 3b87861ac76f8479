/*
 * The user-delegation SAS (entra.h): the warehouse's user delegation key
 * from the Blob service (Get User Delegation Key, with its Entra token,
 * through azure.c's call), kept until half its life, and the SAS signed
 * with it ("Create a user delegation SAS", the string-to-sign of version
 * 2020-12-06 and later; sv=PGL_AZURE_SAS_VERSION).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "storage/azure.h"
#include "storage/azure_call.h"
#include "storage/azure_sign.h"
#include "storage/entra.h"
#include "storage/s3_call.h"
#include "storage/s3xml.h"

#define DIR_MAX		1024
#define KEY_LIFE_SECS	(2 * 86400)	/* Azure allows up to 7 days */
#define KEY_SKEW_SECS	300		/* the key starts before now */

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

/* The element's text; -1 if missing, empty or too long. */
static int
field(const char *xml, const char *tag, char *out, size_t len)
{
	const char	*p = xml;
	char		 probe[256];

	if (!pgl_xml_next(&p, tag, probe, sizeof(probe)) ||
	    probe[0] == '\0' || strlen(probe) >= len)
		return (-1);
	memcpy(out, probe, strlen(probe) + 1);
	return (0);
}

int
pgl_entra_udk_parse(const char *xml, struct pgl_entra_udk *k)
{
	const char	*p;

	memset(k, 0, sizeof(*k));
	if ((p = strstr(xml, "<UserDelegationKey>")) == NULL ||
	    field(p, "SignedOid", k->oid, sizeof(k->oid)) ||
	    field(p, "SignedTid", k->tid, sizeof(k->tid)) ||
	    field(p, "SignedStart", k->start, sizeof(k->start)) ||
	    field(p, "SignedExpiry", k->expiry, sizeof(k->expiry)) ||
	    field(p, "SignedService", k->service, sizeof(k->service)) ||
	    field(p, "SignedVersion", k->version, sizeof(k->version)) ||
	    field(p, "Value", k->value, sizeof(k->value)) ||
	    (k->expires_ms = pgl_iso8601_ms(k->expiry)) <= 0) {
		explicit_bzero(k, sizeof(*k));
		return (-1);
	}
	return (0);
}

/*
 * sp, st, se, the canonicalized resource ("/blob/<account>/<container>"
 * [+ "/<directory>"], not encoded), skoid, sktid, skt, ske, sks, skv,
 * saoid, suoid, scid, sip, spr, sv, sr, snapshot time, ses, rscc, rscd,
 * rsce, rscl, rsct.  Only those this server sets are not empty.
 */
int
pgl_entra_sas_string(const struct pgl_azure *a,
    const struct pgl_azure_sas_req *r, const struct pgl_entra_udk *k,
    char *out, size_t len)
{
	char	st[24] = "", se[24];
	int	dir = r->scope == PGL_AZURE_SAS_DIRECTORY, n;

	if ((dir && depth(r->directory) == 0) ||
	    (r->start != 0 && iso8601(r->start, st) == -1) ||
	    iso8601(r->expiry, se) == -1)
		return (-1);
	n = snprintf(out, len, "%s\n%s\n%s\n/blob/%s/%s%s%s\n"
	    "%s\n%s\n%s\n%s\n%s\n%s\n"		/* skoid .. skv */
	    "\n\n\n\n"				/* saoid suoid scid sip */
	    "%s\n%s\n%s\n"			/* spr sv sr */
	    "\n\n\n\n\n\n",			/* snapshot ses rscc .. rsct */
	    r->write ? "racwdl" : "rl", st, se, a->account, a->container,
	    dir ? "/" : "", dir ? r->directory : "",
	    k->oid, k->tid, k->start, k->expiry, k->service, k->version,
	    r->allow_http ? "https,http" : "https", PGL_AZURE_SAS_VERSION,
	    dir ? "d" : "c");
	return (n < 0 || (size_t)n >= len ? -1 : 0);
}

/* "&name=" and value percent-encoded onto out at *o; -1 if no room. */
static int
param(char *out, size_t len, size_t *o, const char *name, const char *value)
{
	char	enc[3 * 256 + 1];
	int	n;

	if (strlen(value) > 256)
		return (-1);
	pgl_s3_encode(enc, sizeof(enc), value, 0);
	n = snprintf(out + *o, len - *o, "%s%s=%s", *o > 0 ? "&" : "", name,
	    enc);
	if (n < 0 || (size_t)n >= len - *o)
		return (-1);
	*o += (size_t)n;
	return (0);
}

int
pgl_entra_sas_sign(const struct pgl_azure *a,
    const struct pgl_azure_sas_req *r, const struct pgl_entra_udk *k,
    char *out, size_t len)
{
	char	sts[2 * DIR_MAX + 1024], sig[64], st[24], se[24], sdd[16];
	size_t	o = 0;
	int	dir = r->scope == PGL_AZURE_SAS_DIRECTORY;

	if (pgl_entra_sas_string(a, r, k, sts, sizeof(sts)) == -1 ||
	    pgl_azure_hmac(k->value, sts, strlen(sts), sig, sizeof(sig)) == -1)
		return (-1);
	(void)iso8601(r->expiry, se);
	(void)snprintf(sdd, sizeof(sdd), "%d", dir ? depth(r->directory) : 0);
	if (param(out, len, &o, "sv", PGL_AZURE_SAS_VERSION) ||
	    param(out, len, &o, "spr", r->allow_http ? "https,http" :
	    "https") ||
	    (r->start != 0 && (iso8601(r->start, st) == -1 ||
	    param(out, len, &o, "st", st))) ||
	    param(out, len, &o, "se", se) ||
	    param(out, len, &o, "skoid", k->oid) ||
	    param(out, len, &o, "sktid", k->tid) ||
	    param(out, len, &o, "skt", k->start) ||
	    param(out, len, &o, "ske", k->expiry) ||
	    param(out, len, &o, "sks", k->service) ||
	    param(out, len, &o, "skv", k->version) ||
	    param(out, len, &o, "sr", dir ? "d" : "c") ||
	    param(out, len, &o, "sp", r->write ? "racwdl" : "rl") ||
	    (dir && param(out, len, &o, "sdd", sdd)) ||
	    param(out, len, &o, "sig", sig))
		return (-1);
	return (0);
}

static int
udk_err(struct pgl_err *err, int code, const struct pgl_azure *a,
    const char *what)
{
	err->code = code;
	(void)snprintf(err->msg, sizeof(err->msg), "warehouse '%.60s': %.180s",
	    a->name != NULL ? a->name : "?", what);
	return (code);
}

/*
 * Get User Delegation Key: POST <blob endpoint>/?restype=service&
 * comp=userdelegationkey.  Made by azure.c's call as the warehouse with
 * no container: its path is then the service's root ("/" on Azure,
 * "/<account>/" on the emulator), and the call is a Bearer one.
 */
static int
fetch_key(const struct pgl_azure *a, time_t now, struct pgl_entra_udk *k,
    struct pgl_err *err)
{
	struct pgl_azure	 svc = *a;
	struct az_request	 q;
	struct az_response	 r;
	char			 body[256], start[24], expiry[24];
	int			 rc;

	if (iso8601(now - KEY_SKEW_SECS, start) == -1 ||
	    iso8601(now + KEY_LIFE_SECS, expiry) == -1)
		return (udk_err(err, PGL_EINTERNAL, a, "no clock"));
	(void)snprintf(body, sizeof(body), "<?xml version=\"1.0\" encoding="
	    "\"utf-8\"?>\n<KeyInfo><Start>%s</Start><Expiry>%s</Expiry>"
	    "</KeyInfo>", start, expiry);
	svc.container = "";
	svc.account_key = NULL;
	memset(&q, 0, sizeof(q));
	q.method = "POST";
	q.query = "restype=service&comp=userdelegationkey";
	q.data = body;
	q.len = strlen(body);
	q.max = 16 * 1024;
	q.content_type = "application/xml";
	if ((rc = pgl_azure_perform(&svc, &q, &r, err)) != PGL_OK)
		return (rc);
	if (r.body.too_big) {
		free(r.body.data);
		return (udk_err(err, PGL_EUNAVAIL, a, "Azure answered more "
		    "than 64 KiB for a user delegation key"));
	}
	if (r.status != 200)
		return (pgl_azure_failed(a, NULL, &r, err));
	rc = r.body.data != NULL && pgl_entra_udk_parse(r.body.data, k) == 0 ?
	    PGL_OK : udk_err(err, PGL_EUNAVAIL, a, "Azure answered no user "
	    "delegation key");
	if (r.body.data != NULL)
		explicit_bzero(r.body.data, r.body.len);
	free(r.body.data);
	return (rc);
}

int
pgl_entra_user_delegation_sas(const struct pgl_azure *a,
    const struct pgl_azure_sas_req *r, char *out, size_t len,
    struct pgl_err *err)
{
	struct pgl_entra_udk	 k;
	char			 key[1600];
	int64_t			 now = pgl_entra_now_ms(), life;
	int			 n, rc;

	if (len > 0)
		out[0] = '\0';
	/* The key is the account's: kept per Blob endpoint and principal. */
	n = snprintf(key, sizeof(key), "udk\n%s\n%s\n", a->endpoint != NULL ?
	    a->endpoint : "", a->account);
	if (n < 0 || (size_t)n >= sizeof(key) ||
	    pgl_entra_principal(a, key + n, sizeof(key) - (size_t)n) == -1)
		return (udk_err(err, PGL_EINVAL, a, "Entra settings: tenant_id, "
		    "client_id and client_secret are needed"));
	/* A kept key serves only a SAS it outlives. */
	if (pgl_entra_kept_get(key, &k, sizeof(k), now) == -1 ||
	    k.expires_ms < (int64_t)r->expiry * 1000) {
		if ((rc = fetch_key(a, (time_t)(now / 1000), &k, err)) != PGL_OK)
			return (rc);
		life = k.expires_ms - now;
		pgl_entra_kept_put(key, &k, sizeof(k), now + life / 2, now);
		if (k.expires_ms < (int64_t)r->expiry * 1000) {
			explicit_bzero(&k, sizeof(k));
			return (udk_err(err, PGL_EINVAL, a, "cannot make a SAS "
			    "that outlives the user delegation key (7 days)"));
		}
	}
	rc = pgl_entra_sas_sign(a, r, &k, out, len) == 0 ? PGL_OK :
	    udk_err(err, PGL_EINVAL, a, "cannot make a user-delegation SAS "
	    "for this request");
	explicit_bzero(&k, sizeof(k));
	return (rc);
}
