/*
 * A statement's name, text and parameters: the slot each SQL text is
 * prepared in (one per connection generation), its text with ?N spelled
 * $N, and the binding of a call's arguments by its format letters.
 * Below both ways a statement is sent: awaited (pg_query.c) or ahead
 * (pg_defer.c).
 */
#include <endian.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_store.h"

/* Type OIDs from catalog/pg_type_d.h, which is a server header. */
#define INT8OID		20
#define INT4OID		23
#define TEXTOID		25

static struct stmt_slot *
slot_find(struct pgl_store *s, const char *sql, size_t *index)
{
	size_t	i, n;

	i = ((uintptr_t)sql >> 4) & (STMT_SLOTS - 1);
	for (n = 0; n < STMT_SLOTS; n++) {
		if (s->stmts[i].sql == sql || s->stmts[i].sql == NULL) {
			s->stmts[i].sql = sql;
			*index = i;
			return (&s->stmts[i]);
		}
		i = (i + 1) & (STMT_SLOTS - 1);
	}
	return (NULL);
}

/*
 * SQLite numbers a parameter ?N, PostgreSQL $N; the texts shared with the
 * SQLite store use the first, so the sigil is swapped once, when a text
 * first takes its slot.  Quoted literals and identifiers are copied as
 * they are, and a text already written with $N passes unchanged.
 */
static char *
pg_text(const char *sql)
{
	char	*out, *w, quote = 0;

	if ((out = malloc(strlen(sql) + 1)) == NULL)
		return (NULL);
	for (w = out; *sql != '\0'; sql++, w++) {
		*w = *sql;
		if (quote != 0) {
			if (*sql == quote)
				quote = 0;
		} else if (*sql == '\'' || *sql == '"')
			quote = *sql;
		else if (*sql == '?' && sql[1] >= '0' && sql[1] <= '9')
			*w = '$';
	}
	*w = '\0';
	return (out);
}

void
store_finalize(struct pgl_store *s)
{
	size_t	i;

	for (i = 0; i < STMT_SLOTS; i++) {
		free(s->stmts[i].text);
		s->stmts[i].text = NULL;
		s->stmts[i].sql = NULL;
		s->stmts[i].gen = 0;
	}
}

static void
bind_int8(struct pg_params *p, int64_t v)
{
	p->i8[p->n] = htobe64((uint64_t)v);
	p->types[p->n] = INT8OID;
	p->values[p->n] = (const char *)&p->i8[p->n];
	p->lengths[p->n] = 8;
	p->formats[p->n++] = 1;
}

static void
bind_int4(struct pg_params *p, int v)
{
	p->i4[p->n] = htobe32((uint32_t)v);
	p->types[p->n] = INT4OID;
	p->values[p->n] = (const char *)&p->i4[p->n];
	p->lengths[p->n] = 4;
	p->formats[p->n++] = 1;
}

/* NULL binds SQL NULL; LIMIT NULL is LIMIT ALL, so it also means "no
 * limit" for a page. */
static void
bind_text(struct pg_params *p, Oid type, const char *v)
{
	p->types[p->n] = type;
	p->values[p->n] = v;
	p->lengths[p->n] = 0;
	p->formats[p->n++] = 0;
}

static void
bind_page(struct pg_params *p, const struct pgl_page *pg)
{
	if (pg == NULL || pg->limit == 0)
		bind_text(p, INT8OID, NULL);
	else
		bind_int8(p, (int64_t)pg->limit);
	bind_int8(p, pg == NULL ? 0 : pg->offset > INT64_MAX ? INT64_MAX :
	    (int64_t)pg->offset);
}

int
pg_bind(struct pg_params *p, const char *fmt, va_list ap, struct pgl_err *err)
{
	const char	*f;

	p->n = 0;
	for (f = fmt; *f != '\0'; f++) {
		if (p->n + (*f == 'p' ? 2 : 1) > MAX_PARAMS)
			return (store_err(err, PGL_EINTERNAL,
			    STORE_NAME ": too many parameters in \"%s\"", fmt));
		switch (*f) {
		case 's':
			bind_text(p, TEXTOID, va_arg(ap, const char *));
			break;
		case 'i':
			bind_int8(p, va_arg(ap, int64_t));
			break;
		case 'd':
			bind_int4(p, va_arg(ap, int));
			break;
		case 'p':
			bind_page(p, va_arg(ap, const struct pgl_page *));
			break;
		default:
			return (store_err(err, PGL_EINTERNAL,
			    STORE_NAME ": bad format \"%s\"", fmt));
		}
	}
	return (PGL_OK);
}

struct stmt_slot *
pg_slot(struct pgl_store *s, const char *sql, size_t *index,
    struct pgl_err *err)
{
	struct stmt_slot	*slot;

	if ((slot = slot_find(s, sql, index)) == NULL) {
		(void)store_err(err, PGL_EINTERNAL,
		    STORE_NAME ": statement cache full, raise STMT_SLOTS");
		return (NULL);
	}
	if (slot->text == NULL && (slot->text = pg_text(sql)) == NULL) {
		(void)store_err(err, PGL_ENOMEM, STORE_NAME ": out of memory");
		return (NULL);
	}
	return (slot);
}

void
pg_stmt_name(char name[PG_STMT_NAME], size_t index)
{
	(void)snprintf(name, PG_STMT_NAME, "pgl_%zu", index);
}
