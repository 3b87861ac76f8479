/*
 * The write pool (write_pool.h): two lanes of threads, each with its
 * queue of jobs to run (writes and calls; CPU work), one queue of jobs
 * done, a mutex over all, and an eventfd the last thread to finish a job
 * bumps.  One pool per worker process, started after the fork.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include "storage/fileio.h"
#include "storage/write_pool.h"

struct queue {
	struct pgl_wjob	*head;
	struct pgl_wjob	**tail;
};

/* The threads of one kind of job and the jobs waiting for them. */
struct lane {
	pthread_cond_t	 work;
	struct queue	 todo;
	int		 nthreads;
	pthread_t	*threads;
	int		 nice;
};

#define LANE_IO		0
#define LANE_CPU	1
#define LANE_COMMIT	2
#define LANES		3

static struct {
	pthread_mutex_t	 lock;
	struct lane	 lane[LANES];
	struct queue	 done;
	int		 stopping;
	int		 efd;
	int		(*after_reap)(void);
} pool = { PTHREAD_MUTEX_INITIALIZER, {
	{ PTHREAD_COND_INITIALIZER, { NULL, NULL }, 0, NULL, 0 },
	{ PTHREAD_COND_INITIALIZER, { NULL, NULL }, 0, NULL, 0 },
	{ PTHREAD_COND_INITIALIZER, { NULL, NULL }, 0, NULL, 0 } },
	{ NULL, NULL }, 0, -1, NULL };

static void
push(struct queue *q, struct pgl_wjob *j)
{
	j->next = NULL;
	if (q->head == NULL)
		q->head = j;
	else
		*q->tail = j;
	q->tail = &j->next;
}

static struct pgl_wjob *
pop(struct queue *q)
{
	struct pgl_wjob	*j = q->head;

	if (j != NULL && (q->head = j->next) == NULL)
		q->tail = NULL;
	return (j);
}

/* Wake the worker: the eventfd counts, one read clears it. */
static void
notify(void)
{
	uint64_t	one = 1;

	while (write(pool.efd, &one, sizeof(one)) == -1 && errno == EINTR)
		;
}

static void *
run(void *arg)
{
	struct lane	*l = arg;
	struct pgl_wjob	*j;

	/* Linux: a thread's nice is its own (setpriority on its tid). */
	if (l->nice > 0)
		(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid),
		    getpriority(PRIO_PROCESS, 0) + l->nice);
	(void)pthread_mutex_lock(&pool.lock);
	for (;;) {
		while (l->todo.head == NULL && !pool.stopping)
			(void)pthread_cond_wait(&l->work, &pool.lock);
		if (pool.stopping || (j = pop(&l->todo)) == NULL)
			break;
		(void)pthread_mutex_unlock(&pool.lock);
		if (j->run != NULL)
			j->run(j);
		else
			j->rc = pgl_file_write(j->root, j->location, j->data,
			    j->len, &j->err);
		(void)pthread_mutex_lock(&pool.lock);
		push(&pool.done, j);
		notify();
	}
	(void)pthread_mutex_unlock(&pool.lock);
	return (NULL);
}

/* Start a lane's threads; how many started. */
static int
lane_start(struct lane *l, int threads, int nice)
{
	int	i;

	if ((l->threads = calloc((size_t)threads, sizeof(*l->threads))) ==
	    NULL)
		return (0);
	l->nice = nice;
	for (i = 0; i < threads; i++) {
		if (pthread_create(&l->threads[i], NULL, run, l) != 0)
			break;
	}
	if ((l->nthreads = i) == 0) {
		free(l->threads);
		l->threads = NULL;
	}
	return (i);
}

int
pgl_wpool_start(int threads)
{
	if (threads <= 0 || pool.efd != -1)
		return (pool.efd);
	/* Decided once here, not raced for by the threads. */
	(void)pgl_file_resolver();
	if ((pool.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1)
		return (-1);
	pool.stopping = 0;
	if (lane_start(&pool.lane[LANE_IO], threads, 0) == 0) {
		(void)close(pool.efd);
		pool.efd = -1;
	}
	return (pool.efd);
}

static int
lane_open(struct lane *l, int threads, int nice)
{
	if (pool.efd == -1 || threads <= 0 || l->nthreads > 0)
		return (l->nthreads > 0 ? 0 : -1);
	return (lane_start(l, threads, nice) > 0 ? 0 : -1);
}

int
pgl_wpool_start_cpu(int threads, int nice)
{
	return (lane_open(&pool.lane[LANE_CPU], threads, nice));
}

int
pgl_wpool_start_commit(int threads, int nice)
{
	return (lane_open(&pool.lane[LANE_COMMIT], threads, nice));
}

static int
submit(struct lane *l, struct pgl_wjob *j)
{
	if (l->nthreads == 0 || pool.stopping)
		return (-1);
	(void)pthread_mutex_lock(&pool.lock);
	push(&l->todo, j);
	(void)pthread_cond_signal(&l->work);
	(void)pthread_mutex_unlock(&pool.lock);
	return (0);
}

int
pgl_wpool_submit(struct pgl_wjob *j)
{
	return (submit(&pool.lane[LANE_IO], j));
}

int
pgl_wpool_submit_cpu(struct pgl_wjob *j)
{
	return (j->run == NULL ? -1 : submit(&pool.lane[LANE_CPU], j));
}

int
pgl_wpool_submit_commit(struct pgl_wjob *j)
{
	return (j->run == NULL ? -1 : submit(&pool.lane[LANE_COMMIT], j));
}

int
pgl_wpool_reap(void)
{
	struct pgl_wjob	*list, *j;
	uint64_t	 n;

	if (pool.efd == -1)
		return (0);
	while (read(pool.efd, &n, sizeof(n)) == -1 && errno == EINTR)
		;
	(void)pthread_mutex_lock(&pool.lock);
	list = pool.done.head;
	pool.done.head = NULL;
	pool.done.tail = NULL;
	(void)pthread_mutex_unlock(&pool.lock);
	/* done() may submit again: the lock is not held here. */
	while ((j = list) != NULL) {
		list = j->next;
		j->done(j, 0);
	}
	return (pool.after_reap != NULL ? pool.after_reap() : 0);
}

void
pgl_wpool_after_reap(int (*fn)(void))
{
	pool.after_reap = fn;
}

int
pgl_wpool_stopping(void)
{
	return (__atomic_load_n(&pool.stopping, __ATOMIC_ACQUIRE));
}

/* Join a lane's threads (they finish the job they hold). */
static void
lane_join(struct lane *l)
{
	int	i;

	for (i = 0; i < l->nthreads; i++)
		(void)pthread_join(l->threads[i], NULL);
	l->nthreads = 0;
	free(l->threads);
	l->threads = NULL;
}

/* The jobs a lane never started: ended as refused. */
static void
lane_drop(struct lane *l)
{
	struct pgl_wjob	*j;

	while ((j = pop(&l->todo)) != NULL) {
		j->rc = PGL_EINTERNAL;
		(void)snprintf(j->err.msg, sizeof(j->err.msg),
		    "the server is stopping");
		j->err.code = PGL_EINTERNAL;
		j->done(j, 1);
	}
}

void
pgl_wpool_stop(void)
{
	struct pgl_wjob	*j;
	int		 i;

	if (pool.efd == -1)
		return;
	(void)pthread_mutex_lock(&pool.lock);
	__atomic_store_n(&pool.stopping, 1, __ATOMIC_RELEASE);
	for (i = 0; i < LANES; i++)
		(void)pthread_cond_broadcast(&pool.lane[i].work);
	(void)pthread_mutex_unlock(&pool.lock);
	/* The threads finish the jobs they hold; the rest stay queued. */
	for (i = 0; i < LANES; i++)
		lane_join(&pool.lane[i]);
	while ((j = pop(&pool.done)) != NULL)
		j->done(j, 1);
	for (i = 0; i < LANES; i++)
		lane_drop(&pool.lane[i]);
	(void)close(pool.efd);
	pool.efd = -1;
}
