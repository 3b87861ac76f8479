/*
 * Kore's own hello world: the baseline every Pangolin bench figure is
 * divided by.  Built by tests/bench/hello/build.sh from the same patched
 * Kore objects as ./pangolin (build/release/kore/obj/*.o), as a single
 * binary with its kore.conf embedded, so the only difference between the
 * two servers is what happens inside the handler.
 *
 * Usage: hello PIDFILE   (runs in the foreground, logs to stdout)
 */
#include <kore.h>
#include <http.h>

int	page(struct http_request *);
void	kore_parent_configure(int, char **);

extern int	skip_runas, skip_chroot;

void
kore_parent_configure(int argc, char **argv)
{
	kore_foreground = 1;
	skip_runas = 1;
	skip_chroot = 1;
	if (argc > 1)
		kore_pidfile = argv[1];
}

int
page(struct http_request *req)
{
	http_response(req, 200, "hello", 5);
	return (KORE_RESULT_OK);
}
