/*
 * The write pool (write_pool.h): one queue of jobs to write, one of jobs
 * written, a mutex over both, and an eventfd the last thread to finish a
 * job bumps.  One pool per worker process, started after the fork.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include "storage/fileio.h"
#include "storage/write_pool.h"

struct queue {
	struct pgl_wjob	*head;
	struct pgl_wjob	**tail;
};

static struct {
	pthread_mutex_t	 lock;
	pthread_cond_t	 work;
	struct queue	 todo;
	struct queue	 done;
	int		 stopping;
	int		 efd;
	int		 nthreads;
	pthread_t	*threads;
	void		(*after_reap)(void);
} pool = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
	{ NULL, NULL }, { NULL, NULL }, 0, -1, 0, NULL, NULL };

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
	struct pgl_wjob	*j;

	(void)arg;
	(void)pthread_mutex_lock(&pool.lock);
	for (;;) {
		while (pool.todo.head == NULL && !pool.stopping)
			(void)pthread_cond_wait(&pool.work, &pool.lock);
		if (pool.stopping || (j = pop(&pool.todo)) == NULL)
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

int
pgl_wpool_start(int threads)
{
	int	i;

	if (threads <= 0 || pool.efd != -1)
		return (pool.efd);
	/* Decided once here, not raced for by the threads. */
	(void)pgl_file_resolver();
	if ((pool.threads = calloc((size_t)threads,
	    sizeof(*pool.threads))) == NULL)
		return (-1);
	if ((pool.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1) {
		free(pool.threads);
		pool.threads = NULL;
		return (-1);
	}
	pool.stopping = 0;
	for (i = 0; i < threads; i++) {
		if (pthread_create(&pool.threads[i], NULL, run, NULL) != 0)
			break;
	}
	pool.nthreads = i;
	if (i == 0) {
		(void)close(pool.efd);
		pool.efd = -1;
	}
	return (pool.efd);
}

int
pgl_wpool_submit(struct pgl_wjob *j)
{
	if (pool.nthreads == 0 || pool.stopping)
		return (-1);
	(void)pthread_mutex_lock(&pool.lock);
	push(&pool.todo, j);
	(void)pthread_cond_signal(&pool.work);
	(void)pthread_mutex_unlock(&pool.lock);
	return (0);
}

void
pgl_wpool_reap(void)
{
	struct pgl_wjob	*list, *j;
	uint64_t	 n;

	if (pool.efd == -1)
		return;
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
	if (pool.after_reap != NULL)
		pool.after_reap();
}

void
pgl_wpool_after_reap(void (*fn)(void))
{
	pool.after_reap = fn;
}

void
pgl_wpool_stop(void)
{
	struct pgl_wjob	*j;
	int		 i;

	if (pool.nthreads == 0)
		return;
	(void)pthread_mutex_lock(&pool.lock);
	pool.stopping = 1;
	(void)pthread_cond_broadcast(&pool.work);
	(void)pthread_mutex_unlock(&pool.lock);
	/* The threads finish the writes they hold; the rest stay queued. */
	for (i = 0; i < pool.nthreads; i++)
		(void)pthread_join(pool.threads[i], NULL);
	pool.nthreads = 0;
	free(pool.threads);
	pool.threads = NULL;
	while ((j = pop(&pool.done)) != NULL)
		j->done(j, 1);
	while ((j = pop(&pool.todo)) != NULL) {
		j->rc = PGL_EINTERNAL;
		(void)snprintf(j->err.msg, sizeof(j->err.msg),
		    "the server is stopping");
		j->err.code = PGL_EINTERNAL;
		j->done(j, 1);
	}
	(void)close(pool.efd);
	pool.efd = -1;
}
