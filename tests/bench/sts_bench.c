/*
 * The raw AssumeRole round trip through the server's own STS client
 * (src/storage/sts.c over s3.c's libcurl handles), the baseline of the
 * cold row in tests/bench/sts.sh: what a vended load that mints cannot
 * beat.  sts_bench <endpoint> <access key> <secret> <role arn> <bucket>
 * [calls]: prints "assume|<calls>|<median us>|<p90 us>".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "storage/s3.h"
#include "storage/sts.h"

static double
now_us(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3);
}

static int
cmp(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return (x < y ? -1 : x > y);
}

int
main(int argc, char **argv)
{
	struct pgl_s3		 s3;
	struct pgl_sts		 sts;
	struct pgl_sts_creds	 c;
	struct pgl_err		 err;
	char			 policy[2048], *origins[1];
	double			*t, t0;
	size_t			 need;
	int			 n, i;

	if (argc < 6) {
		fprintf(stderr, "usage: sts_bench endpoint key secret role "
		    "bucket [calls]\n");
		return (2);
	}
	n = argc > 6 ? atoi(argv[6]) : 50;
	if (n < 1 || (t = calloc((size_t)n, sizeof(*t))) == NULL)
		return (2);
	origins[0] = argv[1];
	pgl_s3_allow_endpoints(origins, 1);
	memset(&s3, 0, sizeof(s3));
	s3.endpoint = argv[1];
	s3.region = "us-east-1";
	s3.bucket = argv[5];
	s3.access_key = argv[2];
	s3.secret_key = argv[3];
	s3.path_style = 1;
	s3.name = "bench";
	memset(&sts, 0, sizeof(sts));
	sts.role_arn = argv[4];
	sts.duration_secs = 900;
	if (pgl_sts_policy("aws", argv[5], "bench/db/t0", 1, policy,
	    sizeof(policy), &need) == -1)
		return (2);
	for (i = 0; i < n; i++) {
		t0 = now_us();
		if (pgl_sts_assume_role(&s3, &sts, "bench", policy, &c,
		    &err) != PGL_OK) {
			fprintf(stderr, "sts_bench: %s\n", err.msg);
			return (2);
		}
		t[i] = now_us() - t0;
	}
	qsort(t, (size_t)n, sizeof(*t), cmp);
	printf("assume|%d|%.1f|%.1f\n", n, t[n / 2], t[n * 9 / 10]);
	free(t);
	pgl_s3_shutdown();
	return (0);
}
