/*
 * Outbound HTTP over libcurl, one easy handle per call: the calls are
 * rare (a key set refreshed, a login's code exchanged), so a kept
 * connection would buy little and hold a descriptor per worker.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "util/httpc.h"

struct sink {
	char	*buf;
	size_t	 len, max;
	int	 over;
};

int
pgl_httpc_init(void)
{
	return (curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1);
}

static size_t
collect(char *data, size_t size, size_t n, void *arg)
{
	struct sink	*s = arg;
	size_t		 add = size * n;
	char		*grown;

	if (s->len + add > s->max) {
		s->over = 1;
		return (0);	/* curl stops the transfer */
	}
	if ((grown = realloc(s->buf, s->len + add + 1)) == NULL)
		return (0);
	s->buf = grown;
	memcpy(s->buf + s->len, data, add);
	s->len += add;
	s->buf[s->len] = '\0';
	return (add);
}

static void
setup(CURL *h, const char *url, struct sink *s, char *errbuf)
{
	(void)curl_easy_setopt(h, CURLOPT_URL, url);
	(void)curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	(void)curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	(void)curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	(void)curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)PGL_HTTPC_CONNECT_MS);
	(void)curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)PGL_HTTPC_TOTAL_MS);
	(void)curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	(void)curl_easy_setopt(h, CURLOPT_WRITEDATA, s);
	(void)curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	(void)curl_easy_setopt(h, CURLOPT_USERAGENT, "pangolin");
}

int
pgl_httpc_call(const char *url, const char *form, const char *user,
    const char *password, size_t max, struct pgl_httpc_reply *out,
    char *why, size_t whylen)
{
	struct sink		 s = { NULL, 0, max, 0 };
	struct curl_slist	*hdrs = NULL;
	char			 errbuf[CURL_ERROR_SIZE] = "";
	CURL			*h;
	CURLcode		 rc;

	memset(out, 0, sizeof(*out));
	if ((h = curl_easy_init()) == NULL) {
		(void)snprintf(why, whylen, "out of memory");
		return (-1);
	}
	setup(h, url, &s, errbuf);
	hdrs = curl_slist_append(hdrs, "Accept: application/json");
	(void)curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	if (form != NULL)
		(void)curl_easy_setopt(h, CURLOPT_POSTFIELDS, form);
	if (user != NULL) {
		(void)curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		(void)curl_easy_setopt(h, CURLOPT_USERNAME, user);
		(void)curl_easy_setopt(h, CURLOPT_PASSWORD,
		    password != NULL ? password : "");
	}
	rc = curl_easy_perform(h);
	(void)curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
	curl_easy_cleanup(h);
	curl_slist_free_all(hdrs);
	if (rc != CURLE_OK || s.over) {
		(void)snprintf(why, whylen, "%s", s.over ? "answer too large" :
		    errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc));
		free(s.buf);
		return (-1);
	}
	out->body = s.buf != NULL ? s.buf : strdup("");
	out->len = s.len;
	if (out->body == NULL) {
		(void)snprintf(why, whylen, "out of memory");
		return (-1);
	}
	return (0);
}

void
pgl_httpc_reply_free(struct pgl_httpc_reply *r)
{
	free(r->body);
	r->body = NULL;
}

char *
pgl_httpc_escape(const char *s)
{
	char	*e, *copy;

	if ((e = curl_easy_escape(NULL, s, 0)) == NULL)
		return (NULL);
	copy = strdup(e);
	curl_free(e);
	return (copy);
}
