/*
 * The supervisor and its runners.  Kore's parent reaps unknown children
 * silently (waitpid(WAIT_ANY) in kore_worker_reap), so it cannot restart
 * a runner; the supervisor, its one child, does.  Both die with their
 * parent (PR_SET_PDEATHSIG).  What a task does is its kind's code, the
 * api layer's (env->run); the runner claims, keeps the lease, ends.
 */
#include <sys/prctl.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tasks/retention.h"
#include "tasks/undrop.h"
#include "tasks/runner.h"
#include "util/arena.h"
#include "util/log.h"
#include "util/str.h"

#define MAX_RUNNERS	64
/* The slot after the runners: the event dispatcher (env->deliver). */
#define MAX_CHILDREN	(MAX_RUNNERS + 1)

static volatile sig_atomic_t	stopping;
static volatile int		stop_sweep;	/* stopping, as an int */

static sigset_t			unblocked;	/* at fork */
static int			has_dispatcher;	/* the last child */

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
	stop_sweep = 1;
}

static int64_t
now_ms(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* Sleep up to ms, waking early on SIGTERM. */
static void
nap(int ms)
{
	struct timespec	ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	(void)nanosleep(&ts, NULL);
}

/* SIGTERM sets the flag; dying with the parent needs no handler. */
static void
process_setup(const char *name)
{
	struct sigaction	sa;

	(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() == 1)
		_exit(0);	/* the parent died before the prctl */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_DFL;
	(void)sigaction(SIGCHLD, &sa, NULL);
	/* A runner is forked with the supervisor's mask (supervise()). */
	(void)sigprocmask(SIG_SETMASK, &unblocked, NULL);
	pgl_log_set_process(name);
}

/* Write the task's state; the lease is renewed with every write. */
static int
task_write(const struct pgl_tasks_env *env, struct pgl_store *s,
    struct pgl_task *t)
{
	struct pgl_err	err;

	memset(&err, 0, sizeof(err));
	t->heartbeat_ms = now_ms();
	t->lease_expires_ms = t->heartbeat_ms + env->lease_ms;
	if (env->db->update_task(s, t, &err) != PGL_OK) {
		pgl_log(PGL_LOG_WARN, "task %s: update failed: %s", t->id,
		    err.msg);
		return (-1);
	}
	return (0);
}

/*
 * A transaction that writes the tenant's events begins after the
 * tenant's other writers where the store offers it (ABI 1.22,
 * begin_tenant; pgl_store_begin_in does the same for the workers): the
 * event lock it takes before its commit is then its session's already.
 */
static int
begin_for(const struct pgl_tasks_env *env, struct pgl_store *s,
    const char *tenant, struct pgl_err *err)
{
	if (pgl_store_can_begin_tenant(env->db) && tenant != NULL &&
	    *tenant != '\0')
		return (env->db->begin_tenant(s, tenant, err));
	return (env->db->begin(s, err));
}

/*
 * A change of state, written with its event in one transaction, so the
 * event says only what the store says.  Should the event not go in (the
 * store refused it, or its body could not be built), the state is
 * written alone, as before events: a task never stalls for its event.
 */
static void
task_transition(const struct pgl_tasks_env *env, struct pgl_store *s,
    struct pgl_task *t, const char *previous)
{
	struct pgl_err	err;

	memset(&err, 0, sizeof(err));
	if (env->task_event == NULL) {
		(void)task_write(env, s, t);
		return;
	}
	if (begin_for(env, s, t->tenant_id, &err) != PGL_OK) {
		pgl_log(PGL_LOG_WARN, "task %s: begin failed: %s", t->id,
		    err.msg);
		(void)task_write(env, s, t);
		return;
	}
	if (task_write(env, s, t) == 0 &&
	    env->task_event(env->db, s, t, previous, &err) == PGL_OK &&
	    env->db->commit(s, &err) == PGL_OK)
		return;
	pgl_log(PGL_LOG_WARN, "task %s: %s written without its event: %s",
	    t->id, t->status, err.msg);
	(void)env->db->rollback(s, &err);
	(void)task_write(env, s, t);
}

static void
task_finish(const struct pgl_tasks_env *env, struct pgl_store *s,
    struct pgl_task *t, const char *status, const char *error)
{
	t->status = status;
	if (error != NULL)
		t->error = error;
	t->finished_at_ms = now_ms();
	task_transition(env, s, t, "running");
}

/* Hand a task back to the queue (SIGTERM, or a passing failure). */
static void
task_release(const struct pgl_tasks_env *env, struct pgl_store *s,
    struct pgl_task *t, const char *error)
{
	t->status = "queued";
	if (error != NULL)
		t->error = error;
	task_transition(env, s, t, "running");
}

/*
 * Handle a claimed task.  Cancellation and the attempt bound are checked
 * before any work; a task that ran out of attempts keeps its last error.
 */
static void
task_run(const struct pgl_tasks_env *env, struct pgl_store *s,
    struct pgl_arena *a, struct pgl_task *t)
{
	struct pgl_task_run	run;
	char			msg[600];

	if (t->cancel_requested) {
		task_finish(env, s, t, "cancelled", NULL);
		return;
	}
	if (t->attempts > t->max_attempts) {
		(void)snprintf(msg, sizeof(msg), "gave up after %d attempts: "
		    "%s", t->max_attempts, t->error != NULL ? t->error :
		    "runner lost");
		task_finish(env, s, t, "failed", msg);
		return;
	}
	memset(&run, 0, sizeof(run));
	run.env = env;
	run.store = s;
	run.task = t;
	run.arena = a;
	switch (env->run(&run)) {
	case PGL_TASK_SUCCEEDED:
		task_finish(env, s, t, "succeeded", NULL);
		break;
	case PGL_TASK_CANCELLED:
		if (stopping)
			task_release(env, s, t, NULL);
		else
			task_finish(env, s, t, "cancelled", NULL);
		break;
	case PGL_TASK_RETRY:
		task_release(env, s, t, run.error);
		break;
	case PGL_TASK_FAILED:
		task_finish(env, s, t, "failed", run.error);
		break;
	}
}

/*
 * Test hook: PGL_TEST_TASK_STEP_MS=n sleeps n ms at every step, so a test
 * can kill or cancel a runner in the middle of a task.  Unset, nothing.
 */
static void
test_step_delay(void)
{
	static int	ms = -1;
	const char	*v;

	if (ms == -1)
		ms = (v = getenv("PGL_TEST_TASK_STEP_MS")) != NULL ? atoi(v) : 0;
	if (ms > 0)
		nap(ms);
}

int
pgl_task_progress(struct pgl_task_run *run, const char *phase,
    uint64_t done, uint64_t total, const char *message)
{
	struct pgl_task	*t = run->task, now;
	struct pgl_err	 err;
	int64_t		 ms = now_ms();
	int		 moved = phase != NULL && (t->phase == NULL ||
			    strcmp(phase, t->phase) != 0);

	test_step_delay();
	t->phase = phase;
	t->progress_done = done;
	t->progress_total = total;
	t->message = message;
	if (stopping)
		run->stop = 1;
	if (run->stop || (!moved && ms - run->written_ms < 250))
		return (run->stop);
	run->written_ms = ms;
	if (task_write(run->env, run->store, t) == -1) {
		run->stop = 1;	/* the lease is someone else's now */
		return (1);
	}
	memset(&err, 0, sizeof(err));
	if (run->env->db->get_task(run->store, run->arena, t->tenant_id,
	    t->id, &now, &err) == PGL_OK && now.cancel_requested)
		run->stop = 1;
	return (run->stop);
}

/* Claim one task and handle it; 1 if one was claimed. */
static int
runner_step(const struct pgl_tasks_env *env, struct pgl_store *s,
    const char *owner)
{
	struct pgl_arena	*a;
	struct pgl_task		 t;
	struct pgl_err		 err;
	int			 rc;

	if ((a = pgl_arena_new()) == NULL)
		return (0);
	memset(&err, 0, sizeof(err));
	memset(&t, 0, sizeof(t));
	rc = env->db->claim_task(s, a, owner, now_ms(), env->lease_ms, &t,
	    &err);
	if (rc == PGL_OK) {
		/* The claim made it running; its event, in a write of its
		 * own (the claim is the store's one atomic step). */
		task_transition(env, s, &t, "queued");
		task_run(env, s, a, &t);
	}
	else if (rc != PGL_ENOTFOUND)
		pgl_log(PGL_LOG_WARN, "claim failed: %s", err.msg);
	pgl_arena_free(a);
	return (rc == PGL_OK);
}

void
pgl_tasks_drain(const struct pgl_tasks_env *env, struct pgl_store *s)
{
	char	owner[32];

	(void)snprintf(owner, sizeof(owner), "inline:%d", (int)getpid());
	while (runner_step(env, s, owner))
		;
}

/* How many runners: concurrency, within MAX_RUNNERS. */
static int
runners(const struct pgl_tasks_env *env)
{
	return (env->concurrency > MAX_RUNNERS ? MAX_RUNNERS :
	    env->concurrency);
}

static void
runner_main(const struct pgl_tasks_env *env, int n)
{
	struct pgl_store	*s = NULL;
	struct pgl_err		 err;
	char			 name[32], owner[64], host[32];
	int64_t			 next_sweep = 0, next_purge = 0;
	int64_t			 next_events = 0, next_dropped = 0;
	int			 reported = 0;

	(void)snprintf(name, sizeof(name), "task runner %d", n);
	process_setup(name);
	if (gethostname(host, sizeof(host)) == -1)
		(void)pgl_strlcpy(host, "host", sizeof(host));
	host[sizeof(host) - 1] = '\0';
	(void)snprintf(owner, sizeof(owner), "%s:%d", host, (int)getpid());
	/*
	 * Runners forked together would look at an idle queue at nearly
	 * the same moments, so N of them claimed no sooner than one: the
	 * bench measured a median claim latency of ~500 ms with 1, 2 and 4
	 * runners at the default 1 s interval.  Runner n of N first looks
	 * n/N of an interval later, so an idle queue is looked at every
	 * interval/N.
	 */
	if (n > 0 && env->concurrency > 1)
		nap((int)((int64_t)env->poll_interval_ms * n /
		    env->concurrency));
	while (!stopping) {
		memset(&err, 0, sizeof(err));
		/* Runner 0 also applies audit retention (at start, then
		 * every PGL_RETENTION_EVERY_MS) and purges expired scan
		 * plan parts (every [scan] purge_every_secs). */
		if (n == 0 && s != NULL && env->report_once != NULL &&
		    !reported) {
			reported = 1;
			env->report_once(s);
		}
		if (n == 0 && s != NULL && now_ms() >= next_sweep) {
			(void)pgl_retention_sweep(env->db, s,
			    env->audit_retention_days, now_ms(), &stop_sweep);
			next_sweep = now_ms() + PGL_RETENTION_EVERY_MS;
		}
		if (n == 0 && s != NULL && now_ms() >= next_events) {
			(void)pgl_events_sweep(env->db, s,
			    env->events_retention_secs,
			    env->events_max_per_tenant, now_ms(), &stop_sweep);
			next_events = now_ms() + pgl_events_interval_ms(
			    env->events_retention_secs);
		}
		if (n == 0 && s != NULL && now_ms() >= next_purge) {
			(void)pgl_plan_parts_sweep(env->db, s, now_ms(),
			    &stop_sweep);
			next_purge = now_ms() + (env->plan_purge_every_ms > 0 ?
			    env->plan_purge_every_ms : PGL_PLAN_PURGE_EVERY_MS);
		}
		if (n == 0 && s != NULL && env->sweep_dropped != NULL &&
		    now_ms() >= next_dropped) {
			env->sweep_dropped(s, &stop_sweep);
			next_dropped = now_ms() + PGL_API_SWEEP_EVERY_MS;
		}
		if (s == NULL && env->db->open(env->host, env->opts,
		    env->nopts, &s, &err) != PGL_OK) {
			s = NULL;
			pgl_log(PGL_LOG_WARN, "store open failed: %s",
			    err.msg);
		} else if (s != NULL && runner_step(env, s, owner)) {
			continue;
		}
		nap(env->poll_interval_ms);
	}
	if (s != NULL)
		env->db->close(s);
	_exit(0);
}

static void
deliver_main(const struct pgl_tasks_env *env)
{
	process_setup("event dispatcher");
	env->deliver(env, &stop_sweep);
	_exit(0);
}

/* Child n: runner n, or the dispatcher past the runners. */
static pid_t
runner_spawn(const struct pgl_tasks_env *env, int n)
{
	pid_t	pid;

	if ((pid = fork()) == 0) {
		if (n == runners(env))
			deliver_main(env);
		runner_main(env, n);
	}
	if (pid == -1)
		pgl_log(PGL_LOG_ERR, "fork runner: %s", strerror(errno));
	return (pid);
}

/* Only wakes sigsuspend() in supervise(): a runner ended. */
static void
on_child(int sig)
{
	(void)sig;
}

/* The runners that ended, marked for a restart. */
static void
reap(pid_t *pids, int n)
{
	pid_t	dead;
	int	i, status;

	while ((dead = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < n; i++)
			if (pids[i] == dead) {
				pgl_log(PGL_LOG_WARN, "%s %d (pid %d) exited "
				    "(status %d); restarting", i == n - 1 &&
				    has_dispatcher ? "event dispatcher" :
				    "task runner", i, (int)dead, status);
				pids[i] = 0;
			}
	}
}

/*
 * Restart whichever runner died; 1 s between failed forks.  SIGTERM and
 * SIGCHLD are blocked but inside sigsuspend(), which unblocks and waits
 * in one step: a SIGTERM that came between the look at `stopping` and a
 * blocking waitpid() was not seen until a runner died, and the parent
 * gave up on us after its 5 s (pgl_tasks_stop).
 */
static void
supervise(const struct pgl_tasks_env *env, pid_t *pids, int n)
{
	struct sigaction	sa;
	sigset_t		block, old, wait;
	int			i, failed;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_child;
	(void)sigaction(SIGCHLD, &sa, NULL);
	(void)sigemptyset(&block);
	(void)sigaddset(&block, SIGCHLD);
	(void)sigaddset(&block, SIGTERM);
	(void)sigaddset(&block, SIGINT);
	(void)sigprocmask(SIG_BLOCK, &block, &old);
	/* The parent may have had them blocked when it forked us. */
	wait = old;
	(void)sigdelset(&wait, SIGCHLD);
	(void)sigdelset(&wait, SIGTERM);
	(void)sigdelset(&wait, SIGINT);
	while (!stopping) {
		reap(pids, n);
		failed = 0;
		for (i = 0; i < n; i++) {
			if (pids[i] <= 0)
				pids[i] = runner_spawn(env, i);
			failed |= pids[i] == -1;
		}
		if (stopping)
			break;
		if (failed)
			nap(1000);	/* SIGTERM waits blocked meanwhile */
		else
			(void)sigsuspend(&wait);
	}
	(void)sigprocmask(SIG_SETMASK, &old, NULL);
}

static void
supervisor_main(const struct pgl_tasks_env *env)
{
	pid_t	pids[MAX_CHILDREN];
	int	i, n = runners(env);

	/* The dispatcher is child n, after the runners. */
	has_dispatcher = env->deliver != NULL;
	if (has_dispatcher)
		n++;
	process_setup("task supervisor");
	memset(pids, 0, sizeof(pids));
	supervise(env, pids, n);
	for (i = 0; i < n; i++)
		if (pids[i] > 0)
			(void)kill(pids[i], SIGTERM);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	_exit(0);
}

pid_t
pgl_tasks_start(const struct pgl_tasks_env *env)
{
	pid_t	pid;

	(void)sigprocmask(SIG_SETMASK, NULL, &unblocked);

	if ((pid = fork()) == 0)
		supervisor_main(env);
	return (pid);
}

void
pgl_tasks_stop(pid_t pid, unsigned wait_ms)
{
	struct timespec	tick = { 0, 20 * 1000 * 1000 };
	unsigned	waited;
	pid_t		r;

	if (pid <= 0)
		return;
	(void)kill(pid, SIGTERM);
	/*
	 * Wait for the supervisor, which waits for its runners to hand their
	 * tasks back: a service manager kills what is left of the service
	 * once its main process exits (systemd's KillMode=mixed), and a
	 * runner killed mid-release leaves its lease to run out instead.
	 */
	for (waited = 0; waited < wait_ms; waited += 20) {
		if ((r = waitpid(pid, NULL, WNOHANG)) == pid ||
		    (r == -1 && errno != EINTR))
			return;
		(void)nanosleep(&tick, NULL);
	}
	pgl_log(PGL_LOG_WARN, "task runners still stopping after %u ms; "
	    "leaving them", wait_ms);
}
