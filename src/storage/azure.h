/*
 * An Azure Blob Storage client for the files a catalog owns (issue 44):
 * Get, Put (never over an existing blob), Delete, Blob Batch delete,
 * Get Blob Properties, List Blobs, Get Container Properties and Create
 * Container, authorized with
 * the account's Shared Key (azure_sign.h) or an Entra service principal's
 * token (entra.h); and the SAS a client is vended (azure_sas.c).
 *
 * The calls run on the S3 client's machinery (s3_client.h) through a
 * struct pgl_s3 view that names the Blob endpoint: its kept curl handles,
 * its breaker and in-flight cap per endpoint origin, its timeouts, its
 * connect-time address check and its counters.  So a call blocks: the
 * caller runs it off the event loop (the write pool).  Thread-safe: what
 * is shared is s3.c's, under its lock.
 *
 * Errors name the warehouse and Azure's error code: PGL_ENOTFOUND for a
 * missing blob, PGL_EEXISTS for a Put over an existing one, PGL_EUNAVAIL
 * for every other failure of the store ("warehouse 'w': Azure refused the
 * request: AuthenticationFailed (HTTP 403)").
 */
#ifndef PGL_AZURE_H
#define PGL_AZURE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "pangolin/plugin.h"

struct pgl_file_info;

struct pgl_azure {
	const char	*account;	/* storage account name */
	const char	*container;
	const char	*endpoint;	/* Blob service base URL, no trailing '/':
					 * "http://127.0.0.1:10000/devstoreaccount1"
					 * (emulator, path-style: the account is the
					 * first path segment), or
					 * "https://acct.blob.core.chinacloudapi.cn";
					 * NULL: https://<account>.blob.core.windows.net */
	const char	*account_key;	/* base64 Shared Key; NULL: Entra */
	const char	*tenant_id;	/* Entra service principal (entra.h) */
	const char	*client_id;
	const char	*client_secret;
	const char	*authority;	/* Entra authority host URL; NULL:
					 * https://login.microsoftonline.com */
	const char	*name;		/* the warehouse, for messages */
	unsigned	 max_results;	/* list page size; 0: 5,000 */
};

/* The Blob service version every request names (x-ms-version). */
#define PGL_AZURE_VERSION	"2021-12-02"
/* The version a SAS is signed for (sv). */
#define PGL_AZURE_SAS_VERSION	"2022-11-02"

/*
 * abfss://<container>@<account>.dfs.<suffix>/<path> or
 * wasbs://<container>@<account>.blob.<suffix>/<path> (also abfs://,
 * wasb://): container, account (the host's first label) and the path
 * after the host's '/' ("" when none); -1 if not such a location.
 */
int	pgl_azure_split(const char *loc, char *container, size_t clen,
	    char *account, size_t alen, const char **path);

/* At most max bytes; a missing blob is PGL_ENOTFOUND. */
int	pgl_azure_get(const struct pgl_azure *, const char *blob, size_t max,
	    char **data, size_t *len, struct pgl_err *);
/* Put Blob (BlockBlob) with If-None-Match: "*": an existing blob is
 * PGL_EEXISTS (Azure answers 409 BlobAlreadyExists), never overwritten. */
int	pgl_azure_put(const struct pgl_azure *, const char *blob,
	    const void *data, size_t len, struct pgl_err *);
/* A missing blob is not an error. */
int	pgl_azure_delete(const struct pgl_azure *, const char *blob,
	    struct pgl_err *);
/* Many deletes: Blob Batch (up to 256 a request) where the endpoint has
 * it, missing blobs not an error; the first failure is reported after the
 * rest ran. */
int	pgl_azure_delete_blobs(const struct pgl_azure *,
	    const char *const *blobs, size_t n, struct pgl_err *);
int	pgl_azure_head(const struct pgl_azure *, const char *blob,
	    struct pgl_file_info *, struct pgl_err *);
/* Every blob under prefix, in name order, through every page (marker).
 * A non-zero return from fn stops the listing (not an error). */
typedef int	(*pgl_azure_list_fn)(void *arg, const char *blob,
		    uint64_t size, int64_t mtime_ms);
int	pgl_azure_list(const struct pgl_azure *, const char *prefix,
	    pgl_azure_list_fn fn, void *arg, struct pgl_err *);
/* One that exists is fine. */
int	pgl_azure_create_container(const struct pgl_azure *,
	    struct pgl_err *);
/* Get Container Properties: *exists 1 or 0 (PGL_OK), or why Azure could
 * not say (a refused key, no answer). */
int	pgl_azure_container_exists(const struct pgl_azure *, int *exists,
	    struct pgl_err *);

/* SAS (azure_sas.c) */
enum pgl_azure_sas_scope { PGL_AZURE_SAS_CONTAINER, PGL_AZURE_SAS_DIRECTORY };
struct pgl_azure_sas_req {
	enum pgl_azure_sas_scope scope;
	const char	*directory;	/* DIRECTORY: the directory's path in the
					 * container, no leading/trailing '/' */
	int		 write;		/* 0: "rl"; 1: "racwdl" */
	time_t		 start, expiry;	/* start 0: none (st left out) */
	int		 allow_http;	/* spr=https,http; else spr=https */
};
/*
 * The SAS query string (no '?') for a with its account key (service SAS,
 * sr=c or sr=d with sdd = the directory's depth) or, with Entra settings
 * and no key, a user-delegation SAS (entra.h); -1/err when it cannot.
 */
int	pgl_azure_sas(const struct pgl_azure *, const struct pgl_azure_sas_req *,
	    char *out, size_t len, struct pgl_err *);
/*
 * The string a service SAS signs ("Create a service SAS", version
 * 2020-12-06 and later): sixteen fields, '\n' between them.  -1 if the
 * request is not one (a directory that is empty or starts or ends with
 * '/') or it does not fit.  For azure_sas.c and its tests.
 */
int	pgl_azure_sas_string(const struct pgl_azure *,
	    const struct pgl_azure_sas_req *, char *out, size_t len);

#endif
