/*
 * pangolin admin: a command-line client of the admin API, in the same
 * binary as the server.  main.c hands it argv before any server setup.
 */
#ifndef PGL_CLI_H
#define PGL_CLI_H

#include <jansson.h>

/* Exit codes: the contract scripts rely on. */
#define CLI_OK		0
#define CLI_FAILED	1	/* task failed or cancelled, or an API error */
#define CLI_USAGE	2
#define CLI_UNREACHABLE	3	/* no answer, or 401/403 */

struct cli {
	char		 url[512];
	char		 token[4096];
	int		 json;		/* --output json */
	int		 wait;		/* --wait */
	const char	*catalog;	/* --catalog */
	const char	*data;		/* --data JSON body */
	const char	*tenant;	/* --tenant (login) */
	const char	*config;	/* -c, --config TOML (backup) */
	long long	 older_than_ms;
	long long	 retain_last;
	int		 dry_run;
	int		 argc;		/* positional arguments left */
	char		**argv;
};

int	pgl_cli_main(int, char **);

/* cli_config.c */
int	cli_parse(struct cli *, int, char **);
int	cli_config_path(char *, size_t);
int	cli_config_save(const struct cli *);

/* cli_http.c: -1 when the server gave no answer; *out may be NULL. */
int	cli_http(const struct cli *, const char *, const char *, json_t *,
	    long *, json_t **);
int	cli_result(const struct cli *, long, json_t *, int);

/* cli_progress.c */
void	cli_progress(const json_t *, int);
void	cli_progress_end(int);

/* Command areas. */
int	cli_cmd_login(struct cli *);
int	cli_cmd_resource(struct cli *, const char *);
int	cli_cmd_task(struct cli *);
int	cli_cmd_maintenance(struct cli *);
int	cli_cmd_merge(struct cli *);
int	cli_cmd_backup(struct cli *);
int	cli_task_wait(struct cli *, const char *);

#endif
