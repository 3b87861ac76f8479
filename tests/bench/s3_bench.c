/*
 * The S3 client against Swift (s3api, SigV4 checked): a bare PUT and GET
 * of a metadata-sized object, median ms, and the connections opened per
 * 1,000 requests with the client cache on and off
 * (OBJECT_STORE_CACHE_ENABLED).  The HTTP side (loadTable and commit on
 * S3) is in run.sh; both print against the same server in the same run.
 *
 *   s3_bench <endpoint> <bucket> [out.md]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "storage/s3.h"

#define N	200

static double
now_ms(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6);
}

static int
cmp(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return ((x > y) - (x < y));
}

static double
median(double *v, size_t n)
{
	qsort(v, n, sizeof(v[0]), cmp);
	return (v[n / 2]);
}

/* Connections opened by 1,000 PUTs with the client cache on or off. */
static uint64_t
connections_per_1000(struct pgl_s3 *s3, const char *body, int keep)
{
	struct pgl_s3_stats	a, b;
	struct pgl_err		err;
	int			i;

	pgl_s3_keep_clients(keep);
	pgl_s3_stats(&a);
	for (i = 0; i < 1000; i++) {
		if (pgl_s3_put(s3, "bench/conn.json", body, strlen(body),
		    &err) != PGL_OK) {
			fprintf(stderr, "s3 bench: %s\n", err.msg);
			exit(1);
		}
	}
	pgl_s3_stats(&b);
	pgl_s3_keep_clients(1);
	return (b.connections - a.connections);
}

int
main(int argc, char **argv)
{
	struct pgl_s3	 s3;
	struct pgl_err	 err;
	static double	 put[N], get[N];
	char		*body, *data, key[64];
	size_t		 len;
	double		 t0;
	uint64_t	 on, off;
	FILE		*md;
	int		 i;

	if (argc < 3) {
		fprintf(stderr, "usage: s3_bench endpoint bucket [out.md]\n");
		return (2);
	}
	s3 = (struct pgl_s3){ argv[1], "us-east-1", argv[2], "test:tester",
	    "testing", NULL, 1, "bench", 0 };
	/* The bench's Swift is on loopback: allowed, as an operator would. */
	pgl_s3_allow_endpoints(&argv[1], 1);
	/* About the size of a small table's metadata file. */
	if ((body = malloc(4096 + 1)) == NULL)
		return (1);
	memset(body, 'x', 4096);
	body[4096] = '\0';
	if (pgl_s3_create_bucket(&s3, &err) != PGL_OK) {
		fprintf(stderr, "s3 bench: %s\n", err.msg);
		return (1);
	}
	for (i = 0; i < N; i++) {
		(void)snprintf(key, sizeof(key), "bench/obj-%d.json", i);
		t0 = now_ms();
		if (pgl_s3_put(&s3, key, body, 4096, &err) != PGL_OK)
			return (1);
		put[i] = now_ms() - t0;
		t0 = now_ms();
		if (pgl_s3_get(&s3, key, 1 << 20, &data, &len, &err) != PGL_OK)
			return (1);
		get[i] = now_ms() - t0;
		free(data);
	}
	on = connections_per_1000(&s3, body, 1);
	off = connections_per_1000(&s3, body, 0);
	printf("%-46s %10s\n", "S3 client (Swift s3api, SigV4), 4 KiB object",
	    "median");
	printf("%-46s %7.2f ms\n", "PUT (kept-alive connection)",
	    median(put, N));
	printf("%-46s %7.2f ms\n", "GET (kept-alive connection)",
	    median(get, N));
	printf("%-46s %10llu\n", "connections per 1,000 PUTs, client cache on",
	    (unsigned long long)on);
	printf("%-46s %10llu\n", "connections per 1,000 PUTs, client cache off",
	    (unsigned long long)off);
	if (argc > 3 && (md = fopen(argv[3], "w")) != NULL) {
		fprintf(md, "| S3 client step (4 KiB) | value |\n|---|---:|\n"
		    "| PUT median | %.2f ms |\n| GET median | %.2f ms |\n"
		    "| connections per 1,000 PUTs, cache on | %llu |\n"
		    "| connections per 1,000 PUTs, cache off | %llu |\n",
		    median(put, N), median(get, N), (unsigned long long)on,
		    (unsigned long long)off);
		fclose(md);
	}
	pgl_s3_shutdown();
	free(body);
	return (0);
}
