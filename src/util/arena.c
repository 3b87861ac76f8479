/*
 * Arena: a linked list of chunks; allocation bumps an offset.  Large
 * requests get a chunk of their own so the common small chunk stays small.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"

#define CHUNK_SIZE	(16 * 1024)
#define ALIGN		16

struct chunk {
	struct chunk	*next;
	size_t		size;
	size_t		used;
	/* Offsets are aligned from here, so this must be aligned too
	 * (struct ice_value holds an __int128). */
	_Alignas(ALIGN) unsigned char data[];
};

struct pgl_arena {
	struct chunk	*head;
	size_t		total;
};

struct pgl_arena *
pgl_arena_new(void)
{
	return (calloc(1, sizeof(struct pgl_arena)));
}

void
pgl_arena_free(struct pgl_arena *a)
{
	struct chunk	*c, *next;

	if (a == NULL)
		return;
	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

static struct chunk *
chunk_new(size_t size)
{
	struct chunk	*c;

	if ((c = malloc(sizeof(*c) + size)) == NULL)
		return (NULL);
	c->next = NULL;
	c->size = size;
	c->used = 0;
	return (c);
}

void *
pgl_arena_alloc(struct pgl_arena *a, size_t len)
{
	struct chunk	*c;
	size_t		off;

	if (len == 0)
		len = 1;
	if (len > SIZE_MAX - ALIGN)
		return (NULL);
	c = a->head;
	off = c != NULL ? (c->used + ALIGN - 1) & ~(size_t)(ALIGN - 1) : 0;
	if (c == NULL || off + len > c->size) {
		if ((c = chunk_new(len > CHUNK_SIZE / 4 ? len : CHUNK_SIZE))
		    == NULL)
			return (NULL);
		/* A big private chunk goes behind the head so the head
		 * keeps serving small allocations. */
		if (a->head != NULL && len > CHUNK_SIZE / 4) {
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
		off = 0;
	}
	c->used = off + len;
	a->total += len;
	return (c->data + off);
}

char *
pgl_arena_strndup(struct pgl_arena *a, const char *s, size_t len)
{
	char	*p;

	if (s == NULL)
		return (NULL);
	if ((p = pgl_arena_alloc(a, len + 1)) == NULL)
		return (NULL);
	memcpy(p, s, len);
	p[len] = '\0';
	return (p);
}

char *
pgl_arena_strdup(struct pgl_arena *a, const char *s)
{
	if (s == NULL)
		return (NULL);
	return (pgl_arena_strndup(a, s, strlen(s)));
}

char *
pgl_arena_printf(struct pgl_arena *a, const char *fmt, ...)
{
	va_list		ap;
	int		len;
	char		*p;

	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0 || (p = pgl_arena_alloc(a, (size_t)len + 1)) == NULL)
		return (NULL);
	va_start(ap, fmt);
	(void)vsnprintf(p, (size_t)len + 1, fmt, ap);
	va_end(ap);
	return (p);
}

size_t
pgl_arena_used(const struct pgl_arena *a)
{
	return (a->total);
}
