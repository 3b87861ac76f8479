/*
 * One blocking libcurl request per call: JSON in, JSON out.  The status
 * decides the exit code, so callers get it and the parsed body back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "cli/cli.h"

struct body {
	char	*data;
	size_t	 len;
};

static size_t
collect(char *ptr, size_t size, size_t n, void *arg)
{
	struct body	*b = arg;
	size_t		 len = size * n;
	char		*p;

	if ((p = realloc(b->data, b->len + len + 1)) == NULL)
		return (0);
	memcpy(p + b->len, ptr, len);
	b->len += len;
	p[b->len] = '\0';
	b->data = p;
	return (len);
}

int
cli_http(const struct cli *c, const char *method, const char *path,
    json_t *in, long *status, json_t **out)
{
	CURL			*h;
	struct curl_slist	*hdr = NULL;
	struct body		 b = { NULL, 0 };
	char			 url[2048], auth[4200], named[128];
	const char		*tenant;
	char			*text = NULL;
	CURLcode		 rc;

	*status = 0;
	if (out != NULL)
		*out = NULL;
	if ((h = curl_easy_init()) == NULL)
		return (-1);
	(void)snprintf(url, sizeof(url), "%s%s", c->url, path);
	hdr = curl_slist_append(hdr, "Accept: application/json");
	if (c->token[0] != '\0') {
		(void)snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
		    c->token);
		hdr = curl_slist_append(hdr, auth);
	}
	/* Root acts inside a tenant by naming it (pangolin-api §3.2). */
	tenant = c->tenant != NULL ? c->tenant : c->tenant_ctx;
	if (tenant[0] != '\0') {
		(void)snprintf(named, sizeof(named), "X-Pangolin-Tenant: %s",
		    tenant);
		hdr = curl_slist_append(hdr, named);
	}
	if (in != NULL) {
		text = json_dumps(in, JSON_COMPACT);
		hdr = curl_slist_append(hdr, "Content-Type: application/json");
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, text != NULL ?
		    text : "{}");
	} else if (strcmp(method, "POST") == 0)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	rc = curl_easy_perform(h);
	if (rc == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	else
		fprintf(stderr, "pangolin admin: %s: %s\n", c->url,
		    curl_easy_strerror(rc));
	curl_slist_free_all(hdr);
	curl_easy_cleanup(h);
	free(text);
	if (rc == CURLE_OK && out != NULL && b.data != NULL && b.len > 0)
		*out = json_loads(b.data, 0, NULL);
	free(b.data);
	return (rc == CURLE_OK ? 0 : -1);
}

static void
print_text(const json_t *v)
{
	const char	*k;
	json_t		*x;
	size_t		 i;
	char		*s;

	if (json_is_array(v)) {
		json_array_foreach(v, i, x)
			print_text(x);
		return;
	}
	if (!json_is_object(v)) {
		if ((s = json_dumps(v, JSON_ENCODE_ANY)) != NULL)
			printf("%s\n", s);
		free(s);
		return;
	}
	json_object_foreach((json_t *)v, k, x) {
		if (json_is_string(x))
			printf("%s=%s  ", k, json_string_value(x));
		else if ((s = json_dumps(x, JSON_ENCODE_ANY | JSON_COMPACT)) !=
		    NULL) {
			printf("%s=%s  ", k, s);
			free(s);
		}
	}
	printf("\n");
}

void
cli_print_json(const json_t *j)
{
	char	*s;

	s = json_dumps(j != NULL ? j : json_null(), JSON_ENCODE_ANY |
	    JSON_COMPACT);
	printf("%s\n", s != NULL ? s : "null");
	free(s);
}

/* Print the answer and map the status to an exit code; frees body. */
int
cli_result(const struct cli *c, long status, json_t *body, int quiet)
{
	char	*s;
	int	 code = CLI_OK;

	if (status == 401 || status == 403)
		code = CLI_UNREACHABLE;
	else if (status < 200 || status > 299)
		code = CLI_FAILED;
	if (code != CLI_OK) {
		s = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
		fprintf(stderr, "pangolin admin: HTTP %ld%s%s\n", status,
		    s != NULL ? ": " : "", s != NULL ? s : "");
		free(s);
		if (c->json)
			printf("{\"error\":{\"status\":%ld}}\n", status);
	} else if (!quiet) {
		if (c->json)
			cli_print_json(body);
		else if (body != NULL)
			print_text(body);
		else
			printf("ok\n");
	}
	json_decref(body);
	return (code);
}

/* One request, its answer printed: the common verb.  req stays the caller's. */
int
cli_call(const struct cli *c, const char *method, const char *path,
    json_t *req)
{
	json_t	*body;
	long	 status;

	if (cli_http(c, method, path, req, &status, &body) == -1)
		return (CLI_UNREACHABLE);
	return (cli_result(c, status, body, 0));
}
