/*
 * pangolin admin: a command-line client of the admin API, in the same
 * binary as the server.  main.c hands it argv before any server setup.
 */
#ifndef PGL_CLI_H
#define PGL_CLI_H

#include <stddef.h>

#include <jansson.h>

/* Exit codes: the contract scripts rely on. */
#define CLI_OK		0
#define CLI_FAILED	1	/* task failed or cancelled, or an API error */
#define CLI_USAGE	2
#define CLI_UNREACHABLE	3	/* no answer, or 401/403 */

/* Flags taking a value that are passed through by name (cli_opt). */
#define CLI_MAX_OPTS	24

struct cli_opt {
	const char	*name;		/* without the leading "--" */
	const char	*value;
};

struct cli_area;

struct cli {
	char		 url[512];
	char		 token[4096];
	char		 tenant_ctx[64];	/* X-Pangolin-Tenant (profile) */
	const char	*profile;	/* --profile, else "default" */
	int		 token_from_profile;	/* rotate/logout update it */
	int		 json;		/* --output json */
	int		 wait;		/* --wait */
	int		 clear;		/* --clear (use) */
	const char	*catalog;	/* --catalog */
	const char	*data;		/* --data JSON body */
	const char	*tenant;	/* --tenant (login; else the header) */
	const char	*config;	/* -c, --config TOML (backup) */
	long long	 older_than_ms;
	long long	 retain_last;
	int		 dry_run;
	struct cli_opt	 opts[CLI_MAX_OPTS];
	int		 nopts;
	int		 argc;		/* positional arguments left */
	char		**argv;
	/* Dispatch's table, handed to the command it runs: completion
	 * lists its areas and verbs (cli_main.c owns it). */
	const struct cli_area	*areas;
};

int	pgl_cli_main(int, char **);

/* cli_config.c */
int		 cli_parse(struct cli *, int, char **);
const char	*cli_opt(const struct cli *, const char *);

/* cli_profiles.c: $XDG_CONFIG_HOME/pangolin/cli.json, one entry a name. */
int	cli_config_path(char *, size_t);
void	cli_profile_load(struct cli *, int, int);
int	cli_profile_save(const struct cli *);
int	cli_profile_set_token(const struct cli *);
int	cli_cmd_profiles(struct cli *);
int	cli_cmd_use(struct cli *);

/* cli_http.c: -1 when the server gave no answer; *out may be NULL. */
int	cli_http(const struct cli *, const char *, const char *, json_t *,
	    long *, json_t **);
int	cli_result(const struct cli *, long, json_t *, int);
int	cli_call(const struct cli *, const char *, const char *, json_t *);
void	cli_print_json(const json_t *);

/* cli_path.c: URLs with escaped segments and query strings. */
int	cli_path(char *, size_t, const char *, const char *, const char *);
int	cli_query(char *, size_t, const char *, const char *);

/* cli_body.c: key=value / key:=json words, or --data. */
json_t	*cli_words(const struct cli *, int, json_t *);
json_t	*cli_body(const struct cli *, int);

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
int	cli_cmd_permissions(struct cli *);
int	cli_cmd_tokens(struct cli *);
int	cli_cmd_user_roles(struct cli *);
int	cli_cmd_rotate(struct cli *);
int	cli_cmd_audit(struct cli *);
int	cli_cmd_search(struct cli *);
int	cli_cmd_access(struct cli *);
int	cli_cmd_metadata(struct cli *);
int	cli_cmd_federated(struct cli *);
int	cli_cmd_namespaces(struct cli *);
int	cli_cmd_codegen(struct cli *);
int	cli_cmd_completion(struct cli *);
int	cli_cmd_dashboard(struct cli *);
int	cli_cmd_settings(struct cli *);
int	cli_cmd_cache(struct cli *);
int	cli_cmd_validate(struct cli *);
int	cli_cmd_assets(struct cli *);
int	cli_cmd_webhooks(struct cli *);
int	cli_cmd_events(struct cli *);
/* Data policies (issue 46): cli_policies.c. */
int	cli_cmd_policies(struct cli *);
/* cli_functions.c: SQL functions (issue 70) */
int	cli_cmd_functions(struct cli *);
/* cli_dropped.c: undrop's list and restore */
int	cli_cmd_dropped(struct cli *);
int	cli_cmd_whoami(struct cli *);
int	cli_cmd_logout(struct cli *);
int	cli_cmd_token_session(struct cli *);
int	cli_cmd_merge_preview(struct cli *);
int	cli_task_wait(struct cli *, const char *);

/* Dispatch's table (cli_main.c), which completion reads in c->areas. */
struct cli_area {
	const char	*name;
	const char	*verbs;		/* space-separated, for completion */
	int		(*run)(struct cli *);
};
extern const char		*cli_flags;	/* every flag */
extern const char		*cli_bool_flags;	/* those without a value */

#endif
