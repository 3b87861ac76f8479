#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "storage/endpoint.h"
#include "util/str.h"

/* Names that are local whatever a resolver says (RFC 6761), and the
 * names cloud providers give their metadata services. */
static const char *const metadata_names[] = {
	"metadata.google.internal", "metadata.goog", "metadata",
	"instance-data", "instance-data.ec2.internal",
	"metadata.azure.internal", "metadata.tencentyun.com"
};

int
pgl_origin_parse(const char *url, struct pgl_origin *o)
{
	const char	*p, *end, *colon;
	char		*e;
	unsigned long	 port;
	size_t		 len, i;

	memset(o, 0, sizeof(*o));
	if (strncmp(url, "http://", 7) == 0) {
		(void)pgl_strlcpy(o->scheme, "http", sizeof(o->scheme));
		p = url + 7;
		o->port = 80;
	} else if (strncmp(url, "https://", 8) == 0) {
		(void)pgl_strlcpy(o->scheme, "https", sizeof(o->scheme));
		p = url + 8;
		o->port = 443;
	} else
		return (-1);
	if (*p == '[') {
		if ((end = strchr(p, ']')) == NULL)
			return (-1);
		len = (size_t)(end - p - 1);
		p++;
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] != '\0' && colon == NULL)
			return (-1);
	} else {
		colon = strchr(p, ':');
		len = colon != NULL ? (size_t)(colon - p) : strlen(p);
	}
	if (len == 0 || len >= sizeof(o->host))
		return (-1);
	for (i = 0; i < len; i++) {
		unsigned char	c = (unsigned char)p[i];

		/* Letters, digits, '.', '-', '_'; ':' only in brackets. */
		if (!isalnum(c) && c != '.' && c != '-' && c != '_' &&
		    !(c == ':' && p[-1] == '['))
			return (-1);
		o->host[i] = (char)tolower(c);
	}
	o->host[len] = '\0';
	if (p[-1] == '[') {
		struct in6_addr	a6;

		if (inet_pton(AF_INET6, o->host, &a6) != 1)
			return (-1);
	}
	if (colon != NULL) {
		if (!isdigit((unsigned char)colon[1]))
			return (-1);
		port = strtoul(colon + 1, &e, 10);
		if (*e != '\0' || port == 0 || port > 65535 ||
		    e - colon > 6)
			return (-1);
		o->port = (unsigned)port;
	}
	return (0);
}

int
pgl_origin_listed(const char *url, char *const *list, size_t n)
{
	struct pgl_origin	a, b;
	size_t			i;

	if (pgl_origin_parse(url, &a) == -1)
		return (0);
	for (i = 0; i < n; i++) {
		if (pgl_origin_parse(list[i], &b) == 0 &&
		    strcmp(a.scheme, b.scheme) == 0 &&
		    strcmp(a.host, b.host) == 0 && a.port == b.port)
			return (1);
	}
	return (0);
}

static const char *
v4_class(uint32_t a)
{
	if ((a >> 24) == 0)
		return ("unspecified");
	if ((a >> 24) == 127)
		return ("loopback");
	/* AWS, GCP, Azure, OCI (169.254.169.254), ECS (169.254.170.2),
	 * Alibaba (100.100.100.200). */
	if (a == 0xa9fea9feU || a == 0xa9feaa02U || a == 0x646464c8U)
		return ("cloud metadata");
	if ((a >> 16) == 0xa9fe)
		return ("link-local");
	if ((a >> 24) == 10 || (a >> 20) == 0xac1 || (a >> 16) == 0xc0a8)
		return ("private");
	if ((a >> 22) == 0x191)			/* 100.64/10 */
		return ("shared (CGNAT)");
	if ((a >> 8) == 0xc00000 || (a >> 17) == (0xc612 >> 1))
		return ("reserved");		/* 192.0.0/24, 198.18/15 */
	if ((a >> 28) == 0xe)
		return ("multicast");
	if ((a >> 28) == 0xf)
		return ("reserved");
	return (NULL);
}

static uint32_t
v4_at(const unsigned char *b)
{
	return ((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | (uint32_t)b[3]);
}

static int
zeros(const unsigned char *b, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (b[i] != 0)
			return (0);
	}
	return (1);
}

static const char *
v6_class(const unsigned char *b)
{
	static const unsigned char	ec2[16] = { 0xfd, 0x00, 0x0e, 0xc2,
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54 };
	static const unsigned char	nat64[12] = { 0x00, 0x64, 0xff,
	    0x9b };

	if (zeros(b, 16))
		return ("unspecified");
	if (zeros(b, 15) && b[15] == 1)
		return ("loopback");
	/* ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible) */
	if (zeros(b, 10) && ((b[10] == 0xff && b[11] == 0xff) ||
	    (b[10] == 0 && b[11] == 0)))
		return (v4_class(v4_at(b + 12)));
	/* NAT64 (64:ff9b::/96) reaches the IPv4 address it carries. */
	if (memcmp(b, nat64, sizeof(nat64)) == 0)
		return (v4_class(v4_at(b + 12)));
	if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b &&
	    b[4] == 0x00 && b[5] == 0x01)
		return ("private");		/* 64:ff9b:1::/48 */
	if (b[0] == 0x20 && b[1] == 0x02)	/* 6to4 */
		return (v4_class(v4_at(b + 2)));
	if (memcmp(b, ec2, sizeof(ec2)) == 0)
		return ("cloud metadata");
	if ((b[0] & 0xfe) == 0xfc)
		return ("private");		/* fc00::/7 */
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
		return ("link-local");		/* fe80::/10 */
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
		return ("private");		/* fec0::/10, site-local */
	if (b[0] == 0xff)
		return ("multicast");
	return (NULL);
}

const char *
pgl_addr_class(const struct sockaddr *sa)
{
	const struct sockaddr_in	*s4;
	const struct sockaddr_in6	*s6;

	switch (sa->sa_family) {
	case AF_INET:
		s4 = (const struct sockaddr_in *)(const void *)sa;
		return (v4_class(ntohl(s4->sin_addr.s_addr)));
	case AF_INET6:
		s6 = (const struct sockaddr_in6 *)(const void *)sa;
		return (v6_class(s6->sin6_addr.s6_addr));
	default:
		return ("not an IP address");
	}
}

const char *
pgl_host_class(const char *host)
{
	char		name[256];
	struct in_addr	a4;
	struct in6_addr	a6;
	size_t		len, i;

	if (host[0] == '[') {
		host++;
		if ((len = strlen(host)) == 0 || host[len - 1] != ']')
			return ("not a host");
		len--;
	} else
		len = strlen(host);
	if (len == 0 || len >= sizeof(name))
		return ("not a host");
	for (i = 0; i < len; i++)
		name[i] = (char)tolower((unsigned char)host[i]);
	name[len] = '\0';
	if (inet_pton(AF_INET6, name, &a6) == 1)
		return (v6_class(a6.s6_addr));
	/* One trailing dot names the same host ("localhost."). */
	if (len > 1 && name[len - 1] == '.')
		name[--len] = '\0';
	/* inet_aton takes what resolvers take: "127.1", "0x7f.1",
	 * "2130706433", "0177.0.0.1". */
	if (inet_aton(name, &a4) == 1)
		return (v4_class(ntohl(a4.s_addr)));
	if (strcmp(name, "localhost") == 0 || (len > 10 &&
	    strcmp(name + len - 10, ".localhost") == 0) ||
	    strcmp(name, "localhost.localdomain") == 0)
		return ("loopback");
	for (i = 0; i < sizeof(metadata_names) / sizeof(metadata_names[0]);
	    i++) {
		if (strcmp(name, metadata_names[i]) == 0)
			return ("cloud metadata");
	}
	return (NULL);
}

const char *
pgl_endpoint_check(const char *url, char *const *allowed, size_t n)
{
	struct pgl_origin	o;

	if (pgl_origin_parse(url, &o) == -1)
		return ("not an origin");
	if (pgl_origin_listed(url, allowed, n))
		return (NULL);
	return (pgl_host_class(o.host));
}
