/*
 * pangolin admin backup FILE: an online copy of the SQLite store with
 * the backup API, so a server may keep serving (and writing) meanwhile.
 * The store path comes from the TOML config, as the server reads it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "cli/cli.h"
#include "config/config.h"

#define PAGES_PER_STEP	256

static int
copy(const char *from, const char *to)
{
	sqlite3		*src = NULL, *dst = NULL;
	sqlite3_backup	*b;
	int		 rc;

	if (sqlite3_open_v2(from, &src, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK || sqlite3_open(to, &dst) != SQLITE_OK) {
		fprintf(stderr, "pangolin admin backup: %s\n",
		    sqlite3_errmsg(src != NULL && dst == NULL ? src : dst));
		sqlite3_close(src);
		sqlite3_close(dst);
		return (CLI_FAILED);
	}
	(void)sqlite3_busy_timeout(src, 5000);
	if ((b = sqlite3_backup_init(dst, "main", src, "main")) == NULL) {
		fprintf(stderr, "pangolin admin backup: %s\n",
		    sqlite3_errmsg(dst));
		sqlite3_close(src);
		sqlite3_close(dst);
		return (CLI_FAILED);
	}
	/* Steps release the read lock between them; writers get through. */
	do {
		rc = sqlite3_backup_step(b, PAGES_PER_STEP);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			usleep(50 * 1000);
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	(void)sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE)
		fprintf(stderr, "pangolin admin backup: %s\n",
		    sqlite3_errstr(rc));
	sqlite3_close(src);
	sqlite3_close(dst);
	return (rc == SQLITE_DONE ? CLI_OK : CLI_FAILED);
}

int
cli_cmd_backup(struct cli *c)
{
	struct pgl_config_error	 err;
	struct pgl_config	*cfg;
	const char		*path, *plugin;
	char			 line[768];
	int			 rc;

	if (c->config == NULL)
		c->config = getenv("PANGOLIN_CONFIG");
	if (c->argc != 2 || c->config == NULL)
		return (CLI_USAGE);
	if ((cfg = pgl_config_load(c->config, &err)) == NULL) {
		pgl_config_error_format(&err, line, sizeof(line));
		fprintf(stderr, "pangolin admin backup: config: %s\n", line);
		return (CLI_USAGE);
	}
	plugin = cfg->store.plugin != NULL ? cfg->store.plugin : "";
	path = pgl_config_opt(&cfg->store, "path");
	if (strstr(plugin, "store-sqlite") == NULL || path == NULL) {
		fprintf(stderr, "pangolin admin backup: the store is not "
		    "SQLite with a path\n");
		pgl_config_free(cfg);
		return (CLI_USAGE);
	}
	rc = copy(path, c->argv[1]);
	/* A file name may hold a quote: JSON through jansson, not printf. */
	if (rc == CLI_OK && c->json)
		(void)cli_result(c, 200, json_pack("{s:s}", "backup",
		    c->argv[1]), 0);
	else if (rc == CLI_OK)
		printf("backed up to %s\n", c->argv[1]);
	pgl_config_free(cfg);
	return (rc);
}
