/*
 * The writes every method goes through, above the query helpers
 * (mongo_query.c) and the usage ledger (mongo_usage*.c): a counted
 * collection's insert, update and delete move the ledger with them
 * (store ABI 1.27), and a transaction's commit writes the ledger's
 * changes in it first.  Every other collection's writes are the raw
 * helpers'.
 */
#include <stdlib.h>

#include "mongo_store.h"

/* A counted collection's document goes in marked, and its row counted
 * (mongo_usage_mark.c). */
int
mg_insert(struct pgl_store *s, struct pgl_err *err, int coll,
    const bson_t *doc)
{
	struct usage_delta	 d[2];
	bson_t			 marked;
	size_t			 n = 0;
	int			 rc;

	if (!mongo_usage_counted(coll))
		return (mg_insert_raw(s, err, coll, doc));
	(void)mongo_usage_mark(coll, doc, &marked, d, &n);
	rc = mg_insert_raw(s, err, coll, &marked);
	bson_destroy(&marked);
	if (rc == PGL_OK && n > 0)
		rc = mongo_usage_add(s, d, n, err);
	return (rc);
}

/* An update of a counted collection's measured fields measures its
 * documents again (mongo_usage_ops.c). */
int
mg_update(struct pgl_store *s, struct pgl_err *err, int coll,
    const bson_t *filter, const bson_t *update, int many, uint64_t *matched)
{
	if (mongo_usage_counted(coll))
		return (mongo_usage_update(s, err, coll, filter, update, many,
		    matched));
	return (mg_update_raw(s, err, coll, filter, update, many, matched));
}

/* A counted collection's documents leave the ledger with them: their
 * marks added up first, in the same transaction. */
int
mg_delete(struct pgl_store *s, struct pgl_err *err, int coll,
    const bson_t *filter, int many, uint64_t *deleted)
{
	struct usage_delta	*d = NULL;
	uint64_t		 n = 0;
	size_t			 nd = 0;
	int			 rc;

	if (!mongo_usage_counted(coll))
		return (mg_delete_raw(s, err, coll, filter, many, deleted));
	rc = mongo_usage_before_delete(s, err, coll, filter, many, &d, &nd);
	if (rc == PGL_OK)
		rc = mg_delete_raw(s, err, coll, filter, many, &n);
	if (deleted != NULL)
		*deleted = n;
	if (rc == PGL_OK && n > 0 && nd > 0)
		rc = mongo_usage_add(s, d, nd, err);
	free(d);
	return (rc);
}

/* Transactions (the session is the handle's, started on first use). */

int
mg_tx_start(struct pgl_store *s, struct pgl_err *err)
{
	bson_error_t	e;

	if (s->session == NULL &&
	    (s->session = mongoc_client_start_session(s->client, NULL, &e))
	    == NULL)
		return (mongo_error(err, &e, NULL));
	if (!mongoc_client_session_start_transaction(s->session, NULL, &e))
		return (mongo_error(err, &e, NULL));
	s->tx_active = 1;
	return (PGL_OK);
}

int
mg_tx_commit(struct pgl_store *s, struct pgl_err *err)
{
	bson_error_t	e;
	bson_t		reply;
	int		rc;

	/* The ledger's changes of the transaction, in it (mongo_usage.c). */
	if ((rc = mongo_usage_flush(s, err)) != PGL_OK) {
		(void)mg_tx_abort(s, &(struct pgl_err){ 0, "" });
		return (rc);
	}
	s->tx_active = 0;
	if (!mongoc_client_session_commit_transaction(s->session, &reply, &e))
		rc = mongo_error(err, &e, &reply);
	bson_destroy(&reply);
	return (rc);
}

int
mg_tx_abort(struct pgl_store *s, struct pgl_err *err)
{
	bson_error_t	e;

	mongo_usage_forget(s, NULL);
	s->tx_active = 0;
	/* The server may have aborted it already (after an error). */
	if (mongoc_client_session_in_transaction(s->session) &&
	    !mongoc_client_session_abort_transaction(s->session, &e))
		return (mongo_error(err, &e, NULL));
	return (PGL_OK);
}

int
mg_tx_own_begin(struct pgl_store *s, int *own, struct pgl_err *err)
{
	int	rc;

	*own = 0;
	if (!s->tx_real || s->tx_active)
		return (PGL_OK);
	if ((rc = mg_tx_start(s, err)) == PGL_OK)
		*own = 1;
	return (rc);
}

/* Commits when rc is PGL_OK, aborts otherwise; returns the outcome. */
int
mg_tx_own_end(struct pgl_store *s, int own, int rc, struct pgl_err *err)
{
	struct pgl_err	ignored;

	if (!own)
		return (rc);
	if (rc != PGL_OK) {
		(void)mg_tx_abort(s, &ignored);
		return (rc);
	}
	return (mg_tx_commit(s, err));
}
