/*
 * Types shared by every Pangolin plugin ABI (store.h, cache.h).
 *
 * Nothing else of the appliance crosses the plugin boundary: a plugin sees
 * this header, its own ABI header, and the host API it is handed at open.
 */
#ifndef PANGOLIN_PLUGIN_H
#define PANGOLIN_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

/* Status codes returned by every plugin method. */
enum pgl_status {
	PGL_OK = 0,
	PGL_ENOTFOUND,		/* the named row does not exist */
	PGL_EEXISTS,		/* a row with that natural key exists */
	PGL_ECONFLICT,		/* compare-and-swap lost, concurrent change */
	PGL_EINVAL,		/* invalid argument or option */
	PGL_EINUSE,		/* still referenced (e.g. warehouse by catalog) */
	PGL_EUNAVAIL,		/* backend unreachable; retry later */
	PGL_EUNSUPPORTED,	/* method not implemented by this plugin */
	PGL_ENOMEM,
	PGL_EINTERNAL,
	/*
	 * Store ABI 1.14: the transaction lost a race with a concurrent one
	 * over the same rows (PostgreSQL's serialization failure or
	 * deadlock, MongoDB's write conflict).  Nothing of it stays: outside
	 * a host transaction the store rolled it back; inside one, the
	 * statement was undone and the host must roll back.  The same work
	 * on a fresh transaction may succeed.  Not a lost compare-and-swap
	 * (PGL_ECONFLICT), and no row exists (PGL_EEXISTS): the host runs
	 * the work again and never tells a client either.  A plugin built
	 * before 1.14 reports these as PGL_ECONFLICT.
	 */
	PGL_ERETRY
};

/* An error value: the code and a one-line message for logs and replies. */
struct pgl_err {
	int		code;
	char		msg[256];
};

/* A configuration option handed to a plugin: [store.options] k = "v". */
struct pgl_kv {
	const char	*key;
	const char	*value;
};

/*
 * Per-request memory owned by the host.  Plugins copy every string and
 * array they return into it, so results need no free functions and a
 * request releases everything it touched in one place.
 */
struct pgl_arena;

#define PGL_LOG_ERR	3
#define PGL_LOG_WARN	4
#define PGL_LOG_INFO	6
#define PGL_LOG_DEBUG	7

#define PGL_HOST_ABI_MAJOR	1
#define PGL_HOST_ABI_MINOR	2

/* Room for a name's key (name_key below); a longer key is refused. */
#define PGL_NAME_KEY_MAX	1024
/* Room for a location's key (location_key below), its NUL included. */
#define PGL_LOCATION_KEY_LEN	4200

/* What the host offers a plugin.  Fields are only ever appended. */
struct pgl_host {
	uint16_t	abi_major;
	uint16_t	abi_minor;
	void		(*log)(int level, const char *fmt, ...)
			    __attribute__((format(printf, 2, 3)));
	void		*(*arena_alloc)(struct pgl_arena *, size_t);
	char		*(*arena_strdup)(struct pgl_arena *, const char *);
	char		*(*arena_strndup)(struct pgl_arena *, const char *,
			    size_t);
	/*
	 * 1.1: the key two principal names share when a reader would take
	 * them for one (case, Unicode forms, invisible characters and
	 * spacing folded away), written to out with its NUL; its length,
	 * or -1 for a name that is not UTF-8 or a key over len.  Stores
	 * keep it beside a user's or service user's name, unique where the
	 * name is, and compute it for rows written before (store.h).
	 */
	int		(*name_key)(const char *name, char *out, size_t len);
	/* 1.1: an arena of the plugin's own, for work of its own at open
	 * (a migration's reads), freed with everything in it. */
	struct pgl_arena *(*arena_new)(void);
	void		(*arena_free)(struct pgl_arena *);
	/*
	 * 1.2: the key of a storage location (issue 67): one spelling per
	 * place ("/a", "file:/a" and "file:///a" are one; so are Azure's
	 * four schemes), ending in exactly one '/', so that two locations
	 * overlap exactly when one's key is a prefix of the other's.
	 * Written to out with its NUL; its length, or -1 when it does not
	 * fit in len (PGL_LOCATION_KEY_LEN always does for a location the
	 * host accepted).  Stores keep it beside a table's or view's
	 * location (store.h, ABI 1.26).
	 */
	int		(*location_key)(const char *loc, char *out, size_t len);
};

#define PGL_EXPORT	__attribute__((visibility("default")))

#endif
