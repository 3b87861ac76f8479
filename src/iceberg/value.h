/*
 * Iceberg primitive types and single values (value.c): the spec's
 * single-value binary form (Appendix D: bounds, partition summaries),
 * its JSON single-value form (Appendix C: REST literals, partition
 * values, bounds in a plan's answer), and ordering.  Pure.
 */
#ifndef PGL_ICEBERG_VALUE_H
#define PGL_ICEBERG_VALUE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct pgl_arena;

enum ice_tid {
	ICE_T_NONE = 0,		/* not a primitive the planner knows */
	ICE_T_BOOLEAN,
	ICE_T_INT,
	ICE_T_LONG,
	ICE_T_FLOAT,
	ICE_T_DOUBLE,
	ICE_T_DECIMAL,		/* precision, scale */
	ICE_T_DATE,		/* days from 1970-01-01 */
	ICE_T_TIME,		/* microseconds from midnight */
	ICE_T_TIMESTAMP,	/* microseconds from the epoch */
	ICE_T_TIMESTAMPTZ,
	ICE_T_TIMESTAMP_NS,	/* nanoseconds */
	ICE_T_TIMESTAMPTZ_NS,
	ICE_T_STRING,
	ICE_T_UUID,		/* 16 bytes, big-endian */
	ICE_T_FIXED,		/* length */
	ICE_T_BINARY
};

struct ice_type {
	enum ice_tid	 id;
	int		 precision;	/* decimal */
	int		 scale;		/* decimal */
	int		 length;	/* fixed */
};

/* A value of a type; is_null for a null.  Bytes live in an arena or in
 * the buffer they were decoded from. */
struct ice_value {
	enum ice_tid	 tid;
	int		 is_null;
	union {
		int		 b;
		int64_t		 i;	/* int, long, date, time, timestamps */
		double		 d;	/* float (widened), double */
		__int128	 dec;	/* decimal: the unscaled value */
		struct {
			const unsigned char	*p;
			size_t			 n;
		}		 s;	/* string (UTF-8), uuid, fixed, binary */
	} u;
};

/* A schema's type JSON ("long", "decimal(9,2)", "fixed[16]"...) to a
 * type; 0, or -1 for a nested or unknown type. */
int	ice_type_parse(const json_t *, struct ice_type *);
/* The type's name as the spec writes it, into buf. */
const char	*ice_type_name(const struct ice_type *, char *buf, size_t len);

/* Appendix D bytes to a value of t; 0, or -1 when they cannot be one. */
int	ice_value_decode(const struct ice_type *t, const void *buf, size_t len,
	    struct ice_value *out);
/* A value to its Appendix D bytes (arena); 0, or -1. */
int	ice_value_encode(struct pgl_arena *, const struct ice_value *,
	    const struct ice_type *, const void **buf, size_t *len);

/*
 * A REST literal (Appendix C JSON, or a bare number/bool/string) as a
 * value of t: numbers widen (int to long, float to double), a date,
 * time, timestamp, uuid or decimal string is parsed, an integer out of
 * an int's range is refused.  0, or -1 with why (a static message).
 */
int	ice_value_from_json(struct pgl_arena *, const struct ice_type *t,
	    const json_t *lit, struct ice_value *out, const char **why);
/* A value as Appendix C JSON (new reference), null for a null. */
json_t	*ice_value_to_json(const struct ice_value *, const struct ice_type *);

/*
 * A value read from an Avro partition tuple (physical: int, long, float,
 * double, boolean, string, bytes or fixed) as a value of t; 0, or -1.
 */
int	ice_value_retype(const struct ice_value *in, const struct ice_type *t,
	    struct ice_value *out);

/* Order of two non-null values of one type (<0, 0, >0); NaN sorts above
 * every number (callers keep NaN out of bounds). */
int	ice_value_cmp(const struct ice_value *, const struct ice_value *);
/* 1 when v (a float or double) is NaN. */
int	ice_value_is_nan(const struct ice_value *);

#endif
