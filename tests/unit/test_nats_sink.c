/*
 * The NATS JetStream sink (src/events/nats_sink.c) against a real
 * nats-server with JetStream, started by tests/run-unit.sh through
 * tests/servers/nats.sh: PGL_NATS_URL names it; PGL_NATS_CTL (the
 * script), PGL_NATS_DIR and PGL_NATS_PORT let a test stop, start, pause
 * and resume it.  Without PGL_NATS_URL no test runs, and it says so.
 * What the tests read back they read with libnats directly, not through
 * the sink.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <cmocka.h>

#include <nats/nats.h>

#include "events/nats_sink.h"

#define TENANT		"7d1c2f5e-0000-4000-8000-000000000001"
/* The sink's bound on each round trip: what a frozen server costs a
 * publish.  Far above a live server's answer even on a loaded machine. */
#define TIMEOUT_MS	5000
/*
 * A test that has not ended by then hangs and fails.  Only a deadline
 * for a hung call, never a measure: it covers a test's sink calls (a
 * few round trips of TIMEOUT_MS each) and the server script's own
 * bounded waits (start 30 s, stop 5 s).
 */
#define HANG_SECS	120

static const char	*url;
static int		 serial;
/* What the last ctl() left the server: the teardown puts it back, so
 * that a failed test leaves the next one a running server. */
static enum { SERVER_UP, SERVER_PAUSED, SERVER_STOPPED } server = SERVER_UP;

static void
hung(int sig)
{
	(void)sig;
	static const char msg[] = "test_nats_sink: a call hung (no bounded "
	    "timeout)\n";
	(void)write(2, msg, sizeof(msg) - 1);
	_exit(1);
}

/* Run the server script's verb: "$PGL_NATS_CTL <verb> $PGL_NATS_DIR
 * $PGL_NATS_PORT". */
static void
ctl(const char *verb)
{
	const char	*script = getenv("PGL_NATS_CTL");
	const char	*dir = getenv("PGL_NATS_DIR");
	const char	*port = getenv("PGL_NATS_PORT");
	char		 cmd[1024];

	assert_non_null(script);
	assert_non_null(dir);
	assert_non_null(port);
	(void)snprintf(cmd, sizeof(cmd), "%s %s '%s' %s >/dev/null", script,
	    verb, dir, port);
	assert_int_equal(system(cmd), 0);
	if (strcmp(verb, "pause") == 0)
		server = SERVER_PAUSED;
	else if (strcmp(verb, "stop") == 0)
		server = SERVER_STOPPED;
	else
		server = SERVER_UP;
}

static int
need_server(void **state)
{
	(void)state;
	(void)alarm(HANG_SECS);
	return (0);
}

static int
done(void **state)
{
	(void)state;
	if (server == SERVER_PAUSED)
		ctl("resume");
	else if (server == SERVER_STOPPED)
		ctl("start");
	(void)alarm(0);
	return (0);
}

/* A fresh event id per call: runs and tests never share one. */
static const char *
event_id(char *buf, size_t size)
{
	(void)snprintf(buf, size, "ev-%ld-%d", (long)getpid(), ++serial);
	return (buf);
}

struct peek {
	natsConnection	*nc;
	jsCtx		*js;
};

static void
peek_open(struct peek *p)
{
	assert_int_equal(natsConnection_ConnectTo(&p->nc, url), NATS_OK);
	assert_int_equal(natsConnection_JetStream(&p->js, p->nc, NULL),
	    NATS_OK);
}

static void
peek_close(struct peek *p)
{
	jsCtx_Destroy(p->js);
	natsConnection_Destroy(p->nc);
}

/* Messages in the stream, or -1 when there is no stream. */
static int64_t
stored(struct peek *p)
{
	jsStreamInfo	*si = NULL;
	int64_t		 n;

	if (js_GetStreamInfo(&si, p->js, PGL_NATS_STREAM, NULL, NULL) !=
	    NATS_OK)
		return (-1);
	n = (int64_t)si->State.Msgs;
	jsStreamInfo_Destroy(si);
	return (n);
}

static struct pgl_nats_sink *
open_sink(int *made)
{
	struct pgl_nats_sink	*sink;
	char			 why[256];

	if (pgl_nats_sink_open(url, TIMEOUT_MS, &sink, made, why,
	    sizeof(why)) != 0)
		fail_msg("open: %s", why);
	return (sink);
}

static enum pgl_nats_result
publish(struct pgl_nats_sink *sink, const char *catalog, const char *id,
    const char *body, char *why, size_t whylen)
{
	return (pgl_nats_sink_publish(sink, TENANT, catalog, id, body,
	    strlen(body), why, whylen));
}

static void
test_stream_is_made_when_missing_and_found_when_present(void **state)
{
	struct pgl_nats_sink	*a, *b;
	struct peek		 p;
	jsStreamInfo		*si = NULL;
	int			 made = -1;

	(void)state;
	peek_open(&p);
	(void)js_DeleteStream(p.js, PGL_NATS_STREAM, NULL, NULL);
	assert_int_equal(stored(&p), -1);
	a = open_sink(&made);
	assert_int_equal(made, 1);
	assert_int_equal(js_GetStreamInfo(&si, p.js, PGL_NATS_STREAM, NULL,
	    NULL), NATS_OK);
	assert_int_equal(si->Config->SubjectsLen, 1);
	assert_string_equal(si->Config->Subjects[0], "pangolin.events.>");
	assert_int_equal(si->Config->Duplicates,
	    PGL_NATS_DUPLICATE_WINDOW_SECS * 1000000000LL);
	jsStreamInfo_Destroy(si);
	b = open_sink(&made);
	assert_int_equal(made, 0);
	pgl_nats_sink_close(a);
	pgl_nats_sink_close(b);
	peek_close(&p);
}

static void
test_publish_lands_once_on_the_tenant_catalog_subject(void **state)
{
	struct pgl_nats_sink	*sink;
	struct peek		 p;
	natsMsg			*m = NULL;
	const char		*hdr = NULL, *body = "{\"id\":\"one\"}";
	char			 id[64], why[256], subj[128];
	int64_t			 before;

	(void)state;
	sink = open_sink(NULL);
	peek_open(&p);
	before = stored(&p);
	assert_int_equal(publish(sink, "lake", event_id(id, sizeof(id)), body,
	    why, sizeof(why)), PGL_NATS_STORED);
	assert_int_equal(stored(&p), before + 1);
	assert_int_equal(pgl_nats_subject(TENANT, "lake", subj, sizeof(subj)),
	    0);
	assert_string_equal(subj, "pangolin.events." TENANT ".lake");
	/* A tenant-level change: the tenant's subject, one token shorter. */
	assert_int_equal(pgl_nats_subject(TENANT, "", subj, sizeof(subj)), 0);
	assert_string_equal(subj, "pangolin.events." TENANT);
	assert_int_equal(pgl_nats_subject(TENANT, "lake", subj, sizeof(subj)),
	    0);
	assert_int_equal(js_GetLastMsg(&m, p.js, PGL_NATS_STREAM, subj, NULL,
	    NULL), NATS_OK);
	assert_int_equal(natsMsg_GetDataLength(m), (int)strlen(body));
	assert_memory_equal(natsMsg_GetData(m), body, strlen(body));
	assert_int_equal(natsMsgHeader_Get(m, "Nats-Msg-Id", &hdr), NATS_OK);
	assert_string_equal(hdr, id);
	natsMsg_Destroy(m);
	pgl_nats_sink_close(sink);
	peek_close(&p);
}

static void
test_a_dotted_catalog_name_stays_one_subject_token(void **state)
{
	struct pgl_nats_sink	*sink;
	struct peek		 p;
	natsMsg			*m = NULL;
	char			 id[64], why[256], subj[128];

	(void)state;
	assert_int_equal(pgl_nats_subject(TENANT, "sales.eu *>", subj,
	    sizeof(subj)), 0);
	assert_string_equal(subj,
	    "pangolin.events." TENANT ".sales%2Eeu%20%2A%3E");
	sink = open_sink(NULL);
	peek_open(&p);
	assert_int_equal(publish(sink, "sales.eu *>", event_id(id, sizeof(id)),
	    "{}", why, sizeof(why)), PGL_NATS_STORED);
	assert_int_equal(js_GetLastMsg(&m, p.js, PGL_NATS_STREAM, subj, NULL,
	    NULL), NATS_OK);
	natsMsg_Destroy(m);
	pgl_nats_sink_close(sink);
	peek_close(&p);
}

static void
test_the_same_event_id_published_again_is_stored_once(void **state)
{
	struct pgl_nats_sink	*sink;
	struct peek		 p;
	char			 id[64], why[256];
	int64_t			 before;

	(void)state;
	sink = open_sink(NULL);
	peek_open(&p);
	before = stored(&p);
	(void)event_id(id, sizeof(id));
	assert_int_equal(publish(sink, "lake", id, "{\"try\":1}", why,
	    sizeof(why)), PGL_NATS_STORED);
	assert_int_equal(publish(sink, "lake", id, "{\"try\":1}", why,
	    sizeof(why)), PGL_NATS_DUPLICATE);
	/* A retry after a crash: another process, another connection. */
	pgl_nats_sink_close(sink);
	sink = open_sink(NULL);
	assert_int_equal(publish(sink, "lake", id, "{\"try\":1}", why,
	    sizeof(why)), PGL_NATS_DUPLICATE);
	assert_int_equal(stored(&p), before + 1);
	pgl_nats_sink_close(sink);
	peek_close(&p);
}

static void
test_a_stream_deleted_after_open_is_made_again_at_publish(void **state)
{
	struct pgl_nats_sink	*sink;
	struct peek		 p;
	char			 id[64], why[256] = "";

	(void)state;
	sink = open_sink(NULL);
	peek_open(&p);
	assert_int_equal(js_DeleteStream(p.js, PGL_NATS_STREAM, NULL, NULL),
	    NATS_OK);
	assert_int_equal(publish(sink, "lake", event_id(id, sizeof(id)), "{}",
	    why, sizeof(why)), PGL_NATS_STORED);
	assert_int_equal(stored(&p), 1);
	pgl_nats_sink_close(sink);
	peek_close(&p);
}

static void
test_no_server_at_the_url_is_an_error_at_open(void **state)
{
	struct pgl_nats_sink	*sink = NULL;
	char			 why[256] = "";

	(void)state;
	/* Port 9 (discard) has no NATS server on a test machine. */
	assert_int_equal(pgl_nats_sink_open("nats://127.0.0.1:9", TIMEOUT_MS,
	    &sink, NULL, why, sizeof(why)), -1);
	assert_null(sink);
	assert_non_null(strstr(why, "NATS connect"));
	assert_int_equal(pgl_nats_sink_open("", TIMEOUT_MS, &sink, NULL, why,
	    sizeof(why)), -1);
}

static void
test_a_server_that_hangs_answers_failed_within_the_timeout(void **state)
{
	struct pgl_nats_sink	*sink;
	char			 id[64], why[256] = "";

	(void)state;
	sink = open_sink(NULL);
	/* Returns once every thread of the server is stopped. */
	ctl("pause");
	/* An answer, FAILED, and no hang: HANG_SECS ends a hung call. */
	assert_int_equal(publish(sink, "lake", event_id(id, sizeof(id)), "{}",
	    why, sizeof(why)), PGL_NATS_FAILED);
	ctl("resume");
	assert_true(why[0] != '\0');
	/* Thawed, the same sink delivers again. */
	assert_int_equal(publish(sink, "lake", event_id(id, sizeof(id)), "{}",
	    why, sizeof(why)), PGL_NATS_STORED);
	pgl_nats_sink_close(sink);
}

static void
test_a_server_that_went_away_fails_then_the_sink_reconnects(void **state)
{
	struct pgl_nats_sink	*sink;
	char			 id[64], why[256] = "";

	(void)state;
	sink = open_sink(NULL);
	/* Returns once the server process is gone. */
	ctl("stop");
	assert_int_equal(publish(sink, "lake", event_id(id, sizeof(id)), "{}",
	    why, sizeof(why)), PGL_NATS_FAILED);
	assert_true(why[0] != '\0');
	ctl("start");
	assert_int_equal(publish(sink, "lake", event_id(id, sizeof(id)), "{}",
	    why, sizeof(why)), PGL_NATS_STORED);
	pgl_nats_sink_close(sink);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stream_is_made_when_missing_and_found_when_present, need_server, done),
		cmocka_unit_test_setup_teardown(test_publish_lands_once_on_the_tenant_catalog_subject, need_server, done),
		cmocka_unit_test_setup_teardown(test_a_dotted_catalog_name_stays_one_subject_token, need_server, done),
		cmocka_unit_test_setup_teardown(test_the_same_event_id_published_again_is_stored_once, need_server, done),
		cmocka_unit_test_setup_teardown(test_a_stream_deleted_after_open_is_made_again_at_publish, need_server, done),
		cmocka_unit_test_setup_teardown(test_no_server_at_the_url_is_an_error_at_open, need_server, done),
		cmocka_unit_test_setup_teardown(test_a_server_that_hangs_answers_failed_within_the_timeout, need_server, done),
		cmocka_unit_test_setup_teardown(test_a_server_that_went_away_fails_then_the_sink_reconnects, need_server, done),
	};
	int	rc;

	if ((url = getenv("PGL_NATS_URL")) == NULL) {
		printf("test_nats_sink: SKIPPED, PGL_NATS_URL is not set "
		    "(tests/run-unit.sh starts a nats-server for it)\n");
		return (0);
	}
	(void)signal(SIGALRM, hung);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pgl_nats_library_close();
	return (rc);
}
