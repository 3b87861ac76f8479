/*
 * completion bash: a bash completion script made from dispatch's own
 * table (c->areas, handed over by cli_main.c, so nothing here points back
 * at it) and the parser's flag list, so it cannot name a verb the binary
 * lacks.  Install it as
 * /usr/share/bash-completion/completions/pangolin, or eval it:
 *	eval "$(pangolin admin completion bash)"
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char head[] =
    "# bash completion for pangolin (pangolin admin completion bash)\n"
    "_pangolin() {\n"
    "    local cur prev i w area= verb= skip=0\n"
    "    cur=\"${COMP_WORDS[COMP_CWORD]}\"\n"
    "    prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
    "    COMPREPLY=()\n"
    "    if [ \"$COMP_CWORD\" -eq 1 ]; then\n"
    "        COMPREPLY=($(compgen -W \"admin\" -- \"$cur\"))\n"
    "        return 0\n"
    "    fi\n"
    "    [ \"${COMP_WORDS[1]}\" = admin ] || return 0\n";

/* The area and verb: the first two words after admin that are not flags. */
static const char words[] =
    "    for ((i = 2; i < COMP_CWORD; i++)); do\n"
    "        w=\"${COMP_WORDS[i]}\"\n"
    "        if [ \"$skip\" -eq 1 ]; then skip=0; continue; fi\n"
    "        case \" $bools \" in *\" $w \"*) continue ;; esac\n"
    "        case \"$w\" in -c) skip=1; continue ;; --*) skip=1; "
    "continue ;; esac\n"
    "        if [ -z \"$area\" ]; then area=\"$w\"\n"
    "        elif [ -z \"$verb\" ]; then verb=\"$w\"; fi\n"
    "    done\n";

static const char values[] =
    "    case \"$prev\" in\n"
    "        --output) COMPREPLY=($(compgen -W \"json text\" -- \"$cur\"));"
    " return 0 ;;\n"
    "        --client) COMPREPLY=($(compgen -W \"pyiceberg spark trino "
    "iceberg-js\" -- \"$cur\")); return 0 ;;\n"
    "        --auth) COMPREPLY=($(compgen -W \"token oauth none\" -- "
    "\"$cur\")); return 0 ;;\n"
    "        -c|--config) COMPREPLY=($(compgen -f -- \"$cur\")); "
    "return 0 ;;\n"
    /* The names, from the binary itself (the file's format is its own). */
    "        --profile) COMPREPLY=($(compgen -W \"$(\"${COMP_WORDS[0]}\" "
    "admin profiles list --output json 2>/dev/null | grep -o "
    "'\"name\":\"[^\"]*\"' | cut -d'\"' -f4)\" -- \"$cur\")); "
    "return 0 ;;\n"
    "    esac\n"
    "    case \" $bools \" in *\" $prev \"*) ;; *)\n"
    "        case \"$prev\" in --*) return 0 ;; esac ;;\n"
    "    esac\n"
    "    case \"$cur\" in --*|-) COMPREPLY=($(compgen -W \"$flags\" -- "
    "\"$cur\")); return 0 ;; esac\n";

static const char tail[] =
    "        COMPREPLY=($(compgen -W \"$verbs\" -- \"$cur\"))\n"
    "    elif [ \"$area\" = access-requests ] && [ \"$verb\" = review ]; "
    "then\n"
    "        COMPREPLY=($(compgen -W \"approve deny\" -- \"$cur\"))\n"
    "    elif [ \"$area\" = backup ]; then\n"
    "        COMPREPLY=($(compgen -f -- \"$cur\"))\n"
    "    fi\n"
    "    return 0\n"
    "}\n"
    "complete -F _pangolin pangolin\n";

static void
bash(FILE *f, const struct cli_area *areas)
{
	const struct cli_area	*a;

	fputs(head, f);
	fprintf(f, "    local flags=\"%s\"\n    local bools=\"%s\"\n",
	    cli_flags, cli_bool_flags);
	fputs(words, f);
	fputs(values, f);
	fprintf(f, "    local areas=\"");
	for (a = areas; a->name != NULL; a++)
		fprintf(f, "%s%s", a == areas ? "" : " ", a->name);
	fprintf(f, "\"\n    if [ -z \"$area\" ]; then\n"
	    "        COMPREPLY=($(compgen -W \"$areas\" -- \"$cur\"))\n"
	    "        return 0\n    fi\n"
	    "    if [ -z \"$verb\" ]; then\n        local verbs=\n"
	    "        case \"$area\" in\n");
	for (a = areas; a->name != NULL; a++)
		if (a->verbs[0] != '\0')
			fprintf(f, "            %s) verbs=\"%s\" ;;\n",
			    a->name, a->verbs);
	fprintf(f, "        esac\n");
	fputs(tail, f);
}

/* The script as it is, or inside {"shell","script"} for --output json. */
int
cli_cmd_completion(struct cli *c)
{
	char	*text = NULL;
	size_t	 len = 0;
	FILE	*f;
	int	 rc;

	if (c->argc != 2 || strcmp(c->argv[1], "bash") != 0)
		return (CLI_USAGE);
	if ((f = open_memstream(&text, &len)) == NULL)
		return (CLI_FAILED);
	bash(f, c->areas);
	if (fclose(f) != 0) {
		free(text);
		return (CLI_FAILED);
	}
	if (c->json)
		rc = cli_result(c, 200, json_pack("{s:s,s:s}", "shell", "bash",
		    "script", text), 0);
	else
		rc = fputs(text, stdout) == EOF ? CLI_FAILED : CLI_OK;
	free(text);
	return (rc);
}
