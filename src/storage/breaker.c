/*
 * The per-endpoint circuit breaker and in-flight cap (breaker.h).
 */
#include "storage/breaker.h"

static int
wait_left(const struct pgl_breaker *b, int64_t now)
{
	int64_t	left = b->open_until - now;

	return (left < 1 ? 1 : (int)left);
}

enum pgl_breaker_admit
pgl_breaker_admit(struct pgl_breaker *b, const struct pgl_breaker_cfg *cfg,
    int64_t now, int *retry_after)
{
	if (b->open) {
		/* Cooling down, or the one probe is already out. */
		if (now < b->open_until || b->probing) {
			*retry_after = b->probing ? 1 : wait_left(b, now);
			return (PGL_BREAKER_OPEN);
		}
		b->probing = 1;
		b->inflight++;
		return (PGL_BREAKER_PROBE);
	}
	if (cfg->max_inflight > 0 && b->inflight >= cfg->max_inflight) {
		*retry_after = 1;
		return (PGL_BREAKER_BUSY);
	}
	b->inflight++;
	return (PGL_BREAKER_GO);
}

int
pgl_breaker_done(struct pgl_breaker *b, const struct pgl_breaker_cfg *cfg,
    enum pgl_breaker_admit how, int failed, int64_t now)
{
	if (b->inflight > 0)
		b->inflight--;
	if (how == PGL_BREAKER_PROBE) {
		b->probing = 0;
		if (!failed) {
			b->open = 0;
			b->fails = 0;
			return (0);
		}
		b->open_until = now + cfg->cooldown;
		return (0);	/* still open: not a new trip */
	}
	if (!failed) {
		b->fails = 0;
		return (0);
	}
	/* A call admitted before the breaker opened, ending after. */
	if (b->open)
		return (0);
	if (cfg->failures > 0 && ++b->fails >= cfg->failures) {
		b->open = 1;
		b->open_until = now + cfg->cooldown;
		return (1);
	}
	return (0);
}
