/* Loads fine; open() fails with the plugin's own message. */
#include "stubs.h"

static struct pgl_store_ops	ops;

static int
failing_open(const struct pgl_host *host, const struct pgl_kv *opts,
    size_t nopts, struct pgl_store **out, struct pgl_err *err)
{
	(void)host; (void)opts; (void)nopts; (void)out;
	err->code = PGL_EUNAVAIL;
	(void)snprintf(err->msg, sizeof(err->msg),
	    "cannot reach the database at db.invalid:5432");
	return (PGL_EUNAVAIL);
}

PGL_EXPORT const struct pgl_store_ops *
pangolin_store_plugin(void)
{
	fill_stubs(&ops);
	ops.open = failing_open;
	return (&ops);
}
