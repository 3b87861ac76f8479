/*
 * Temporary credentials from STS AssumeRole, scoped by an inline session
 * policy to one table's files: what a warehouse with use_sts (or the
 * AwsSts vending strategy) hands a client instead of its own keys.
 *
 * The policy, the answer's parsing and the ARN's partition are pure code
 * (unit tested); pgl_sts_assume_role() is a network call, made on a write
 * pool thread (api/storage/sts_vend.c), never on a worker's event loop.
 * It goes through the S3 client (s3.h): the same timeouts, breaker per
 * endpoint and address checks against [storage] allowed_endpoints.
 */
#ifndef PGL_STS_H
#define PGL_STS_H

#include <stddef.h>
#include <stdint.h>

#include "pangolin/plugin.h"

struct pgl_s3;

#define PGL_STS_DURATION_MAX	43200	/* AWS's longest role session */
#define PGL_STS_DURATION_DEFAULT 3600
#define PGL_STS_POLICY_LIMIT	2048	/* AWS's; [storage] may lower it */
#define PGL_STS_TOKEN_MAX	4096

/* A warehouse's STS settings (storage_config), resolved. */
struct pgl_sts {
	const char	*role_arn;	/* arn:<partition>:iam::<acct>:role/x */
	const char	*external_id;	/* or NULL */
	const char	*endpoint;	/* NULL: the S3 endpoint, or AWS's */
	const char	*region;	/* NULL: the S3 region */
	int		 duration_secs;
};

struct pgl_sts_creds {
	char		access_key[128];
	char		secret_key[128];
	char		token[PGL_STS_TOKEN_MAX];
	int64_t		expires_ms;	/* since the epoch */
};

/*
 * The partition of a role ARN ("aws", "aws-cn", "aws-us-gov", or a
 * private cloud's own word) into out; -1 if arn is not a role's ARN,
 * arn:<partition>:iam::<account>:role/<path/name>.
 */
int	pgl_sts_role_partition(const char *arn, char *out, size_t len);

/*
 * The session policy for the objects under bucket/prefix (a key prefix
 * without its trailing '/'), as compact JSON (STS implementations refuse
 * whitespace): reads (GetObject, ListBucket with an s3:prefix condition on
 * the prefix) and, if write, PutObject, DeleteObject and multipart upload
 * clean-up.  IAM's wildcard characters in the prefix are escaped (${*},
 * ${?}, ${$}) so a name never widens the grant.  Its length, or -1 when it
 * does not fit in max bytes (*need says how many it takes).
 */
int	pgl_sts_policy(const char *partition, const char *bucket,
	    const char *prefix, int write, char *out, size_t max,
	    size_t *need);

/*
 * AssumeRole's answer: the credentials; -1 if it holds none (a field
 * missing or too long, or an expiry that cannot be read).
 */
int	pgl_sts_parse(const char *xml, struct pgl_sts_creds *);

/*
 * AssumeRole as the warehouse's long-term keys (keys: its S3 settings),
 * for session (2 to 64 of [A-Za-z0-9_=,.@-]) with policy.  PGL_EUNAVAIL:
 * STS not reached or busy (retry: the message may say "retry after N s");
 * PGL_EINTERNAL: STS answered and refused (its error code in the message),
 * or answered nothing usable.  Messages name the warehouse, never a key.
 */
int	pgl_sts_assume_role(const struct pgl_s3 *keys, const struct pgl_sts *,
	    const char *session, const char *policy, struct pgl_sts_creds *,
	    struct pgl_err *);

#endif
