/*
 * The Azure Blob client (src/storage/azure*.c): Shared Key and SAS
 * strings to sign by vectors worked out by hand from Microsoft's spec
 * (signatures by `openssl dgst -sha256 -mac HMAC`), locations, and every
 * call against Azurite, the Blob service emulator, which checks Shared Key
 * and SAS signatures: started by run-unit.sh at PGL_AZURE_URL
 * ("http://127.0.0.1:P/devstoreaccount1").  Without it the server cases
 * are skipped and say so.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <pthread.h>
#include <cmocka.h>

#include <curl/curl.h>

#include "storage/azure.h"
#include "storage/azure_sign.h"
#include "storage/fileio.h"
#include "storage/s3.h"

/* Azurite's well-known account (and every emulator's). */
#define ACCOUNT	"devstoreaccount1"
#define KEY	"Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6" \
		"tq/K1SZFPTOtr/KBHBeksoGMGw=="

static struct pgl_azure	az;
static char		*allowed[2] = { NULL, "http://127.0.0.1:9" };
static char		container[64], origin[128];

static int
setup(void **state)
{
	const char	*url = getenv("PGL_AZURE_URL");
	const char	*p;

	(void)state;
	(void)snprintf(container, sizeof(container), "pgl-test-%d",
	    (int)getpid());
	az = (struct pgl_azure){ .account = ACCOUNT, .container = container,
	    .endpoint = url, .account_key = KEY, .name = "wh-az" };
	/* Azurite and the dead port are on loopback: allowed, as an
	 * operator would ([storage] allowed_endpoints holds origins). */
	if (url != NULL && (p = strchr(url + 8, '/')) != NULL)
		(void)snprintf(origin, sizeof(origin), "%.*s", (int)(p - url),
		    url);
	allowed[0] = origin[0] != '\0' ? origin : "http://127.0.0.1:9";
	pgl_s3_allow_endpoints(allowed, 2);
	return (0);
}

static int
teardown(void **state)
{
	(void)state;
	pgl_s3_shutdown();
	return (0);
}

#define NEEDS_AZURITE() do {						\
	if (az.endpoint == NULL) {					\
		fprintf(stderr, "PGL_AZURE_URL is not set (no Azurite: "	\
		    "tests/integration's npm ci installs it)\n");	\
		skip();							\
	}								\
} while (0)

static void
ok(int rc, const struct pgl_err *err)
{
	if (rc != PGL_OK)
		fail_msg("%d: %s", rc, err->msg);
}

static void
ready(void)
{
	struct pgl_err	err;

	ok(pgl_azure_create_container(&az, &err), &err);
}

/* --- no server ---------------------------------------------------------- */

static void
test_locations_split_into_container_account_and_path(void **state)
{
	char		 c[64], a[32];
	const char	*path;

	(void)state;
	assert_int_equal(pgl_azure_split("abfss://whs@acct1.dfs.core.windows.net"
	    "/cat/ns/t", c, sizeof(c), a, sizeof(a), &path), 0);
	assert_string_equal(c, "whs");
	assert_string_equal(a, "acct1");
	assert_string_equal(path, "cat/ns/t");
	assert_int_equal(pgl_azure_split("wasbs://my-data@acct1.blob.core."
	    "chinacloudapi.cn/x", c, sizeof(c), a, sizeof(a), &path), 0);
	assert_string_equal(c, "my-data");
	assert_string_equal(path, "x");
	assert_int_equal(pgl_azure_split("abfs://whs@devstoreaccount1.dfs.core."
	    "windows.net", c, sizeof(c), a, sizeof(a), &path), 0);
	assert_string_equal(a, "devstoreaccount1");
	assert_string_equal(path, "");
	assert_int_equal(pgl_azure_split("wasb://whs@acct1.blob.core.windows."
	    "net/", c, sizeof(c), a, sizeof(a), &path), 0);
	assert_string_equal(path, "");
	/* Not Azure places. */
	assert_int_equal(pgl_azure_split("s3://b/k", c, sizeof(c), a,
	    sizeof(a), &path), -1);
	assert_int_equal(pgl_azure_split("abfss://acct1.dfs.core.windows.net/"
	    "x", c, sizeof(c), a, sizeof(a), &path), -1);	/* no container */
	assert_int_equal(pgl_azure_split("abfss://@acct1.dfs.core.windows.net",
	    c, sizeof(c), a, sizeof(a), &path), -1);
	assert_int_equal(pgl_azure_split("abfss://WHS@acct1.dfs.core.windows."
	    "net", c, sizeof(c), a, sizeof(a), &path), -1);	/* upper case */
	assert_int_equal(pgl_azure_split("abfss://whs@acct1/x", c, sizeof(c), a,
	    sizeof(a), &path), -1);				/* no suffix */
	assert_int_equal(pgl_azure_split("abfss://whs@acct1.s3.amazonaws.com",
	    c, sizeof(c), a, sizeof(a), &path), -1);
	assert_int_equal(pgl_azure_split("abfss://whs@a-b.dfs.core.windows.net",
	    c, sizeof(c), a, sizeof(a), &path), -1);	/* '-' in account */
	assert_int_equal(pgl_azure_split("abfss://whs/x@acct1.dfs.core.windows."
	    "net", c, sizeof(c), a, sizeof(a), &path), -1);
	assert_int_equal(pgl_azure_split("abfss://whs@acct1.dfs.core.windows."
	    "net", c, 2, a, sizeof(a), &path), -1);	/* does not fit */
	assert_int_equal(pgl_azure_split("abfss://wh@acct1.dfs.core.windows."
	    "net", c, sizeof(c), a, sizeof(a), &path), -1);	/* too short */
}

/* A Put Blob as this client sends it on the emulator: Content-Length
 * signed, x-ms- headers sorted, the account twice in the resource (once
 * for Shared Key, once in the emulator's path). */
static void
test_shared_key_signs_a_put_as_the_spec_says(void **state)
{
	struct pgl_azure_header	 h[] = {
		{ "x-ms-version", "2021-12-02" },
		{ "x-ms-date", "Thu, 26 Nov 2026 19:00:00 GMT" },
		{ "Content-Length", "5" },
		{ "Content-Type", "application/octet-stream" },
		{ "x-ms-blob-type", "BlockBlob" },
		{ "If-None-Match", "*" },
	};
	struct pgl_azure_signed	 q = { "PUT", "/devstoreaccount1/c/a%20b",
				    NULL, h, 6 };
	char			 sts[1024], auth[256];

	(void)state;
	assert_int_equal(pgl_azure_string_to_sign(ACCOUNT, &q, sts,
	    sizeof(sts)), 0);
	assert_string_equal(sts, "PUT\n\n\n5\n\napplication/octet-stream\n\n"
	    "\n\n*\n\n\nx-ms-blob-type:BlockBlob\nx-ms-date:Thu, 26 Nov 2026 "
	    "19:00:00 GMT\nx-ms-version:2021-12-02\n/devstoreaccount1/"
	    "devstoreaccount1/c/a%20b");
	assert_int_equal(pgl_azure_shared_key(ACCOUNT, KEY, &q, auth,
	    sizeof(auth)), 0);
	assert_string_equal(auth, "SharedKey devstoreaccount1:"
	    "kyKbfqICeXbdUZPTwGAMdaMkawn8jnbHyagHrvo3Wgo=");
	/* Too small a buffer is an error, not a cut string. */
	assert_int_equal(pgl_azure_string_to_sign(ACCOUNT, &q, sts, 20), -1);
}

/* The query's parameters: names lower-cased, values decoded, sorted; a
 * zero Content-Length is signed as empty. */
static void
test_shared_key_canonicalizes_the_query(void **state)
{
	struct pgl_azure_header	 h[] = {
		{ "x-ms-date", "Thu, 26 Nov 2026 19:00:00 GMT" },
		{ "x-ms-version", "2021-12-02" },
		{ "Content-Length", "0" },
	};
	struct pgl_azure_signed	 q = { "GET", "/devstoreaccount1/c",
				    "restype=container&comp=list&prefix=a%2Fb%20c"
				    "&maxresults=2", h, 3 };
	char			 sts[1024], auth[256];

	(void)state;
	assert_int_equal(pgl_azure_string_to_sign(ACCOUNT, &q, sts,
	    sizeof(sts)), 0);
	assert_string_equal(sts, "GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:Thu, 26 "
	    "Nov 2026 19:00:00 GMT\nx-ms-version:2021-12-02\n/devstoreaccount1/"
	    "devstoreaccount1/c\ncomp:list\nmaxresults:2\nprefix:a/b c\n"
	    "restype:container");
	assert_int_equal(pgl_azure_shared_key(ACCOUNT, KEY, &q, auth,
	    sizeof(auth)), 0);
	assert_string_equal(auth, "SharedKey devstoreaccount1:"
	    "lvLSDceI7I4/DwbGOnUw6CHDZwYcc9FCiAjTu+4mZLU=");
	assert_int_equal(pgl_azure_shared_key(ACCOUNT, "not base64!", &q,
	    auth, sizeof(auth)), -1);
}

/*
 * A directory SAS (sr=d, ADLS Gen2): the sixteen fields of "Create a
 * service SAS" for 2020-12-06 and later, the directory in the resource
 * unencoded, sdd (its depth) in the query but not signed.  Azurite cannot
 * show this one works: it has no hierarchical namespace and refuses any
 * sr=d 403 unchecked (test_sas_on_azurite shows that too), so the vector
 * is the proof.
 */
static void
test_directory_sas_signs_sixteen_fields(void **state)
{
	struct pgl_azure		 a = { .account = ACCOUNT,
					    .container = "c", .account_key = KEY,
					    .name = "w" };
	struct pgl_azure_sas_req	 r = { PGL_AZURE_SAS_DIRECTORY,
					    "t/ns/tbl", 0, 0, 1795000000, 0 };
	struct pgl_err			 err;
	char				 sts[512], sas[512];

	(void)state;
	assert_int_equal(pgl_azure_sas_string(&a, &r, sts, sizeof(sts)), 0);
	assert_string_equal(sts, "rl\n\n2026-11-18T11:06:40Z\n/blob/"
	    "devstoreaccount1/c/t/ns/tbl\n\n\nhttps\n2022-11-02\nd\n\n\n\n\n\n\n");
	ok(pgl_azure_sas(&a, &r, sas, sizeof(sas), &err), &err);
	assert_string_equal(sas, "sv=2022-11-02&spr=https&se=2026-11-18T11%3A"
	    "06%3A40Z&sr=d&sp=rl&sdd=3&sig=%2Bgr%2FUq6EDqiKCrQOu5a3%2Fnxc"
	    "IMLYnwCH0oEHlnwbFAw%3D");
	/* Not directories the spec allows. */
	r.directory = "/t";
	assert_int_equal(pgl_azure_sas(&a, &r, sas, sizeof(sas), &err),
	    PGL_EINVAL);
	r.directory = "t/";
	assert_int_equal(pgl_azure_sas_string(&a, &r, sts, sizeof(sts)), -1);
	r.directory = "";
	assert_int_equal(pgl_azure_sas_string(&a, &r, sts, sizeof(sts)), -1);
	r.directory = "a//b";
	assert_int_equal(pgl_azure_sas_string(&a, &r, sts, sizeof(sts)), -1);
}

static void
test_container_sas_for_a_writer_signs_start_and_protocols(void **state)
{
	struct pgl_azure		 a = { .account = ACCOUNT,
					    .container = "c", .account_key = KEY,
					    .name = "w" };
	struct pgl_azure_sas_req	 r = { PGL_AZURE_SAS_CONTAINER, NULL,
					    1, 1794990000, 1795000000, 1 };
	struct pgl_err			 err;
	char				 sts[512], sas[512];

	(void)state;
	assert_int_equal(pgl_azure_sas_string(&a, &r, sts, sizeof(sts)), 0);
	assert_string_equal(sts, "racwdl\n2026-11-18T08:20:00Z\n2026-11-18T11:"
	    "06:40Z\n/blob/devstoreaccount1/c\n\n\nhttps,http\n2022-11-02\nc\n"
	    "\n\n\n\n\n\n");
	ok(pgl_azure_sas(&a, &r, sas, sizeof(sas), &err), &err);
	assert_string_equal(sas, "sv=2022-11-02&spr=https%2Chttp&st=2026-11-"
	    "18T08%3A20%3A00Z&se=2026-11-18T11%3A06%3A40Z&sr=c&sp=racwdl&sig="
	    "ttb3jzlYlxnJFHPGEhBWxrET7nF8ufxJCvfVD0YglXM%3D");
	/* Too small: an error, never a cut token. */
	assert_int_equal(pgl_azure_sas(&a, &r, sas, 40, &err), PGL_EINVAL);
}

/* Without a key the SAS and the calls are Entra's (entra.h). */
static void
test_without_a_key_the_calls_are_entras(void **state)
{
	struct pgl_azure		 a = { .account = ACCOUNT,
					    .container = "c", .tenant_id = "t",
					    .client_id = "i", .client_secret = "s",
					    .endpoint = "http://127.0.0.1:9/x",
					    .authority = "http://127.0.0.1:9",
					    .name = "w" };
	struct pgl_azure_sas_req	 r = { PGL_AZURE_SAS_CONTAINER, NULL,
					    0, 0, 1795000000, 0 };
	struct pgl_err			 err;
	char				 sas[512];

	(void)state;
	assert_int_not_equal(pgl_azure_sas(&a, &r, sas, sizeof(sas), &err),
	    PGL_OK);
	assert_int_not_equal(pgl_azure_delete(&a, "x", &err), PGL_OK);
}

/* --- Azurite ----------------------------------------------------------- */

static void
test_put_get_head_and_put_never_overwrites(void **state)
{
	struct pgl_file_info	fi;
	struct pgl_err		err;
	const char		*blob = "cat/ns/t/metadata/00000-a b+c%.json";
	const char		*body = "{\"format-version\":2}";
	char			*data;
	size_t			 len;

	(void)state;
	NEEDS_AZURITE();
	ready();
	ok(pgl_azure_create_container(&az, &err), &err);	/* again: fine */
	ok(pgl_azure_put(&az, blob, body, strlen(body), &err), &err);
	ok(pgl_azure_get(&az, blob, 1 << 20, &data, &len, &err), &err);
	assert_int_equal(len, strlen(body));
	assert_memory_equal(data, body, len);
	free(data);
	ok(pgl_azure_head(&az, blob, &fi, &err), &err);
	assert_int_equal(fi.size, strlen(body));
	assert_true(fi.mtime_ms > 1700000000000LL);
	/* An existing blob: PGL_EEXISTS, its content unchanged. */
	assert_int_equal(pgl_azure_put(&az, blob, "other", 5, &err),
	    PGL_EEXISTS);
	assert_non_null(strstr(err.msg, "wh-az"));
	ok(pgl_azure_get(&az, blob, 1 << 20, &data, &len, &err), &err);
	assert_int_equal(len, strlen(body));
	assert_memory_equal(data, body, len);
	free(data);
	/* Too big for the caller's limit. */
	assert_int_equal(pgl_azure_get(&az, blob, 4, &data, &len, &err),
	    PGL_EINVAL);
	/* An empty blob is a blob. */
	ok(pgl_azure_put(&az, "cat/empty", "", 0, &err), &err);
	ok(pgl_azure_get(&az, "cat/empty", 10, &data, &len, &err), &err);
	assert_int_equal(len, 0);
	free(data);
	ok(pgl_azure_delete(&az, blob, &err), &err);
	assert_int_equal(pgl_azure_get(&az, blob, 1 << 20, &data, &len, &err),
	    PGL_ENOTFOUND);
	assert_int_equal(pgl_azure_head(&az, blob, &fi, &err), PGL_ENOTFOUND);
	/* A missing blob deleted: fine. */
	ok(pgl_azure_delete(&az, blob, &err), &err);
	ok(pgl_azure_delete(&az, "never/was", &err), &err);
}

struct racer {
	pthread_t	 t;
	int		 rc;
	int		 n;
	struct pgl_err	 err;
};

static void *
race(void *arg)
{
	struct racer	*r = arg;
	char		 body[32];

	(void)snprintf(body, sizeof(body), "writer %d", r->n);
	r->rc = pgl_azure_put(&az, "race/v1.metadata.json", body, strlen(body),
	    &r->err);
	return (NULL);
}

/* The commit rule: of eight writers of one name exactly one wins, and
 * the blob is the winner's. */
static void
test_eight_racing_puts_one_wins(void **state)
{
	struct pgl_s3_limits	narrow = *pgl_s3_limits(), wide = narrow;
	struct racer	r[8];
	struct pgl_err	err;
	char		*data, want[32];
	size_t		 len;
	int		 i, wins = 0, winner = -1;

	wide.max_inflight = 16;
	(void)state;
	NEEDS_AZURITE();
	ready();
	/* Room for all eight at once (the default cap is 4 per endpoint:
	 * a pool job waits for a slot, obj_job.c; these would be refused). */
	pgl_s3_set_limits(&wide);
	for (i = 0; i < 8; i++) {
		r[i].n = i;
		assert_int_equal(pthread_create(&r[i].t, NULL, race, &r[i]),
		    0);
	}
	for (i = 0; i < 8; i++) {
		(void)pthread_join(r[i].t, NULL);
		if (r[i].rc == PGL_OK) {
			wins++;
			winner = i;
		} else if (r[i].rc != PGL_EEXISTS)
			fail_msg("writer %d: %d: %s", i, r[i].rc, r[i].err.msg);
	}
	pgl_s3_set_limits(&narrow);
	assert_int_equal(wins, 1);
	ok(pgl_azure_get(&az, "race/v1.metadata.json", 100, &data, &len, &err),
	    &err);
	(void)snprintf(want, sizeof(want), "writer %d", winner);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(data, want, len);
	free(data);
}

struct seen {
	char	names[16][64];
	size_t	n;
};

static int
collect(void *arg, const char *blob, uint64_t size, int64_t mtime_ms)
{
	struct seen	*s = arg;

	assert_int_equal(size, 1);
	assert_true(mtime_ms > 1700000000000LL);
	if (s->n < 16)
		(void)snprintf(s->names[s->n], sizeof(s->names[0]), "%s", blob);
	s->n++;
	return (0);
}

static void
test_list_pages_by_marker_under_the_prefix_only(void **state)
{
	struct pgl_azure	 small = az;
	struct seen		 s = { .n = 0 };
	struct pgl_err		 err;
	char			 name[64];
	int			 i;

	(void)state;
	NEEDS_AZURITE();
	ready();
	for (i = 0; i < 5; i++) {
		(void)snprintf(name, sizeof(name), "list/p q/%d", i);
		ok(pgl_azure_put(&az, name, "x", 1, &err), &err);
	}
	ok(pgl_azure_put(&az, "list/p qr", "x", 1, &err), &err);
	ok(pgl_azure_put(&az, "list/a", "x", 1, &err), &err);
	ok(pgl_azure_put(&az, "lisu", "x", 1, &err), &err);
	small.max_results = 2;		/* three pages */
	ok(pgl_azure_list(&small, "list/p q/", collect, &s, &err), &err);
	assert_int_equal(s.n, 5);
	for (i = 0; i < 5; i++) {
		(void)snprintf(name, sizeof(name), "list/p q/%d", i);
		assert_string_equal(s.names[i], name);
	}
	memset(&s, 0, sizeof(s));
	ok(pgl_azure_list(&small, "nothing/", collect, &s, &err), &err);
	assert_int_equal(s.n, 0);
}

static int
count(void *arg, const char *blob, uint64_t size, int64_t mtime_ms)
{
	(void)blob;
	(void)size;
	(void)mtime_ms;
	(*(size_t *)arg)++;
	return (0);
}

/* More than one batch (256 a request), missing names among them. */
static void
test_delete_blobs_in_batches_really_deletes(void **state)
{
	struct pgl_err	 err;
	const char	*names[302];
	char		 buf[302][32];
	size_t		 i, n = 0;

	(void)state;
	NEEDS_AZURITE();
	ready();
	for (i = 0; i < 300; i++) {
		(void)snprintf(buf[i], sizeof(buf[0]), "bulk/f %03zu.avro", i);
		names[i] = buf[i];
		ok(pgl_azure_put(&az, buf[i], "x", 1, &err), &err);
	}
	names[300] = "bulk/never 1";
	names[301] = "bulk/never 2";
	ok(pgl_azure_list(&az, "bulk/", count, &n, &err), &err);
	assert_int_equal(n, 300);
	ok(pgl_azure_delete_blobs(&az, names, 302, &err), &err);
	n = 0;
	ok(pgl_azure_list(&az, "bulk/", count, &n, &err), &err);
	assert_int_equal(n, 0);
	ok(pgl_azure_delete_blobs(&az, names, 0, &err), &err);
}

static void
test_a_wrong_key_is_a_clear_error_naming_the_warehouse(void **state)
{
	struct pgl_azure	 bad = az;
	struct pgl_err		 err;
	char			*data;
	size_t			 len;

	(void)state;
	NEEDS_AZURITE();
	ready();
	/* Another key of the right form. */
	bad.account_key = "AAAAvdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UV"
	    "ErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
	assert_int_equal(pgl_azure_get(&bad, "x", 100, &data, &len, &err),
	    PGL_EUNAVAIL);
	assert_non_null(strstr(err.msg, "wh-az"));
	assert_true(strstr(err.msg, "AuthenticationFailed") != NULL ||
	    strstr(err.msg, "403") != NULL);
	assert_int_equal(pgl_azure_put(&bad, "x", "y", 1, &err), PGL_EUNAVAIL);
	assert_non_null(strstr(err.msg, "Azure refused the request"));
	/* A missing container is the warehouse's, not a missing blob. */
	bad = az;
	bad.container = "no-such-container";
	assert_int_equal(pgl_azure_get(&bad, "x", 100, &data, &len, &err),
	    PGL_EUNAVAIL);
	assert_non_null(strstr(err.msg, "ContainerNotFound"));
}

static void
test_a_dead_endpoint_fails_fast(void **state)
{
	struct pgl_azure	 dead = az;
	struct pgl_err		 err;
	struct timespec		 t0, t1;
	char			*data;
	size_t			 len;

	(void)state;
	dead.endpoint = "http://127.0.0.1:9/" ACCOUNT;
	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(pgl_azure_get(&dead, "x", 100, &data, &len, &err),
	    PGL_EUNAVAIL);
	(void)clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(t1.tv_sec - t0.tv_sec < 3);
	assert_non_null(strstr(err.msg, "wh-az"));
	/* Loopback, not allowed: never connected to. */
	dead.endpoint = "http://127.0.0.1:10/" ACCOUNT;
	assert_int_equal(pgl_azure_delete(&dead, "x", &err), PGL_EUNAVAIL);
	assert_non_null(strstr(err.msg, "allowed_endpoints"));
}

/* The S3 client's kept handles serve Azure too: one connection for
 * twenty calls, counted in its /metrics numbers. */
static void
test_calls_reuse_one_connection(void **state)
{
	struct pgl_s3_stats	before, after;
	struct pgl_file_info	fi;
	struct pgl_err		err;
	int			i;

	(void)state;
	NEEDS_AZURITE();
	ready();
	ok(pgl_azure_delete(&az, "reuse.json", &err), &err);
	ok(pgl_azure_put(&az, "reuse.json", "{}", 2, &err), &err);
	pgl_s3_stats(&before);
	for (i = 0; i < 20; i++)
		ok(pgl_azure_head(&az, "reuse.json", &fi, &err), &err);
	pgl_s3_stats(&after);
	assert_int_equal(after.requests - before.requests, 20);
	assert_true(after.connections - before.connections <= 1);
}

static size_t
sink(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return (size * n);
}

/* What Azurite answers a client holding sas: "GET" or "PUT" of blob. */
static long
with_sas(const char *method, const char *blob, const char *sas)
{
	CURL			*h = curl_easy_init();
	struct curl_slist	*hdrs = NULL;
	char			 url[1024];
	long			 status = 0;

	assert_non_null(h);
	(void)snprintf(url, sizeof(url), "%s/%s/%s?%s", az.endpoint,
	    container, blob, sas);
	hdrs = curl_slist_append(hdrs, "x-ms-version: 2022-11-02");
	if (strcmp(method, "PUT") == 0) {
		hdrs = curl_slist_append(hdrs, "x-ms-blob-type: BlockBlob");
		(void)curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PUT");
		(void)curl_easy_setopt(h, CURLOPT_POSTFIELDS, "sas");
	}
	(void)curl_easy_setopt(h, CURLOPT_URL, url);
	(void)curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	(void)curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
	(void)curl_easy_setopt(h, CURLOPT_PROXY, "");
	if (curl_easy_perform(h) == CURLE_OK)
		(void)curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
	return (status);
}

static void
test_sas_on_azurite(void **state)
{
	struct pgl_azure_sas_req	 r = { PGL_AZURE_SAS_CONTAINER, NULL,
					    0, 0, 0, 1 };
	struct pgl_err			 err;
	char				 sas[512];
	time_t				 now = time(NULL);

	(void)state;
	NEEDS_AZURITE();
	ready();
	ok(pgl_azure_put(&az, "sas/read-me", "x", 1, &err), &err);
	/* A reader's container SAS reads and lists, and writes nothing. */
	r.start = now - 300;
	r.expiry = now + 600;
	ok(pgl_azure_sas(&az, &r, sas, sizeof(sas), &err), &err);
	assert_int_equal(with_sas("GET", "sas/read-me", sas), 200);
	assert_int_equal(with_sas("PUT", "sas/by-reader", sas), 403);
	/* A writer's writes. */
	r.write = 1;
	ok(pgl_azure_sas(&az, &r, sas, sizeof(sas), &err), &err);
	assert_int_equal(with_sas("PUT", "sas/by-writer", sas), 201);
	assert_int_equal(with_sas("GET", "sas/by-writer", sas), 200);
	/* https only: refused over http. */
	r.allow_http = 0;
	ok(pgl_azure_sas(&az, &r, sas, sizeof(sas), &err), &err);
	assert_int_equal(with_sas("GET", "sas/read-me", sas), 403);
	/* Expired. */
	r.allow_http = 1;
	r.start = now - 7200;
	r.expiry = now - 3600;
	ok(pgl_azure_sas(&az, &r, sas, sizeof(sas), &err), &err);
	assert_int_equal(with_sas("GET", "sas/read-me", sas), 403);
	/* Azurite has no hierarchical namespace: its BlobSASAuthenticator
	 * knows sr=c, b and bs only (BlobSASResourceType.js), so a directory
	 * SAS (sr=d) is refused 403 without its signature being looked at,
	 * and only the vector above (test_directory_sas_signs_sixteen_fields)
	 * shows it is right. */
	r.scope = PGL_AZURE_SAS_DIRECTORY;
	r.directory = "sas";
	r.start = now - 300;
	r.expiry = now + 600;
	r.write = 0;
	ok(pgl_azure_sas(&az, &r, sas, sizeof(sas), &err), &err);
	assert_int_equal(with_sas("GET", "sas/read-me", sas), 403);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_locations_split_into_container_account_and_path),
		cmocka_unit_test(test_shared_key_signs_a_put_as_the_spec_says),
		cmocka_unit_test(test_shared_key_canonicalizes_the_query),
		cmocka_unit_test(test_directory_sas_signs_sixteen_fields),
		cmocka_unit_test(test_container_sas_for_a_writer_signs_start_and_protocols),
		cmocka_unit_test(test_without_a_key_the_calls_are_entras),
		cmocka_unit_test(test_put_get_head_and_put_never_overwrites),
		cmocka_unit_test(test_eight_racing_puts_one_wins),
		cmocka_unit_test(test_list_pages_by_marker_under_the_prefix_only),
		cmocka_unit_test(test_delete_blobs_in_batches_really_deletes),
		cmocka_unit_test(test_a_wrong_key_is_a_clear_error_naming_the_warehouse),
		cmocka_unit_test(test_a_dead_endpoint_fails_fast),
		cmocka_unit_test(test_calls_reuse_one_connection),
		cmocka_unit_test(test_sas_on_azurite),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
