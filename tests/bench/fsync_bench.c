/*
 * The disk's pace for what a commit must do: create a new file, write
 * it, fsync it, fsync its directory (FileIO's atomic write does exactly
 * this before a pointer may name the file).  tests/bench/commits.sh
 * prints pangolin's commit rate beside this.
 *
 *   fsync_bench DIR SECONDS THREADS  ->  "files_per_second_total
 *                                          cpu_us_per_file"
 *
 * The second figure (user + system time over files) is what the file
 * part alone costs the machine: on a VM whose fsync is fast it is the
 * CPU, not the disk, that sets the pace of many threads.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char	*dir;
static double		 secs;

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

/* One thread: create+write+fsync+dir-fsync until time is up. */
static void *
run(void *arg)
{
	char		 path[4096], buf[2048];
	long		 id = (long)arg, n = 0;
	double		 end = now() + secs;
	int		 fd, dfd;

	memset(buf, 'x', sizeof(buf));
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY)) == -1) {
		perror(dir);
		exit(1);
	}
	while (now() < end) {
		(void)snprintf(path, sizeof(path), "%s/f-%ld-%ld", dir, id, n);
		if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644)) == -1 ||
		    write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf) ||
		    fsync(fd) == -1 || close(fd) == -1 || fsync(dfd) == -1) {
			perror(path);
			exit(1);
		}
		n++;
	}
	close(dfd);
	return ((void *)n);
}

int
main(int argc, char **argv)
{
	pthread_t	t[64];
	struct rusage	ru;
	long		i, threads, total = 0;
	double		cpu;
	void		*n;

	if (argc != 4) {
		fprintf(stderr, "usage: fsync_bench DIR SECONDS THREADS\n");
		return (2);
	}
	dir = argv[1];
	secs = atof(argv[2]);
	threads = atol(argv[3]);
	if (threads < 1 || threads > 64 || secs <= 0)
		return (2);
	for (i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, run, (void *)i);
	for (i = 0; i < threads; i++) {
		pthread_join(t[i], &n);
		total += (long)n;
	}
	if (getrusage(RUSAGE_SELF, &ru) == -1) {
		perror("getrusage");
		return (1);
	}
	cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	printf("%.0f %.0f\n", total / secs, total > 0 ? cpu * 1e6 / total : 0);
	return (0);
}
