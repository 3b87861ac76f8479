/*
 * libFuzzer target for what STS vending reads from outside: the input is
 * read as STS's AssumeRole answer (and as any S3 XML answer's elements),
 * as a role ARN, and as a table's key prefix made into a session policy.
 * None may crash or leak; a policy made must be JSON whose object
 * resource is exactly the bucket and the prefix with IAM's wildcards
 * escaped, so no input widens the grant.
 *
 * sh tests/fuzz/run.sh builds it with src/storage/sts.c and s3xml.c; the
 * network call is never made here (its S3 client is a stub).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "storage/s3.h"
#include "storage/s3xml.h"
#include "storage/sts.h"

#define CHECK(x)	do { if (!(x)) __builtin_trap(); } while (0)

int
pgl_s3_post_form(const struct pgl_s3 *s, const char *service,
    const char *form, size_t max, long *status, char **body, size_t *len,
    struct pgl_err *err)
{
	(void)s; (void)service; (void)form; (void)max; (void)status;
	(void)body; (void)len; (void)err;
	__builtin_trap();
}

/* The object statement's resource must be the prefix, escaped. */
static void
check_policy(const char *prefix, const char *text)
{
	json_t		*p = json_loads(text, 0, NULL), *res;
	const char	*r, *q;
	size_t		 n;

	CHECK(p != NULL);
	res = json_array_get(json_object_get(json_array_get(json_object_get(p,
	    "Statement"), 0), "Resource"), 0);
	CHECK((r = json_string_value(res)) != NULL);
	CHECK(strncmp(r, "arn:aws:s3:::bkt/", 17) == 0);
	r += 17;
	for (q = prefix; *q != '\0'; q++) {
		if (*q == '*' || *q == '?' || *q == '$') {
			CHECK(r[0] == '$' && r[1] == '{' && r[2] == *q &&
			    r[3] == '}');
			r += 4;
		} else
			CHECK(*r++ == *q);
	}
	n = strlen(r);
	CHECK(n == 2 && strcmp(r, "/*") == 0);
	json_decref(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pgl_sts_creds	 c;
	char			*s, out[8192], part[40], text[256];
	const char		*p;
	size_t			 need;

	if ((s = malloc(size + 1)) == NULL)
		return (0);
	memcpy(s, data, size);
	s[size] = '\0';
	(void)pgl_sts_parse(s, &c);
	p = s;
	while (pgl_xml_next(&p, "Key", text, sizeof(text)))
		;
	(void)pgl_iso8601_ms(s);
	(void)pgl_xml_code_ok(s, strlen(s));
	if (pgl_sts_role_partition(s, part, sizeof(part)) == 0)
		CHECK(strncmp(s, "arn:", 4) == 0 && strlen(part) > 0);
	/* JSON strings are UTF-8: jansson refuses other bytes outright. */
	if (pgl_sts_policy("aws", "bkt", s, size % 2, out, sizeof(out),
	    &need) > 0)
		check_policy(s, out);
	free(s);
	return (0);
}
