#ifndef PGL_PASSWORD_H
#define PGL_PASSWORD_H

#include <stddef.h>

/* Secrets shorter than 12 bytes or on the known-weak list are refused. */
int	pgl_password_is_weak(const char *);
/* Constant-time comparison, for credentials. */
int	pgl_secret_equal(const char *, const char *);

#endif
