/*
 * Entra service principals (src/storage/entra.c, entra_sas.c): the
 * user-delegation SAS against vectors computed apart from this code, the
 * user delegation key's answer, and the token and key calls against a
 * loopback server of the test's own (a thread that answers canned
 * replies, one a connection), which shows what is kept and for how long,
 * what a refusal says, and that an unlisted loopback authority is never
 * connected to.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "storage/azure.h"
#include "storage/entra.h"
#include "storage/s3.h"

/* --- the user-delegation SAS, pure ------------------------------------ */

/*
 * The vectors, computed with Python's hmac, not with this code:
 *
 *   key = base64.b64encode(bytes(range(32)))
 *       = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
 *   sts = "\n".join(fields)    # the 24 fields of version 2020-12-06
 *   sig = base64.b64encode(hmac.new(base64.b64decode(key), sts.encode(),
 *         hashlib.sha256).digest())
 *
 * Directory read SAS: fields = ["rl", "", "2026-11-27T00:00:00Z",
 * "/blob/acct/lake/wh/db/t1", OID, TID, "2026-11-26T00:00:00Z",
 * "2026-11-28T00:00:00Z", "b", "2022-11-02", "", "", "", "", "https",
 * "2022-11-02", "d", "", "", "", "", "", "", ""]
 *   sig = "xnbhxYWa9FMrVPdwRkGVQBjoYGOMAaXqP1V4POYDIQM="
 * Container write SAS over http too, st 2026-11-26T23:00:00Z: fields[0]
 * "racwdl", [1] the start, [3] "/blob/acct/lake", [14] "https,http",
 * [16] "c":
 *   sig = "/cEB5LjS8agoHuFOW9OEi079d8mcbfK/+M7SfspMtg8="
 */
#define OID	"11111111-2222-3333-4444-555555555555"
#define TID	"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
#define KEY	"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define EXPIRY	((time_t)1795737600)	/* 2026-11-27T00:00:00Z */
#define START	((time_t)1795734000)	/* 2026-11-26T23:00:00Z */

static const struct pgl_azure account = { .account = "acct",
	.container = "lake", .name = "w1" };

static struct pgl_entra_udk
udk(void)
{
	struct pgl_entra_udk	k;

	memset(&k, 0, sizeof(k));
	(void)snprintf(k.oid, sizeof(k.oid), "%s", OID);
	(void)snprintf(k.tid, sizeof(k.tid), "%s", TID);
	(void)snprintf(k.start, sizeof(k.start), "2026-11-26T00:00:00Z");
	(void)snprintf(k.expiry, sizeof(k.expiry), "2026-11-28T00:00:00Z");
	(void)snprintf(k.service, sizeof(k.service), "b");
	(void)snprintf(k.version, sizeof(k.version), "2022-11-02");
	(void)snprintf(k.value, sizeof(k.value), "%s", KEY);
	return (k);
}

static void
test_sas_string_has_the_24_fields_of_2020_12_06(void **state)
{
	struct pgl_azure_sas_req r = { PGL_AZURE_SAS_DIRECTORY, "wh/db/t1", 0,
				    0, EXPIRY, 0 };
	struct pgl_entra_udk	 k = udk();
	char			 s[2048];

	(void)state;
	assert_int_equal(pgl_entra_sas_string(&account, &r, &k, s, sizeof(s)), 0);
	assert_string_equal(s, "rl\n\n2026-11-27T00:00:00Z\n"
	    "/blob/acct/lake/wh/db/t1\n" OID "\n" TID "\n"
	    "2026-11-26T00:00:00Z\n2026-11-28T00:00:00Z\nb\n2022-11-02\n"
	    "\n\n\n\n"			/* saoid suoid scid sip */
	    "https\n2022-11-02\nd\n"
	    "\n\n\n\n\n\n");		/* snapshot ses rscc rscd rsce rscl rsct */
}

static void
test_directory_read_sas_matches_the_vector(void **state)
{
	struct pgl_azure_sas_req r = { PGL_AZURE_SAS_DIRECTORY, "wh/db/t1", 0,
				    0, EXPIRY, 0 };
	struct pgl_entra_udk	 k = udk();
	char			 q[2048];

	(void)state;
	assert_int_equal(pgl_entra_sas_sign(&account, &r, &k, q, sizeof(q)), 0);
	assert_string_equal(q, "sv=2022-11-02&spr=https"
	    "&se=2026-11-27T00%3A00%3A00Z&skoid=" OID "&sktid=" TID
	    "&skt=2026-11-26T00%3A00%3A00Z&ske=2026-11-28T00%3A00%3A00Z"
	    "&sks=b&skv=2022-11-02&sr=d&sp=rl&sdd=3"
	    "&sig=xnbhxYWa9FMrVPdwRkGVQBjoYGOMAaXqP1V4POYDIQM%3D");
}

static void
test_container_write_sas_over_http_matches_the_vector(void **state)
{
	struct pgl_azure_sas_req r = { PGL_AZURE_SAS_CONTAINER, NULL, 1,
				    START, EXPIRY, 1 };
	struct pgl_entra_udk	 k = udk();
	char			 q[2048];

	(void)state;
	assert_int_equal(pgl_entra_sas_sign(&account, &r, &k, q, sizeof(q)), 0);
	assert_non_null(strstr(q, "&spr=https%2Chttp&st=2026-11-26T23%3A00%3A00Z"
	    "&se="));
	assert_non_null(strstr(q, "&sr=c&sp=racwdl&sig="
	    "%2FcEB5LjS8agoHuFOW9OEi079d8mcbfK%2F%2BM7SfspMtg8%3D"));
	assert_null(strstr(q, "sdd="));
}

static void
test_sas_refuses_a_directory_the_spec_does_not_allow(void **state)
{
	const char		*bad[] = { "", "/wh", "wh/", "wh//t", NULL };
	struct pgl_azure_sas_req r = { PGL_AZURE_SAS_DIRECTORY, NULL, 0, 0,
				    EXPIRY, 0 };
	struct pgl_entra_udk	 k = udk();
	char			 q[2048];
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r.directory = bad[i];
		assert_int_equal(pgl_entra_sas_sign(&account, &r, &k, q,
		    sizeof(q)), -1);
	}
	/* A key that is not base64 signs nothing. */
	r.directory = "wh";
	(void)snprintf(k.value, sizeof(k.value), "not base64!");
	assert_int_equal(pgl_entra_sas_sign(&account, &r, &k, q, sizeof(q)), -1);
}

#define UDK_XML \
    "<?xml version=\"1.0\" encoding=\"utf-8\"?><UserDelegationKey>" \
    "<SignedOid>" OID "</SignedOid><SignedTid>" TID "</SignedTid>" \
    "<SignedStart>2026-11-26T00:00:00Z</SignedStart>" \
    "<SignedExpiry>2026-11-28T00:00:00Z</SignedExpiry>" \
    "<SignedService>b</SignedService>" \
    "<SignedVersion>2022-11-02</SignedVersion>" \
    "<Value>" KEY "</Value></UserDelegationKey>"

static void
test_user_delegation_key_answer(void **state)
{
	struct pgl_entra_udk	k;

	(void)state;
	assert_int_equal(pgl_entra_udk_parse(UDK_XML, &k), 0);
	assert_string_equal(k.oid, OID);
	assert_string_equal(k.tid, TID);
	assert_string_equal(k.service, "b");
	assert_string_equal(k.value, KEY);
	assert_int_equal(k.expires_ms, (EXPIRY + 86400) * 1000LL);
	assert_int_equal(pgl_entra_udk_parse("<UserDelegationKey><SignedOid>x"
	    "</SignedOid></UserDelegationKey>", &k), -1);
	assert_string_equal(k.oid, "");
	assert_int_equal(pgl_entra_udk_parse("<Error><Code>AuthenticationFailed"
	    "</Code></Error>", &k), -1);
}

/* --- a loopback server: canned answers, one a connection -------------- */

#define CANNED	4

static struct {
	pthread_mutex_t	 lock;
	pthread_t	 thread;
	int		 fd;
	unsigned	 port;
	const char	*status[CANNED];
	const char	*body[CANNED];
	int		 served;
	char		 last[CANNED][16384];	/* each request as received */
} srv = { .lock = PTHREAD_MUTEX_INITIALIZER, .fd = -1 };

static char	base[64];	/* "http://127.0.0.1:<port>" */
static char	*allow[1] = { base };

/* The request's head and its body (Content-Length bytes) into buf. */
static void
read_request(int c, char *buf, size_t len)
{
	size_t		 n = 0, want = 0;
	ssize_t		 r;
	const char	*end, *cl;

	buf[0] = '\0';
	while (n + 1 < len && (r = read(c, buf + n, len - n - 1)) > 0) {
		n += (size_t)r;
		buf[n] = '\0';
		if ((end = strstr(buf, "\r\n\r\n")) == NULL)
			continue;
		cl = strcasestr(buf, "\r\nContent-Length:");
		want = (size_t)(end + 4 - buf) + (cl != NULL && cl < end ?
		    strtoul(cl + 17, NULL, 10) : 0);
		if (n >= want)
			break;
	}
}

static void *
serve(void *arg)
{
	char	answer[8192];
	int	c, i, n;

	(void)arg;
	while ((c = accept(srv.fd, NULL, NULL)) >= 0) {
		(void)pthread_mutex_lock(&srv.lock);
		i = srv.served < CANNED ? srv.served : CANNED - 1;
		(void)pthread_mutex_unlock(&srv.lock);
		read_request(c, srv.last[i], sizeof(srv.last[i]));
		n = snprintf(answer, sizeof(answer), "HTTP/1.1 %s\r\n"
		    "Content-Type: application/json\r\nContent-Length: %zu\r\n"
		    "Connection: close\r\n\r\n%s", srv.status[i] != NULL ?
		    srv.status[i] : "500 No Answer", srv.body[i] != NULL ?
		    strlen(srv.body[i]) : 0, srv.body[i] != NULL ?
		    srv.body[i] : "");
		(void)pthread_mutex_lock(&srv.lock);
		srv.served++;
		(void)pthread_mutex_unlock(&srv.lock);
		(void)write(c, answer, (size_t)n);
		(void)close(c);
	}
	return (NULL);
}

static int
setup(void **state)
{
	struct sockaddr_in	sin;
	socklen_t		slen = sizeof(sin);

	(void)state;
	memset(srv.status, 0, sizeof(srv.status));
	memset(srv.body, 0, sizeof(srv.body));
	memset(srv.last, 0, sizeof(srv.last));
	srv.served = 0;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((srv.fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(srv.fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(srv.fd, 8) == -1 ||
	    getsockname(srv.fd, (struct sockaddr *)&sin, &slen) == -1)
		return (-1);
	srv.port = ntohs(sin.sin_port);
	(void)snprintf(base, sizeof(base), "http://127.0.0.1:%u", srv.port);
	pgl_s3_allow_endpoints(allow, 1);
	pgl_entra_forget();
	return (pthread_create(&srv.thread, NULL, serve, NULL) == 0 ? 0 : -1);
}

static int
teardown(void **state)
{
	(void)state;
	/* shutdown() wakes the blocked accept(). */
	(void)shutdown(srv.fd, SHUT_RDWR);
	(void)pthread_join(srv.thread, NULL);
	(void)close(srv.fd);
	srv.fd = -1;
	pgl_entra_forget();
	pgl_s3_shutdown();
	return (0);
}

static int
served(void)
{
	int	n;

	(void)pthread_mutex_lock(&srv.lock);
	n = srv.served;
	(void)pthread_mutex_unlock(&srv.lock);
	return (n);
}

#define SECRET	"s3cr3t~value/+="

static struct pgl_azure
principal(void)
{
	struct pgl_azure	a = { .account = "devstoreaccount1",
				    .container = "lake", .tenant_id = "tenant-1",
				    .client_id = "app-1", .client_secret = SECRET,
				    .authority = base, .name = "w1" };

	return (a);
}

#define TOKEN_A	"{\"token_type\":\"Bearer\",\"expires_in\":3599," \
		"\"ext_expires_in\":3599,\"access_token\":\"eyJ.tokenA.sig\"}"
#define TOKEN_B	"{\"token_type\":\"Bearer\",\"expires_in\":\"3599\"," \
		"\"access_token\":\"eyJ.tokenB.sig\"}"

static void
test_token_is_asked_for_storage_and_kept(void **state)
{
	struct pgl_azure	a = principal();
	struct pgl_err		err;
	char			t[PGL_ENTRA_TOKEN_MAX];

	(void)state;
	srv.status[0] = srv.status[1] = "200 OK";
	srv.body[0] = TOKEN_A;
	srv.body[1] = TOKEN_B;
	assert_int_equal(pgl_entra_token(&a, t, sizeof(t), &err), PGL_OK);
	assert_string_equal(t, "eyJ.tokenA.sig");
	assert_non_null(strstr(srv.last[0],
	    "POST /tenant-1/oauth2/v2.0/token HTTP/1.1\r\n"));
	assert_non_null(strstr(srv.last[0], "grant_type=client_credentials"
	    "&client_id=app-1&client_secret=s3cr3t~value%2F%2B%3D"
	    "&scope=https%3A%2F%2Fstorage.azure.com%2F.default"));
	/* Kept: the second asks nobody. */
	assert_int_equal(pgl_entra_token(&a, t, sizeof(t), &err), PGL_OK);
	assert_string_equal(t, "eyJ.tokenA.sig");
	assert_int_equal(served(), 1);
	/* Another secret is another principal: asked for again. */
	a.client_secret = "rotated";
	assert_int_equal(pgl_entra_token(&a, t, sizeof(t), &err), PGL_OK);
	assert_string_equal(t, "eyJ.tokenB.sig");
	assert_int_equal(served(), 2);
}

static void
test_token_is_refreshed_before_it_expires(void **state)
{
	struct pgl_azure	a = principal();
	struct pgl_err		err;
	struct timespec		wait = { 0, 700 * 1000 * 1000 };
	char			t[PGL_ENTRA_TOKEN_MAX];

	(void)state;
	/* A one-second token is kept half its life (shorter than five
	 * minutes before expiry). */
	srv.status[0] = srv.status[1] = "200 OK";
	srv.body[0] = "{\"expires_in\":1,\"access_token\":\"short\"}";
	srv.body[1] = TOKEN_B;
	assert_int_equal(pgl_entra_token(&a, t, sizeof(t), &err), PGL_OK);
	assert_string_equal(t, "short");
	assert_int_equal(pgl_entra_token(&a, t, sizeof(t), &err), PGL_OK);
	assert_string_equal(t, "short");
	assert_int_equal(served(), 1);
	(void)nanosleep(&wait, NULL);
	assert_int_equal(pgl_entra_token(&a, t, sizeof(t), &err), PGL_OK);
	assert_string_equal(t, "eyJ.tokenB.sig");
	assert_int_equal(served(), 2);
}

static void
test_refusal_names_the_oauth_error_never_the_secret(void **state)
{
	struct pgl_azure	a = principal();
	struct pgl_err		err;
	char			t[PGL_ENTRA_TOKEN_MAX];

	(void)state;
	/* Even a description that carries the secret is not echoed. */
	srv.status[0] = "401 Unauthorized";
	srv.body[0] = "{\"error\":\"invalid_client\",\"error_description\":"
	    "\"AADSTS7000215: Invalid client secret provided: " SECRET "\","
	    "\"error_codes\":[7000215]}";
	assert_int_equal(pgl_entra_token(&a, t, sizeof(t), &err),
	    PGL_EUNAVAIL);
	assert_int_equal(err.code, PGL_EUNAVAIL);
	assert_string_equal(err.msg, "warehouse 'w1': Entra refused the token "
	    "request: invalid_client, AADSTS7000215 (HTTP 401)");
	assert_null(strstr(err.msg, "s3cr3t"));
	assert_string_equal(t, "");
	/* A refusal is not kept: the next call asks again. */
	srv.status[1] = "200 OK";
	srv.body[1] = TOKEN_A;
	assert_int_equal(pgl_entra_token(&a, t, sizeof(t), &err), PGL_OK);
	assert_int_equal(served(), 2);
}

static void
test_unusable_answers_are_errors(void **state)
{
	struct pgl_azure	a = principal();
	struct pgl_err		err;
	char			t[PGL_ENTRA_TOKEN_MAX];

	(void)state;
	srv.status[0] = "200 OK";
	srv.body[0] = "{\"access_token\":\"no expiry\"}";
	srv.status[1] = "503 Service Unavailable";
	srv.body[1] = "{\"error\":\"temporarily_unavailable\"}";
	assert_int_equal(pgl_entra_token(&a, t, sizeof(t), &err),
	    PGL_EUNAVAIL);
	assert_string_equal(err.msg, "warehouse 'w1': Entra answered no token");
	assert_int_equal(pgl_entra_token(&a, t, sizeof(t), &err),
	    PGL_EUNAVAIL);
	assert_string_equal(err.msg, "warehouse 'w1': Entra failed the token "
	    "request: temporarily_unavailable (HTTP 503); retry after 1 s");
	/* Settings that cannot name a principal never leave the process. */
	a.tenant_id = "../evil";
	assert_int_equal(pgl_entra_token(&a, t, sizeof(t), &err), PGL_EINVAL);
	a.tenant_id = "tenant-1";
	a.client_secret = NULL;
	assert_int_equal(pgl_entra_token(&a, t, sizeof(t), &err), PGL_EINVAL);
	assert_int_equal(served(), 2);
}

static void
test_unlisted_loopback_authority_is_never_connected_to(void **state)
{
	struct pgl_azure	a = principal();
	struct pgl_err		err;
	char			t[PGL_ENTRA_TOKEN_MAX];

	(void)state;
	srv.status[0] = "200 OK";
	srv.body[0] = TOKEN_A;
	pgl_s3_allow_endpoints(NULL, 0);
	assert_int_equal(pgl_entra_token(&a, t, sizeof(t), &err),
	    PGL_EUNAVAIL);
	assert_non_null(strstr(err.msg, "warehouse 'w1': Entra authority "
	    "refused: its address is loopback and its origin is not in "
	    "[storage] allowed_endpoints"));
	assert_int_equal(served(), 0);
	pgl_s3_allow_endpoints(allow, 1);
}

static void
test_user_delegation_sas_asks_for_the_key_once(void **state)
{
	struct pgl_azure	 a = principal();
	struct pgl_azure_sas_req r = { PGL_AZURE_SAS_CONTAINER, NULL, 0, 0, 0,
				    1 };
	struct pgl_entra_udk	 k;
	struct pgl_err		 err;
	char			 ep[96], q[2048], want[2048], xml[1024], ske[24];
	time_t			 now = time(NULL), later = now + 2 * 86400;
	struct tm		 tm;

	(void)state;
	(void)snprintf(ep, sizeof(ep), "%s/devstoreaccount1", base);
	a.endpoint = ep;
	/* The key's times are the answer's, whatever was asked. */
	assert_int_equal(strftime(ske, sizeof(ske), "%Y-%m-%dT%H:%M:%SZ",
	    gmtime_r(&later, &tm)), 20);
	(void)snprintf(xml, sizeof(xml), "<UserDelegationKey><SignedOid>" OID
	    "</SignedOid><SignedTid>" TID "</SignedTid><SignedStart>"
	    "2026-11-26T00:00:00Z</SignedStart><SignedExpiry>%s</SignedExpiry>"
	    "<SignedService>b</SignedService><SignedVersion>2022-11-02"
	    "</SignedVersion><Value>" KEY "</Value></UserDelegationKey>", ske);
	srv.status[0] = srv.status[1] = "200 OK";
	srv.body[0] = TOKEN_A;
	srv.body[1] = xml;
	r.expiry = now + 3600;
	assert_int_equal(pgl_entra_user_delegation_sas(&a, &r, q, sizeof(q),
	    &err), PGL_OK);
	assert_int_equal(served(), 2);
	assert_non_null(strstr(srv.last[1], "POST /devstoreaccount1/?"
	    "restype=service&comp=userdelegationkey HTTP/1.1\r\n"));
	assert_non_null(strstr(srv.last[1], "Authorization: Bearer "
	    "eyJ.tokenA.sig\r\n"));
	assert_non_null(strstr(srv.last[1], "<KeyInfo><Start>"));
	/* Signed with the key answered, as the pure code signs. */
	assert_int_equal(pgl_entra_udk_parse(xml, &k), 0);
	assert_int_equal(pgl_entra_sas_sign(&a, &r, &k, want, sizeof(want)), 0);
	assert_string_equal(q, want);
	assert_non_null(strstr(q, "&skoid=" OID "&sktid=" TID));
	/* The key is kept: another table's SAS asks nobody. */
	r.write = 1;
	assert_int_equal(pgl_entra_user_delegation_sas(&a, &r, q, sizeof(q),
	    &err), PGL_OK);
	assert_non_null(strstr(q, "&sp=racwdl&"));
	assert_int_equal(served(), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sas_string_has_the_24_fields_of_2020_12_06),
		cmocka_unit_test(test_directory_read_sas_matches_the_vector),
		cmocka_unit_test(
		    test_container_write_sas_over_http_matches_the_vector),
		cmocka_unit_test(
		    test_sas_refuses_a_directory_the_spec_does_not_allow),
		cmocka_unit_test(test_user_delegation_key_answer),
		cmocka_unit_test_setup_teardown(
		    test_token_is_asked_for_storage_and_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_token_is_refreshed_before_it_expires, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_refusal_names_the_oauth_error_never_the_secret, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unusable_answers_are_errors,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_unlisted_loopback_authority_is_never_connected_to,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_user_delegation_sas_asks_for_the_key_once, setup,
		    teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
