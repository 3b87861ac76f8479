/*
 * Errors as values (§0): a status, the Java exception simple name that
 * clients branch on, and a message.  Each helper returns -1.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "iceberg/internal.h"

static int	vfail(struct ice_err *, int, const char *, const char *,
		    va_list) __attribute__((format(printf, 4, 0)));

static int
vfail(struct ice_err *e, int status, const char *type, const char *fmt,
    va_list ap)
{
	if (e == NULL)
		return (-1);
	e->status = status;
	e->type = type;
	(void)vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	return (-1);
}

int
ice_fail(struct ice_err *e, int status, const char *type, const char *fmt,
    ...)
{
	va_list	ap;

	va_start(ap, fmt);
	(void)vfail(e, status, type, fmt, ap);
	va_end(ap);
	return (-1);
}

/* Malformed input: wrong type, missing field, unknown action (§0). */
int
ice_bad(struct ice_err *e, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	(void)vfail(e, 400, "BadRequestException", fmt, ap);
	va_end(ap);
	return (-1);
}

/* Well-formed input that breaks a metadata rule (§0, §1.3). */
int
ice_invalid(struct ice_err *e, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	(void)vfail(e, 400, "ValidationException", fmt, ap);
	va_end(ap);
	return (-1);
}

/* Retryable: a requirement or a sequence check lost a race (§9-2). */
int
ice_conflict(struct ice_err *e, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	(void)vfail(e, 409, "CommitFailedException", fmt, ap);
	va_end(ap);
	return (-1);
}

/* Nothing was written when this happens, but the outcome is ours. */
int
ice_oom(struct ice_err *e)
{
	return (ice_fail(e, 500, "ServiceFailureException", "out of memory"));
}

/* Say which update failed: "add-spec: ...". */
void
ice_err_prefix(struct ice_err *e, const char *prefix)
{
	char	tmp[sizeof(e->msg)];
	int	n;

	if (e == NULL || prefix == NULL)
		return;
	memcpy(tmp, e->msg, sizeof(tmp));
	n = snprintf(e->msg, sizeof(e->msg), "%s: ", prefix);
	if (n > 0 && (size_t)n < sizeof(e->msg))
		(void)snprintf(e->msg + n, sizeof(e->msg) - n, "%.*s",
		    (int)(sizeof(e->msg) - n - 1), tmp);
}
