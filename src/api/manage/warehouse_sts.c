/*
 * A warehouse's STS settings, checked as it will be stored (after an
 * update is merged): vended credentials from AssumeRole
 * (api/storage/sts_vend.h) need a role to assume, and the STS endpoint is
 * held to the same rules as the S3 one (storage/endpoint.h): an
 * operator's allow-list for local and private addresses.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/manage/manage.h"
#include "app/app.h"
#include "storage/endpoint.h"
#include "storage/sts.h"
#include "util/json.h"

/* The first of a key's two spellings that is set. */
static const char *
either(const json_t *o, const char *a, const char *b)
{
	const char	*v = pgl_json_str(o, a);

	return (v != NULL ? v : pgl_json_str(o, b));
}

static const char *
duration_check(const char *d)
{
	char	*end;
	long	 n;

	if (d == NULL)
		return (NULL);
	n = strtol(d, &end, 10);
	if (*d == '\0' || *end != '\0' || !isdigit((unsigned char)*d) ||
	    n < 1 || n > PGL_STS_DURATION_MAX)
		return ("storage_config sts_duration_secs must be a whole "
		    "number of seconds from 1 to 43200");
	return (NULL);
}

/* The role and external id: the AwsSts variant's, else storage_config's. */
static const char *
role_check(const char *arn, const char *ext)
{
	char	partition[40];

	if (arn == NULL || pgl_sts_role_partition(arn, partition,
	    sizeof(partition)) == -1 || strlen(arn) > 2048)
		return ("role_arn must be an IAM role's ARN, "
		    "arn:<partition>:iam::<account>:role/<name>");
	if (ext != NULL && !api_warehouse_word_ok(ext, 1224))
		return ("external_id must be 1 to 1224 printable characters "
		    "without spaces");
	return (NULL);
}

const char *
api_warehouse_sts_check(int use_sts, const char *config_text,
    const char *vending_text)
{
	json_t		*cfg = api_obj(config_text), *vs = api_obj(vending_text);
	const json_t	*aws = json_object_get(vs, "AwsSts");
	const char	*arn, *ext, *ep, *region, *why = NULL;

	arn = either(cfg, "s3.role-arn", "role_arn");
	ext = either(cfg, "s3.external-id", "external_id");
	if (json_is_object(aws)) {
		arn = either(aws, "role_arn", "role-arn");
		if (either(aws, "external_id", "external-id") != NULL)
			ext = either(aws, "external_id", "external-id");
	}
	ep = either(cfg, "s3.sts-endpoint", "sts_endpoint");
	region = either(cfg, "s3.sts-region", "sts_region");
	if (use_sts || json_is_object(aws) || arn != NULL)
		why = role_check(arn, ext);
	if (why == NULL && ep != NULL)
		why = api_warehouse_endpoint_refused("sts_endpoint", ep);
	if (why == NULL && region != NULL && !api_warehouse_word_ok(region, 64))
		why = "storage_config sts_region must be printable text "
		    "without spaces";
	if (why == NULL)
		why = duration_check(pgl_json_str(cfg, "sts_duration_secs"));
	json_decref(cfg);
	json_decref(vs);
	return (why);
}
