/*
 * --wait output: a redrawn bar on a terminal, one plain line per change
 * otherwise (a pipe or a log file should not fill with carriage returns).
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

#define BAR_WIDTH	30

void
cli_progress(const json_t *task, int tty)
{
	static char	 last[256];
	const json_t	*p = json_object_get(task, "progress");
	const char	*status, *phase;
	json_int_t	 done, total;
	char		 line[256], bar[BAR_WIDTH + 1];
	int		 i, fill, pct;

	status = json_string_value(json_object_get(task, "status"));
	phase = json_string_value(json_object_get(p, "phase"));
	done = json_integer_value(json_object_get(p, "done"));
	total = json_integer_value(json_object_get(p, "total"));
	pct = total > 0 ? (int)(done * 100 / total) : 0;
	if (status != NULL && strcmp(status, "succeeded") == 0)
		pct = 100;
	if (pct > 100)
		pct = 100;
	if (tty) {
		fill = pct * BAR_WIDTH / 100;
		for (i = 0; i < BAR_WIDTH; i++)
			bar[i] = i < fill ? '#' : '-';
		bar[BAR_WIDTH] = '\0';
		fprintf(stderr, "\r[%s] %3d%% %-10s %s", bar, pct,
		    status != NULL ? status : "?", phase != NULL ? phase : "");
		fflush(stderr);
		return;
	}
	(void)snprintf(line, sizeof(line), "task %s: %s %lld/%lld %s",
	    json_string_value(json_object_get(task, "id")) != NULL ?
	    json_string_value(json_object_get(task, "id")) : "?",
	    status != NULL ? status : "?", (long long)done, (long long)total,
	    phase != NULL ? phase : "");
	if (strcmp(line, last) != 0) {
		fprintf(stderr, "%s\n", line);
		(void)snprintf(last, sizeof(last), "%s", line);
	}
}

void
cli_progress_end(int tty)
{
	if (tty)
		fprintf(stderr, "\n");
}
