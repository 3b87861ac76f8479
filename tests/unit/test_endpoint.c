/* Endpoint checks (src/storage/endpoint.c): every refused range. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "storage/endpoint.h"

static const char *
v4(const char *text)
{
	struct sockaddr_in	sa;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, text, &sa.sin_addr), 1);
	return (pgl_addr_class((struct sockaddr *)&sa));
}

static const char *
v6(const char *text)
{
	struct sockaddr_in6	sa;

	memset(&sa, 0, sizeof(sa));
	sa.sin6_family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, text, &sa.sin6_addr), 1);
	return (pgl_addr_class((struct sockaddr *)&sa));
}

#define IS(got, want)	assert_string_equal((got) != NULL ? (got) : "NULL", \
			    (want))

static void
test_ipv4_ranges(void **state)
{
	(void)state;
	IS(v4("127.0.0.1"), "loopback");
	IS(v4("127.255.255.254"), "loopback");
	IS(v4("10.0.0.1"), "private");
	IS(v4("10.255.255.255"), "private");
	IS(v4("172.16.0.1"), "private");
	IS(v4("172.31.255.255"), "private");
	IS(v4("192.168.1.1"), "private");
	IS(v4("100.64.0.1"), "shared (CGNAT)");
	IS(v4("100.127.255.255"), "shared (CGNAT)");
	IS(v4("169.254.0.1"), "link-local");
	IS(v4("169.254.169.254"), "cloud metadata");
	IS(v4("169.254.170.2"), "cloud metadata");
	IS(v4("100.100.100.200"), "cloud metadata");
	IS(v4("0.0.0.0"), "unspecified");
	IS(v4("0.1.2.3"), "unspecified");
	IS(v4("224.0.0.1"), "multicast");
	IS(v4("255.255.255.255"), "reserved");
	/* Just outside each range. */
	assert_null(v4("172.15.255.255"));
	assert_null(v4("172.32.0.0"));
	assert_null(v4("100.63.255.255"));
	assert_null(v4("100.128.0.0"));
	assert_null(v4("11.0.0.1"));
	assert_null(v4("192.169.0.1"));
	assert_null(v4("169.253.255.255"));
	assert_null(v4("128.0.0.1"));
	assert_null(v4("52.216.0.1"));
}

static void
test_ipv6_ranges(void **state)
{
	(void)state;
	IS(v6("::1"), "loopback");
	IS(v6("::"), "unspecified");
	IS(v6("fc00::1"), "private");
	IS(v6("fdff:ffff::1"), "private");
	IS(v6("fd00:ec2::254"), "cloud metadata");
	IS(v6("fe80::1"), "link-local");
	IS(v6("febf::1"), "link-local");
	IS(v6("fec0::1"), "private");
	IS(v6("ff02::1"), "multicast");
	/* IPv4 inside IPv6. */
	IS(v6("::ffff:127.0.0.1"), "loopback");
	IS(v6("::ffff:7f00:1"), "loopback");
	IS(v6("::ffff:10.1.2.3"), "private");
	IS(v6("::ffff:169.254.169.254"), "cloud metadata");
	IS(v6("::ffff:0.0.0.0"), "unspecified");
	IS(v6("::127.0.0.1"), "loopback");
	IS(v6("64:ff9b::127.0.0.1"), "loopback");
	IS(v6("64:ff9b::a9fe:a9fe"), "cloud metadata");
	IS(v6("2002:7f00:1::1"), "loopback");
	IS(v6("2002:c0a8:101::1"), "private");
	assert_null(v6("::ffff:8.8.8.8"));
	assert_null(v6("2001:db8::1"));
	assert_null(v6("2600:1f18::1"));
	assert_null(v6("fbff::1"));
	assert_null(v6("fe00::1"));
}

static void
test_hosts_as_written(void **state)
{
	(void)state;
	IS(pgl_host_class("localhost"), "loopback");
	IS(pgl_host_class("LOCALHOST."), "loopback");
	IS(pgl_host_class("bucket.localhost"), "loopback");
	IS(pgl_host_class("127.1"), "loopback");
	IS(pgl_host_class("2130706433"), "loopback");
	IS(pgl_host_class("0x7f000001"), "loopback");
	IS(pgl_host_class("0177.0.0.1"), "loopback");
	IS(pgl_host_class("127.0.0.1."), "loopback");
	IS(pgl_host_class("[::1]"), "loopback");
	IS(pgl_host_class("::ffff:127.0.0.1"), "loopback");
	IS(pgl_host_class("[::ffff:a9fe:a9fe]"), "cloud metadata");
	IS(pgl_host_class("0"), "unspecified");
	IS(pgl_host_class("metadata.google.internal"), "cloud metadata");
	IS(pgl_host_class("Metadata.Google.Internal."), "cloud metadata");
	IS(pgl_host_class("169.254.169.254"), "cloud metadata");
	IS(pgl_host_class("10.0.0.1"), "private");
	assert_null(pgl_host_class("s3.amazonaws.com"));
	assert_null(pgl_host_class("localhost.example.com"));
	assert_null(pgl_host_class("8.8.8.8"));
}

static void
test_origins(void **state)
{
	struct pgl_origin	o;

	(void)state;
	assert_int_equal(pgl_origin_parse("http://127.0.0.1:9000", &o), 0);
	assert_string_equal(o.host, "127.0.0.1");
	assert_int_equal(o.port, 9000);
	assert_int_equal(pgl_origin_parse("https://S3.Example.com", &o), 0);
	assert_string_equal(o.host, "s3.example.com");
	assert_int_equal(o.port, 443);
	assert_int_equal(pgl_origin_parse("http://[::1]:80", &o), 0);
	assert_string_equal(o.host, "::1");
	assert_int_equal(pgl_origin_parse("http://[::1]", &o), 0);
	assert_int_equal(pgl_origin_parse("ftp://host", &o), -1);
	assert_int_equal(pgl_origin_parse("http://", &o), -1);
	assert_int_equal(pgl_origin_parse("http://host/", &o), -1);
	assert_int_equal(pgl_origin_parse("http://host:0", &o), -1);
	assert_int_equal(pgl_origin_parse("http://host:65536", &o), -1);
	assert_int_equal(pgl_origin_parse("http://host:+80", &o), -1);
	assert_int_equal(pgl_origin_parse("http://u@host", &o), -1);
	assert_int_equal(pgl_origin_parse("http://host%2e", &o), -1);
	assert_int_equal(pgl_origin_parse("http://[::1", &o), -1);
	assert_int_equal(pgl_origin_parse("http://[::1]x", &o), -1);
	assert_int_equal(pgl_origin_parse("http://[nothex]:1", &o), -1);
	assert_int_equal(pgl_origin_parse("http://a:b:1", &o), -1);
}

static void
test_allow_list(void **state)
{
	char	*list[] = { "http://127.0.0.1:9000", "http://[::1]:9000",
		    "https://localhost" };

	(void)state;
	assert_null(pgl_endpoint_check("http://127.0.0.1:9000", list, 3));
	assert_null(pgl_endpoint_check("http://[::1]:9000", list, 3));
	assert_null(pgl_endpoint_check("https://LOCALHOST:443", list, 3));
	assert_null(pgl_endpoint_check("https://s3.example.com", list, 3));
	/* Exactly the origin: another port, scheme or form is not it. */
	IS(pgl_endpoint_check("http://127.0.0.1:9001", list, 3), "loopback");
	IS(pgl_endpoint_check("https://127.0.0.1:9000", list, 3), "loopback");
	IS(pgl_endpoint_check("http://127.1:9000", list, 3), "loopback");
	IS(pgl_endpoint_check("http://localhost:9000", list, 3), "loopback");
	IS(pgl_endpoint_check("http://localhost", list, 3), "loopback");
	IS(pgl_endpoint_check("http://169.254.169.254", list, 3),
	    "cloud metadata");
	IS(pgl_endpoint_check("http://[fd00:ec2::254]", list, 3),
	    "cloud metadata");
	IS(pgl_endpoint_check("http://10.0.0.1", NULL, 0), "private");
	IS(pgl_endpoint_check("http://host/path", list, 3), "not an origin");
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_ipv4_ranges),
		cmocka_unit_test(test_ipv6_ranges),
		cmocka_unit_test(test_hosts_as_written),
		cmocka_unit_test(test_origins),
		cmocka_unit_test(test_allow_list),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
