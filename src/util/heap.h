#ifndef PGL_HEAP_H
#define PGL_HEAP_H

/*
 * Keep the memory a request frees for the next request.  Call once,
 * before the workers fork; a GLIBC_TUNABLES that names malloc wins.
 */
void	pgl_heap_tune(void);

#endif
