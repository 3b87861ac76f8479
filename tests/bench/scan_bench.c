/*
 * The floor under a scan plan (issue 28): the time to read every manifest
 * of a table once and decode every entry in full (partition tuple, column
 * metrics), with no evaluation and no output.  tests/bench/scan.sh prints
 * a plan's time beside it: a plan that prunes should cost a small part of
 * this; one that keeps everything cannot cost less.
 *
 *   scan_bench DIR  ->  "manifests bytes entries read_ms decode_ms"
 *
 * DIR holds the manifests (files named *-m<k>.avro, as scan_gen.js
 * writes them); each is read whole into memory, then decoded.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "iceberg/manifest.h"

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec * 1e3 + ts.tv_nsec / 1e6);
}

static int
count(void *arg, const struct ice_manifest_full *f)
{
	(void)f;
	(*(unsigned long *)arg)++;
	return (0);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE	*fp;
	char	*buf;
	long	 n;

	if ((fp = fopen(path, "rb")) == NULL)
		return (NULL);
	if (fseek(fp, 0, SEEK_END) == -1 || (n = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) == -1 || (buf = malloc((size_t)n + 1)) ==
	    NULL) {
		fclose(fp);
		return (NULL);
	}
	*len = fread(buf, 1, (size_t)n, fp);
	fclose(fp);
	return (buf);
}

int
main(int argc, char **argv)
{
	struct pgl_err	 err;
	struct dirent	*d;
	DIR		*dir;
	char		 path[4096], *buf;
	size_t		 len;
	unsigned long	 files = 0, entries = 0, bytes = 0;
	double		 t0, read_ms = 0, decode_ms = 0;

	if (argc != 2 || (dir = opendir(argv[1])) == NULL) {
		fprintf(stderr, "usage: scan_bench DIR\n");
		return (2);
	}
	while ((d = readdir(dir)) != NULL) {
		if (strstr(d->d_name, "-m") == NULL ||
		    strstr(d->d_name, ".avro") == NULL)
			continue;
		(void)snprintf(path, sizeof(path), "%s/%s", argv[1], d->d_name);
		t0 = now();
		if ((buf = slurp(path, &len)) == NULL) {
			fprintf(stderr, "scan_bench: cannot read %s\n", path);
			return (1);
		}
		read_ms += now() - t0;
		t0 = now();
		if (ice_manifest_read_full(buf, len, count, &entries, &err) ==
		    -1) {
			fprintf(stderr, "scan_bench: %s: %s\n", path, err.msg);
			return (1);
		}
		decode_ms += now() - t0;
		free(buf);
		files++;
		bytes += len;
	}
	closedir(dir);
	printf("%lu %lu %lu %.1f %.1f\n", files, bytes, entries, read_ms,
	    decode_ms);
	return (0);
}
