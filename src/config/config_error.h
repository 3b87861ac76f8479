/*
 * Where a configuration is wrong: the file and line (0 when not from a
 * file, e.g. a variable), the key, and why.
 */
#ifndef PGL_CONFIG_ERROR_H
#define PGL_CONFIG_ERROR_H

struct pgl_config_error {
	char	file[256];
	int	line;			/* 0 when not from a file */
	char	key[128];
	char	reason[256];
};

#endif
