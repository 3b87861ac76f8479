/*
 * Kore hooks: the parent reads the config, proves the plugins load and the
 * store opens (running migrations once, before any worker races), creates
 * the listener and forks; each worker then opens its own store handle.
 */
#include <errno.h>
#include <getopt.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kore.h>
#include <http.h>
#include <seccomp.h>

#include "api/api.h"
#include "api/identity/identity.h"
#include "api/identity/idp.h"
#include "api/manage/manage.h"
#include "api/config_cache.h"
#include "api/maintenance/maint.h"
#include "api/federation/federation.h"
#include "api/events/task_events.h"
#include "api/gate.h"
#include "api/routes.h"
#include "api/scan/scan.h"
#include "api/cache/cache.h"
#include "api/commit/commit.h"
#include "api/storage/sts_vend.h"
#include "api/tasks/dropped_expiry.h"
#include "app/app.h"
#include "auth/grant_cache.h"
#include "auth/idp_share.h"
#include "auth/principal.h"
#include "auth/ratelimit.h"
#include "cli/cli.h"
#include "http/dispatch.h"
#include "events/dispatch.h"
#include "metrics/metrics.h"
#include "plugin/loader.h"
#include "service.h"
#include "storage/s3.h"
#include "storage/write_pool.h"
#include "tasks/runner.h"
#include "util/json.h"
#include "util/log.h"
#include "util/paging.h"

/*
 * The scan planning threads' nice above the worker's: a tenant's plans
 * take the CPU the event loops leave (tests/bench/scan_isolation.mjs).
 */
#define SCAN_THREADS_NICE	10
/*
 * Commits' CPU threads: a little below the event loop, so that a ready
 * read is served before a commit's parse or render goes on.
 */
#ifndef COMMIT_THREADS_NICE
#define COMMIT_THREADS_NICE	5
#endif

void	kore_parent_configure(int, char **);
void	pgl_kore_early(int, char **);
void	kore_parent_teardown(void);
void	kore_worker_configure(void);
void	kore_worker_teardown(void);
void	kore_seccomp_hook(void);

extern int	skip_runas, skip_chroot;

static pid_t	task_supervisor = -1;
static rlim_t	nofile;		/* RLIMIT_NOFILE after configure_connections */

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: pangolin [-c pangolin.toml] [--check-config]\n"
	    "\n"
	    "  -c, --config FILE   configuration file (default: $PANGOLIN_CONFIG,\n"
	    "                      else built-in defaults plus environment)\n"
	    "      --check-config  load the config and plugins, open the store,\n"
	    "                      report and exit (0 ok, 2 refused)\n"
	    "      --list-routes   print every route served (method and path\n"
	    "                      template, one a line) and exit\n"
	    "      --list-rules    print every route and the rule it declares\n"
	    "                      (JSON) and exit (1 if a rule is missing)\n"
	    "  -v, --version       print the version\n"
	    "  -h, --help          this text\n"
	    "\n"
	    "Runs in the foreground and logs to stderr.  Environment variables\n"
	    "override the file; see README.md.\n");
}

static void
die(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	if (pgl_log_json()) {
		pgl_vlog(PGL_LOG_ERR, fmt, ap);
	} else {
		fprintf(stderr, "pangolin: ");
		vfprintf(stderr, fmt, ap);
		fprintf(stderr, "\n");
	}
	va_end(ap);
	exit(2);
}

/* 1 when task runner 0 will run (tasks_start below). */
static int
runner_zero(const struct pgl_config *cfg)
{
	return (cfg->tasks.enabled && cfg->tasks.concurrency > 0 &&
	    strcmp(pgl_app.db->name, "memory") != 0);
}

/* Load both plugins, open each once; exit 2 with the reason on failure. */
static void
plugins_check(const struct pgl_config *cfg)
{
	struct pgl_err	err;

	memset(&err, 0, sizeof(err));
	pgl_app.db = pgl_store_plugin_load(cfg->store.plugin,
	    &pgl_app.db_plugin, &err);
	if (pgl_app.db == NULL)
		die("store: %s", err.msg);
	if (pgl_app_store_open(&err) == -1)
		die("store: plugin %s: open failed: %s", pgl_app.db_plugin.path,
		    err.msg);
	if (pgl_bootstrap(&err) == -1)
		die("store: bootstrap failed: %s", err.msg);
	/* Without task runners, the report of overlaps is start-up's. */
	if (!runner_zero(cfg))
		ice_overlaps_report();
	/* A connection must never cross fork(): workers open their own. */
	pgl_app.db->close(pgl_app.dbh);
	pgl_app.dbh = NULL;

	pgl_app.cache = pgl_cache_plugin_load(cfg->cache.plugin,
	    &pgl_app.cache_plugin, &err);
	if (pgl_app.cache == NULL)
		die("cache: %s", err.msg);
	if (pgl_app.cache->open(pgl_host_api(), cfg->cache.opts,
	    cfg->cache.nopts, &pgl_app.cacheh, &err) != PGL_OK)
		die("cache: plugin %s: open failed: %s",
		    pgl_app.cache_plugin.path, err.msg);
	pgl_app.cache->close(pgl_app.cacheh);
	pgl_app.cacheh = NULL;
	if (api_cache_tiers_init(cfg, &err) != PGL_OK)
		die("cache l2: %s", err.msg);
	api_config_cache_init();
	api_tree_cache_init();
	api_sts_vend_init();
}

static const char *
parse_args(int argc, char **argv, int *check)
{
	static const struct option	longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "list-routes", no_argument, NULL, 'R' },
		{ "list-rules", no_argument, NULL, 'L' },
		{ "version", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*path = getenv("PANGOLIN_CONFIG");
	int		 ch;

	while ((ch = getopt_long(argc, argv, "c:vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'C':
			*check = 1;
			break;
		case 'R':
			api_routes_list(stdout, pgl_routes, pgl_nroutes);
			exit(0);
		case 'L':
			exit(api_routes_rules(stdout, pgl_routes, pgl_nroutes) ? 1 : 0);
		case 'v':
			printf("pangolin %s (kore %s)\n", PGL_VERSION,
			    kore_version);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind < argc) {
		usage(stderr);
		exit(2);
	}
	return (path != NULL && *path != '\0' ? path : NULL);
}

static void
listen_on(const struct pgl_config *cfg)
{
	struct kore_server	*srv;
	char			 port[8];

	(void)snprintf(port, sizeof(port), "%d", cfg->server.port);
	srv = kore_server_create("pangolin");
	srv->tls = 0;
	if (kore_server_bind(srv, cfg->server.bind, port, NULL) !=
	    KORE_RESULT_OK)
		die("cannot listen on %s:%s: %s", cfg->server.bind, port,
		    errno_s);
	kore_server_finalize(srv);
}

/*
 * Hand the HTTP layer the route table and the api's hooks, and the
 * metrics their route labels: once, in the parent, before fork.
 */
static void
http_install(const struct pgl_config *cfg)
{
	static struct pgl_http_app	 app;
	const char			**labels;
	size_t				 i;

	if ((labels = calloc(pgl_nroutes, sizeof(*labels))) == NULL)
		die("out of memory");
	for (i = 0; i < pgl_nroutes; i++)
		labels[i] = pgl_routes[i].path;
	if (pgl_metrics_init(labels, pgl_nroutes) == -1)
		die("cannot map the shared metrics segment: %s", errno_s);
	/* The stored scan plans per tenant (api/scan/scan_quota.c). */
	pgl_metrics_set_extra(api_scan_metrics);
	app.routes = pgl_routes;
	app.nroutes = pgl_nroutes;
	app.cors_origins = cfg->server.cors_origins;
	app.max_body_bytes = cfg->server.max_body_bytes;
	app.max_management_body_bytes = cfg->server.max_management_body_bytes;
	app.max_metrics_body_bytes = cfg->server.max_metrics_body_bytes;
	app.admit = api_admit;
	app.serve = api_serve;
	pgl_http_init(&app);
}

/*
 * Descriptors a worker needs besides its connections: the store, cache and
 * log files, S3 and PostgreSQL sockets, Kore's own pipes.  Kore's privdrop
 * adds the descriptors already open to worker_rlimit_nofiles, so the hard
 * limit must leave room for both.
 */
#define FD_RESERVE		256
/* Kore allocates its connection pool for the whole limit up front. */
#define MAX_CONNS_AUTO		16384

/*
 * Raise RLIMIT_NOFILE to what the connection limit needs (at most the hard
 * limit) and size Kore's per-worker connection limit from it.  Kore's
 * defaults (768 descriptors) let about a thousand idle sockets, which need
 * no credentials, stop the server.
 */
static void
configure_connections(const struct pgl_config *cfg)
{
	struct rlimit	rl;
	rlim_t		hard, want;
	u_int32_t	conns;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		die("getrlimit(RLIMIT_NOFILE): %s", errno_s);
	hard = rl.rlim_max;
	if (hard == RLIM_INFINITY || hard > (1 << 20) + 2 * FD_RESERVE)
		hard = (1 << 20) + 2 * FD_RESERVE;
	if (hard < 2 * FD_RESERVE + 64)
		die("RLIMIT_NOFILE hard limit %llu is below %d",
		    (unsigned long long)hard, 2 * FD_RESERVE + 64);

	conns = cfg->server.max_connections > 0 ?
	    (u_int32_t)cfg->server.max_connections : MAX_CONNS_AUTO;
	if (conns > hard - 2 * FD_RESERVE) {
		if (cfg->server.max_connections > 0)
			pgl_log(PGL_LOG_WARN, "max_connections %u needs more "
			    "descriptors than RLIMIT_NOFILE's hard limit %llu; "
			    "using %llu", conns, (unsigned long long)hard,
			    (unsigned long long)(hard - 2 * FD_RESERVE));
		conns = (u_int32_t)(hard - 2 * FD_RESERVE);
	}

	want = conns + 2 * FD_RESERVE;
	if (rl.rlim_cur < want) {
		rl.rlim_cur = want;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			die("setrlimit(RLIMIT_NOFILE, %llu): %s",
			    (unsigned long long)want, errno_s);
	}
	nofile = rl.rlim_cur;
	worker_max_connections = conns;
	worker_rlimit_nofiles = conns + FD_RESERVE;
}

static void
configure_kore(const struct pgl_config *cfg)
{
	static char	pidfile[64];
	long		ncpu;

	kore_foreground = 1;
	skip_runas = 1;		/* run as the invoking user (systemd's job) */
	skip_chroot = 1;
	if (cfg->server.pid_file != NULL) {
		kore_pidfile = cfg->server.pid_file;
	} else {
		(void)snprintf(pidfile, sizeof(pidfile),
		    "/tmp/pangolin-%d.pid", cfg->server.port);
		kore_pidfile = pidfile;
	}
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	worker_count = cfg->server.workers > 0 ? cfg->server.workers :
	    (ncpu > 0 && ncpu < 64 ? ncpu : 1);
	if (strcmp(pgl_app.db->name, "memory") == 0 && worker_count != 1) {
		pgl_log(PGL_LOG_WARN, "memory store: running 1 worker instead "
		    "of %d (its state lives in one process)", worker_count);
		worker_count = 1;
	}
	/* One byte over our limit so the dispatcher can answer 413 in the
	 * route's own error shape; anything larger Kore refuses (as JSON). */
	http_body_max = cfg->server.max_body_bytes + 1;
	/* Each connection's receive buffer: a head larger is 431. */
	http_header_max = (u_int16_t)cfg->server.max_header_bytes;
	/* Kore patch item 20: the head from accept (or its first byte on a
	 * kept-alive connection), the body, and the wait between requests
	 * are timed separately. */
	http_header_timeout = (u_int16_t)cfg->server.header_timeout_secs;
	http_body_timeout = (u_int16_t)cfg->server.request_timeout_secs;
	http_keepalive_time = (u_int16_t)cfg->server.keepalive_timeout_secs;
	configure_connections(cfg);
	pgl_conns_set_cap((uint32_t)cfg->server.max_conns_per_addr);
	/* Kore patch item 22: slow readers. */
	http_send_timeout = (u_int16_t)cfg->server.send_timeout_secs;
	http_max_queued = (size_t)cfg->server.max_queued_bytes;
	pgl_paging_set_max_bytes((size_t)cfg->server.max_page_bytes);
	/* SIGTERM: stop accepting, answer what was received (Kore patch). */
	worker_shutdown_grace = (u_int32_t)cfg->server.shutdown_grace_secs;
}

/*
 * The task runners (src/tasks): off with TASK_WORKER_ENABLED=false, and
 * with the memory store, whose state lives in the one worker process.
 */
/* The supervisor's child that delivers events (tasks/ cannot name
 * events/): the dispatcher with what main.c gave it. */
static void
deliver_events(const struct pgl_tasks_env *env, volatile int *stop)
{
	pgl_dispatch_run(env->deliver_arg, stop);
}

static void
tasks_start(const struct pgl_config *cfg)
{
	static struct pgl_tasks_env	env;
	static struct pgl_dispatch_env	denv;

	if (!cfg->tasks.enabled || strcmp(pgl_app.db->name, "memory") == 0)
		return;
	env.db = pgl_app.db;
	env.host = pgl_host_api();
	env.opts = cfg->store.opts;
	env.nopts = cfg->store.nopts;
	env.concurrency = cfg->tasks.concurrency;
	env.poll_interval_ms = cfg->tasks.poll_interval_ms;
	env.lease_ms = cfg->tasks.lease_ms;
	env.audit_retention_days = cfg->audit.retention_days;
	env.events_retention_secs = cfg->events.retention_secs;
	env.events_max_per_tenant = cfg->events.max_per_tenant;
	env.plan_purge_every_ms = (int64_t)cfg->scan.purge_every_secs * 1000;
	env.run = api_task_run;
	env.task_event = api_event_task_state;
	/* Undrop: runner 0 makes drops past their retention final, and
	 * reports overlaps of before once (start-up does not wait). */
	env.sweep_dropped = api_dropped_sweep;
	env.report_once = ice_overlaps_report_on;
	/* Webhooks and NATS: only with a store the dispatcher can use.
	 * The memory store runs no tasks, so it delivers nothing. */
	if (pgl_dispatch_supported(pgl_app.db)) {
		denv = (struct pgl_dispatch_env){ pgl_app.db, env.host,
		    env.opts, env.nopts, cfg };
		env.deliver = deliver_events;
		env.deliver_arg = &denv;
	}
	if ((task_supervisor = pgl_tasks_start(&env)) == -1)
		die("cannot start the task runners: %s", errno_s);
}

/*
 * Called by Kore's main() before it sets anything up (src/kore, item 27):
 * `pangolin admin` is the command-line client and never a server.
 */
void
pgl_kore_early(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "admin") == 0)
		exit(pgl_cli_main(argc - 1, argv + 1));
}

void
kore_parent_configure(int argc, char **argv)
{
	struct pgl_config_error	 cerr;
	struct pgl_config	*cfg;
	const char		*path;
	char			 line[768];
	struct pgl_s3_limits	 lim;
	int			 check = 0;

	if (pgl_log_format_from_env() == -1)
		die("LOG_FORMAT must be \"text\" or \"json\"");
	path = parse_args(argc, argv, &check);
	pgl_log_set_process("parent");
	if ((cfg = pgl_config_load(path, &cerr)) == NULL ||
	    pgl_auth_config_check(cfg, &cerr) == -1) {
		pgl_config_error_format(&cerr, line, sizeof(line));
		die("config: %s", line);
	}
	pgl_app.cfg = cfg;
	pgl_app.fill_empty = pgl_bootstrap;
	pgl_app.task_run = api_task_run;
	api_authn_external(&api_external_ops);
	pgl_json_map_limits((size_t)cfg->server.max_properties_bytes,
	    (size_t)cfg->server.max_properties_entries);
	plugins_check(cfg);
	if (check) {
		printf("config ok: %s; store %s (%s); cache %s (%s)%s%s\n",
		    cfg->path != NULL ? cfg->path : "(defaults+environment)",
		    pgl_app.db->name, pgl_app.db_plugin.path,
		    pgl_app.cache->name, pgl_app.cache_plugin.path,
		    api_cache_l2_name() != NULL ? "; cache l2 " : "",
		    api_cache_l2_name() != NULL ? api_cache_l2_name() : "");
		exit(0);
	}
	configure_kore(cfg);
	if (pgl_service_parent_init(worker_count) == -1)
		die("out of memory");
	if (pgl_move_init(worker_count, (unsigned)cfg->server.commit_workers,
	    ice_commits_open) == -1)
		die("cannot make the workers' socket pairs: %s", errno_s);
	if (pgl_ratelimit_init() == -1)
		die("cannot map the shared rate-limit table: %s", errno_s);
	if (pgl_grant_cache_init() == -1)
		die("cannot map the shared grants epoch: %s", errno_s);
	if (ice_commit_claims_init() == -1)
		die("cannot map the shared table claims: %s", errno_s);
	if (cfg->auth.noidc > 0 && pgl_idp_share_init(cfg->auth.noidc) == -1)
		die("cannot map the identity providers' shared keys: %s",
		    errno_s);
	pgl_s3_keep_clients(cfg->defaults.object_store_cache);
	pgl_s3_allow_endpoints(cfg->storage.allowed_endpoints.v,
	    cfg->storage.allowed_endpoints.n);
	pgl_s3_set_ca_file(cfg->storage.ca_file);
	lim.connect_timeout_ms = cfg->storage.s3_connect_timeout_ms;
	lim.timeout_ms = cfg->storage.s3_timeout_ms;
	lim.breaker_failures = cfg->storage.s3_breaker_failures;
	lim.breaker_cooldown_secs = cfg->storage.s3_breaker_cooldown_secs;
	lim.max_inflight = cfg->storage.s3_max_inflight_per_endpoint;
	lim.max_queued = cfg->storage.s3_max_queued_per_endpoint;
	pgl_s3_set_limits(&lim);
	http_install(cfg);
	/* After the shared segments (metrics, epochs), which the runners
	 * share; before the listener, which they must never hold. */
	tasks_start(cfg);
	listen_on(cfg);
	if (cfg->auth.no_auth)
		pgl_log(PGL_LOG_WARN, "no-auth evaluation mode: every caller "
		    "is tenant admin of the default tenant (loopback only)");
	if (!cfg->auth.has_encryption_key)
		pgl_log(PGL_LOG_WARN, "PANGOLIN_ENCRYPTION_KEY is not set: "
		    "warehouse secrets are stored in plaintext");
	pgl_log(PGL_LOG_INFO, "pangolin %s on %s:%d, %u workers, store %s, "
	    "cache %s", PGL_VERSION, cfg->server.bind, cfg->server.port,
	    worker_count, pgl_app.db->name, pgl_app.cache->name);
	pgl_log(PGL_LOG_INFO, "connections: at most %u per worker and "
	    "%d per address (0: no cap), RLIMIT_NOFILE %llu; timeouts: "
	    "header %us, body %us, keep-alive %us; request head %u bytes, "
	    "write pool %d threads per worker", worker_max_connections,
	    cfg->server.max_conns_per_addr, (unsigned long long)nofile,
	    http_header_timeout, http_body_timeout, http_keepalive_time,
	    (unsigned int)http_header_max, cfg->storage.write_pool_threads);
	/* Kore logs to stdout in the foreground; we promise stderr. */
	(void)fflush(stdout);
	if (dup2(STDERR_FILENO, STDOUT_FILENO) == -1)
		die("dup2: %s", errno_s);
	setvbuf(stdout, NULL, _IOLBF, 0);
}

void
kore_parent_teardown(void)
{
	/* Within the unit's stop timeout (35 s) after the 25 s drain. */
	pgl_tasks_stop(task_supervisor, 5000);
}

void
kore_worker_configure(void)
{
	struct pgl_err	err;
	char		name[32];
	int		fd;

	(void)snprintf(name, sizeof(name), "worker %u", worker->id);
	pgl_log_set_process(name);
	ice_commit_claims_worker(worker->id);
	pgl_move_worker_start(worker->id);
	/* A worker that cannot open its store stays up and answers 503;
	 * the dispatcher retries the open on the next request. */
	if (pgl_app_store_open(&err) == -1)
		pgl_log(PGL_LOG_ERR, "store open failed: %s", err.msg);
	if (pgl_app.cache->open(pgl_host_api(), pgl_app.cfg->cache.opts,
	    pgl_app.cfg->cache.nopts, &pgl_app.cacheh, &err) != PGL_OK)
		pgl_log(PGL_LOG_ERR, "cache open failed: %s", err.msg);
	if (api_config_cache_open(&err) == -1)
		pgl_log(PGL_LOG_ERR, "config cache open failed: %s", err.msg);
	api_cache_tiers_open(pgl_app.cfg);
	api_sts_vend_open();
	pgl_metrics_set_ready(pgl_app.dbh != NULL);
	pgl_http_worker_start();
	/* An idle worker's connection still takes notifications in. */
	pgl_http_every_second(api_config_changes);
	if ((fd = pgl_wpool_start(pgl_app.cfg->storage.write_pool_threads))
	    != -1) {
		pgl_wpool_after_reap(ice_commit_swap_ready);
		pgl_http_watch(fd, pgl_wpool_reap);
		/* Scan plans' threads, below the event loop's priority. */
		if (pgl_wpool_start_cpu(pgl_app.cfg->scan.threads,
		    SCAN_THREADS_NICE) == -1)
			pgl_log(PGL_LOG_ERR, "no planning threads: scan plans "
			    "answer 503");
		if (pgl_app.cfg->storage.commit_threads > 0 &&
		    pgl_wpool_start_commit(pgl_app.cfg->storage.commit_threads,
		    COMMIT_THREADS_NICE) == -1)
			pgl_log(PGL_LOG_WARN, "no commit threads: commits "
			    "compute on the event loop");
	} else
		pgl_log(PGL_LOG_WARN, "no write pool: local files are written "
		    "inline, and clients' object-store calls answer 503");
	/* The identity providers' keys are fetched by the pool. */
	if (pgl_idp_start(pgl_app.cfg) == -1)
		pgl_log(PGL_LOG_ERR, "identity providers: out of memory");
	/* Serving from here on (a store that failed to open answers 503
	 * and /health/ready says so): count this worker in for READY=1. */
	pgl_service_worker_ready();
}

void
kore_worker_teardown(void)
{
	/* Commits waiting on their files end before the store closes;
	 * calls to federated catalogs' remotes give up first. */
	api_fed_stop();
	pgl_wpool_stop();
	pgl_idp_stop();
	pgl_s3_shutdown();
	if (pgl_app.dbh != NULL)
		pgl_app.db->close(pgl_app.dbh);
	pgl_app.dbh = NULL;
	if (pgl_app.cacheh != NULL)
		pgl_app.cache->close(pgl_app.cacheh);
	pgl_app.cacheh = NULL;
	api_config_cache_close();
	pgl_http_worker_stop();
	api_cache_tiers_close();
}

/*
 * Kore's worker seccomp allow-list knows Kore's own syscalls, not those
 * of the client libraries our plugins load (libpq, libmongoc, SQLite's
 * file locking), and an unlisted syscall kills the worker.  We allow all
 * and leave syscall policy to the unit that runs the appliance.
 */
void
kore_seccomp_hook(void)
{
	static struct sock_filter	allow_all[] = {
		BPF_STMT(BPF_RET + BPF_K, SECCOMP_RET_ALLOW),
	};

	kore_seccomp_filter("pangolin", allow_all,
	    sizeof(allow_all) / sizeof(allow_all[0]));
}
