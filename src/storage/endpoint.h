/*
 * Which object-store endpoints the server may talk to.  A tenant admin
 * names a warehouse's endpoint; without a check that is a way to make the
 * server send signed requests to itself, to the host's private network or
 * to a cloud metadata service (SSRF).  An endpoint is an origin,
 * http(s)://host[:port]; a host whose address is loopback, private,
 * link-local, unspecified, multicast or a metadata service is refused
 * unless the operator lists that origin ([storage] allowed_endpoints).
 *
 * Pure code: the warehouse routes check the endpoint as written (IP
 * literals in every form a resolver takes, and names that are local by
 * definition); the S3 client checks again every address it is about to
 * connect to (s3.c), so a name resolving somewhere else later changes
 * nothing.
 */
#ifndef PGL_ENDPOINT_H
#define PGL_ENDPOINT_H

#include <stddef.h>

struct sockaddr;

struct pgl_origin {
	char		scheme[8];	/* "http" or "https" */
	char		host[256];	/* lower case; IPv6 without brackets */
	unsigned	port;		/* the scheme's default when not given */
};

/* "http(s)://host[:port]" with nothing after it: 0; -1 if not that. */
int		 pgl_origin_parse(const char *url, struct pgl_origin *);

/* 1 if url and one of list[0..n) are the same origin (scheme, host
 * without case, port with defaults). */
int		 pgl_origin_listed(const char *url, char *const *list,
		    size_t n);

/* Why an address may not be reached ("loopback", "private", ...); NULL
 * for a public address.  IPv4-mapped, IPv4-compatible, NAT64 and 6to4
 * IPv6 forms are judged by the IPv4 address they carry. */
const char	*pgl_addr_class(const struct sockaddr *);

/* The same for a host as written in a URL: an IP literal (dotted, short
 * or numeric IPv4 forms, bracketed or bare IPv6), or a name that is local
 * by definition (localhost, *.localhost, metadata service names).  NULL
 * for any other name: its addresses are checked when it is resolved. */
const char	*pgl_host_class(const char *host);

/* NULL if url is an origin the server may use as an endpoint under the
 * allow-list; else why not: "not an origin", or the class of its host
 * ("loopback", "cloud metadata", ...). */
const char	*pgl_endpoint_check(const char *url, char *const *allowed,
		    size_t n);

#endif
