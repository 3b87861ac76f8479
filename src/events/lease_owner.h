/*
 * Who holds a push sink's lease (struct pgl_webhook.lease_owner): a
 * dispatcher thread, named so that another dispatcher can tell when the
 * holder is certainly dead.  A lease otherwise outlives a crash by its
 * whole length (twice the delivery timeout and more): a server killed
 * and started again would deliver nothing for that long.
 *
 *	<host>:<pid>:<thread>@<boot id>.<pid namespace>
 *
 * The boot id and the pid namespace make "this machine, these pids":
 * only a holder on the same boot and in the same pid namespace as the
 * caller, whose process no longer exists, is dead for sure.  A replica
 * elsewhere (another machine, or a container of its own on this one) is
 * never judged: its lease runs out as leases do.
 */
#ifndef PGL_EVENTS_LEASE_OWNER_H
#define PGL_EVENTS_LEASE_OWNER_H

#include <stddef.h>

/* This thread's name into buf: 0, or -1 when it does not fit. */
int	pgl_lease_owner_make(char *buf, size_t len);

/* 1 if owner (another thread's name) is a process of this machine and
 * pid namespace that exists no more; else 0. */
int	pgl_lease_owner_gone(const char *owner);

#endif
