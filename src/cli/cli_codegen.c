/*
 * generate-code CATALOG --client pyiceberg|spark|trino|iceberg-js
 * [--auth token|oauth|none] [--client-id ID --client-secret SECRET]:
 * what a client needs to reach one catalog, as the server serves it
 * (README "Pointing an Iceberg client at it"): the REST uri is the
 * server's root (clients add /v1 and the prefix from /v1/config), the
 * warehouse is the catalog's name, a bearer token is the profile's, and
 * OAuth2 client credentials (a service user's id and API key) are
 * exchanged at /v1/oauth/tokens.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

enum auth { AUTH_NONE, AUTH_TOKEN, AUTH_OAUTH };

struct gen {
	const char	*catalog;	/* the warehouse clients ask for */
	char		 ident[128];	/* the catalog as an identifier */
	char		 base[512];	/* server root, no trailing '/' */
	enum auth	 auth;
	const char	*token;
	char		 credential[1024];	/* id:secret */
	char		 oauth_uri[600];
};

/* A string literal valid in Python and JavaScript alike (JSON's). */
static char *
lit(const char *s)
{
	json_t	*j = json_string(s);
	char	*out = j != NULL ? json_dumps(j, JSON_ENCODE_ANY) : NULL;

	json_decref(j);
	return (out);
}

static void
py_line(FILE *f, const char *key, const char *val)
{
	char	*k = lit(key), *v = lit(val);

	if (k != NULL && v != NULL)
		fprintf(f, "        %s: %s,\n", k, v);
	free(k);
	free(v);
}

static void
gen_pyiceberg(FILE *f, const struct gen *g)
{
	char	*name = lit(g->ident);

	fprintf(f, "from pyiceberg.catalog import load_catalog\n\n"
	    "catalog = load_catalog(\n    %s,\n    **{\n",
	    name != NULL ? name : "\"pangolin\"");
	free(name);
	py_line(f, "type", "rest");
	py_line(f, "uri", g->base);
	py_line(f, "warehouse", g->catalog);
	if (g->auth == AUTH_TOKEN)
		py_line(f, "token", g->token);
	if (g->auth == AUTH_OAUTH) {
		py_line(f, "credential", g->credential);
		py_line(f, "oauth2-server-uri", g->oauth_uri);
	}
	fprintf(f, "    },\n)\nprint(catalog.list_namespaces())\n");
}

static void
spark_conf(FILE *f, const struct gen *g, const char *key, const char *val)
{
	fprintf(f, "  --conf spark.sql.catalog.%s%s%s=%s \\\n", g->ident,
	    *key != '\0' ? "." : "", key, val);
}

static void
gen_spark(FILE *f, const struct gen *g)
{
	fprintf(f, "# Add the Iceberg runtime of your Spark version, e.g.\n"
	    "#   --packages org.apache.iceberg:iceberg-spark-runtime-"
	    "3.5_2.12:<version>\n"
	    "spark-sql \\\n"
	    "  --conf spark.sql.extensions=org.apache.iceberg.spark."
	    "extensions.IcebergSparkSessionExtensions \\\n");
	spark_conf(f, g, "", "org.apache.iceberg.spark.SparkCatalog");
	spark_conf(f, g, "type", "rest");
	spark_conf(f, g, "uri", g->base);
	spark_conf(f, g, "warehouse", g->catalog);
	if (g->auth == AUTH_TOKEN)
		spark_conf(f, g, "token", g->token);
	if (g->auth == AUTH_OAUTH) {
		spark_conf(f, g, "credential", g->credential);
		spark_conf(f, g, "oauth2-server-uri", g->oauth_uri);
	}
	fprintf(f, "  --conf spark.sql.defaultCatalog=%s\n", g->ident);
}

static void
gen_trino(FILE *f, const struct gen *g)
{
	fprintf(f, "# etc/catalog/%s.properties\n"
	    "connector.name=iceberg\n"
	    "iceberg.catalog.type=rest\n"
	    "iceberg.rest-catalog.uri=%s\n"
	    "iceberg.rest-catalog.warehouse=%s\n", g->ident, g->base,
	    g->catalog);
	if (g->auth == AUTH_NONE)
		return;
	fprintf(f, "iceberg.rest-catalog.security=OAUTH2\n");
	if (g->auth == AUTH_TOKEN)
		fprintf(f, "iceberg.rest-catalog.oauth2.token=%s\n", g->token);
	else
		fprintf(f, "iceberg.rest-catalog.oauth2.credential=%s\n"
		    "iceberg.rest-catalog.oauth2.server-uri=%s\n",
		    g->credential, g->oauth_uri);
}

static const char js_oauth[] =
    "async function clientCredentialsToken() {\n"
    "  const r = await fetch(%s, {\n"
    "    method: 'POST',\n"
    "    headers: { 'content-type': "
    "'application/x-www-form-urlencoded' },\n"
    "    body: new URLSearchParams({ grant_type: 'client_credentials', "
    "client_id: %s, client_secret: %s }),\n"
    "  });\n"
    "  if (!r.ok) throw new Error(`token: HTTP ${r.status} "
    "${await r.text()}`);\n"
    "  return (await r.json()).access_token;\n"
    "}\n\n";

static const char js_tail[] =
    "const { namespaces } = await catalog.listNamespaces();\n"
    "const tables = [];\n"
    "for (const ns of namespaces) {\n"
    "  const { identifiers } = await catalog.listTables(ns);\n"
    "  for (const id of identifiers) {\n"
    "    const metadata = await catalog.loadTable(id);\n"
    "    tables.push({ ...id, location: metadata.location });\n"
    "  }\n"
    "}\n"
    "console.log(JSON.stringify({ namespaces, tables }));\n";

static void
gen_icebergjs(FILE *f, const struct gen *g)
{
	char	*base = lit(g->base), *wh = lit(g->catalog), *a = NULL;
	char	*b = NULL, *tok = NULL, *uri = NULL, *colon;
	char	 id[1024];

	fprintf(f, "// npm install iceberg-js; node catalog.mjs\n"
	    "import { IcebergRestCatalog } from 'iceberg-js';\n\n");
	if (g->auth == AUTH_OAUTH) {
		(void)snprintf(id, sizeof(id), "%s", g->credential);
		colon = strchr(id, ':');
		*colon = '\0';
		a = lit(id);
		b = lit(colon + 1);
		uri = lit(g->oauth_uri);
		fprintf(f, js_oauth, uri, a, b);
	}
	if (g->auth == AUTH_TOKEN)
		tok = lit(g->token);
	fprintf(f, "const catalog = new IcebergRestCatalog({\n"
	    "  baseUrl: %s,\n  warehouse: %s,\n", base, wh);
	if (g->auth == AUTH_NONE)
		fprintf(f, "  auth: { type: 'none' },\n");
	else if (g->auth == AUTH_TOKEN)
		fprintf(f, "  auth: { type: 'bearer', token: %s },\n", tok);
	else
		fprintf(f, "  auth: { type: 'bearer', token: await "
		    "clientCredentialsToken() },\n");
	fprintf(f, "});\n\n%s", js_tail);
	free(base);
	free(wh);
	free(a);
	free(b);
	free(tok);
	free(uri);
}

static const struct generator {
	const char	*client;
	void		(*emit)(FILE *, const struct gen *);
} generators[] = {
	{ "pyiceberg", gen_pyiceberg },
	{ "spark", gen_spark },
	{ "trino", gen_trino },
	{ "iceberg-js", gen_icebergjs },
	{ NULL, NULL }
};

/* Fills g from the flags; a message and -1 when they do not fit. */
static int
settle(const struct cli *c, struct gen *g)
{
	const char	*auth = cli_opt(c, "auth");
	const char	*id = cli_opt(c, "client-id");
	const char	*secret = cli_opt(c, "client-secret");
	size_t		 i, n;

	memset(g, 0, sizeof(*g));
	g->catalog = c->argv[1];
	for (i = 0; g->catalog[i] != '\0' && i + 1 < sizeof(g->ident); i++)
		g->ident[i] = isalnum((unsigned char)g->catalog[i]) ?
		    g->catalog[i] : '_';
	(void)snprintf(g->base, sizeof(g->base), "%s", c->url);
	n = strlen(g->base);
	while (n > 0 && g->base[n - 1] == '/')
		g->base[--n] = '\0';
	(void)snprintf(g->oauth_uri, sizeof(g->oauth_uri),
	    "%s/v1/oauth/tokens", g->base);
	if (auth == NULL)
		auth = id != NULL ? "oauth" : c->token[0] != '\0' ? "token" :
		    "none";
	g->token = c->token;
	if (strcmp(auth, "none") == 0)
		g->auth = AUTH_NONE;
	else if (strcmp(auth, "token") == 0 && c->token[0] != '\0')
		g->auth = AUTH_TOKEN;
	else if (strcmp(auth, "oauth") == 0 && id != NULL && secret != NULL &&
	    strchr(id, ':') == NULL && (size_t)snprintf(g->credential,
	    sizeof(g->credential), "%s:%s", id, secret) <
	    sizeof(g->credential))
		g->auth = AUTH_OAUTH;
	else {
		fprintf(stderr, "pangolin admin: --auth token needs a token "
		    "(login or --token), --auth oauth needs --client-id and "
		    "--client-secret\n");
		return (-1);
	}
	return (0);
}

/* The catalog exists for the caller, when the caller can ask. */
static int
check_catalog(const struct cli *c, const char *name)
{
	json_t	*body;
	char	 path[1024];
	long	 status;

	if (c->token[0] == '\0')
		return (CLI_OK);
	if (cli_path(path, sizeof(path), "/api/v1/catalogs", name, NULL) == -1)
		return (CLI_USAGE);
	if (cli_http(c, "GET", path, NULL, &status, &body) == -1)
		return (CLI_UNREACHABLE);
	if (status == 200) {
		json_decref(body);
		return (CLI_OK);
	}
	return (cli_result(c, status, body, 1));
}

static int
emit(const struct cli *c, const struct generator *gn, const struct gen *g)
{
	char	*text = NULL;
	size_t	 len = 0;
	FILE	*f;
	int	 rc = CLI_OK;

	if ((f = open_memstream(&text, &len)) == NULL)
		return (CLI_FAILED);
	gn->emit(f, g);
	if (fclose(f) != 0) {
		free(text);
		return (CLI_FAILED);
	}
	if (c->json)
		rc = cli_result(c, 200, json_pack("{s:s,s:s,s:s,s:s}",
		    "client", gn->client, "catalog", g->catalog, "auth",
		    g->auth == AUTH_NONE ? "none" : g->auth == AUTH_TOKEN ?
		    "token" : "oauth", "snippet", text), 0);
	else
		fputs(text, stdout);
	free(text);
	return (rc);
}

int
cli_cmd_codegen(struct cli *c)
{
	const struct generator	*gn;
	const char		*client = cli_opt(c, "client");
	struct gen		 g;
	int			 rc;

	if (c->argc != 2 || client == NULL)
		return (CLI_USAGE);
	for (gn = generators; gn->client != NULL; gn++)
		if (strcmp(gn->client, client) == 0)
			break;
	if (gn->client == NULL || settle(c, &g) == -1)
		return (CLI_USAGE);
	if ((rc = check_catalog(c, g.catalog)) != CLI_OK)
		return (rc);
	return (emit(c, gn, &g));
}
