/*
 * The identity room: users, roles and permissions, service users,
 * tokens, OAuth2 client credentials, sessions (login, me, logout), and
 * the callers of identity providers (external.c; the providers' keys:
 * idp.h).  What the gate and the other rooms need of a caller lives
 * below, in api.h (who.c, audit.c); authn.c reaches external.c through
 * the entry points main.c hands it (gate.h).
 */
#ifndef PGL_API_IDENTITY_H
#define PGL_API_IDENTITY_H

#include "api/api.h"

/*
 * identity/user_names.c: a name for a new user or service user, or a
 * provider's user on first sight.  refused: NULL, or why not (the
 * message begins with field); ok: 0, or -1 after a 400.
 */
const char	*api_principal_name_refused(struct pgl_req *, const char *field,
		    const char *name);
int		 api_principal_name_ok(struct pgl_req *, const char *field,
		    const char *name);

/* identity/users.c */
void	api_user_create(struct pgl_req *);
void	api_user_list(struct pgl_req *);
void	api_user_get(struct pgl_req *);
void	api_user_update(struct pgl_req *);
void	api_user_delete(struct pgl_req *);
/* identity/roles.c, identity/permissions.c */
/* A body's tenant field, if present, must be the request's: else 404. */
int	api_body_tenant(struct pgl_req *, const char *field);
/* Every element of arr is a valid {scope, actions} grant; else 422. */
int	api_grants_check(struct pgl_req *, const json_t *arr);
/* id is a user or service user of the request's tenant; else 404. */
int	api_principal_in_tenant(struct pgl_req *, const char *id);
void	api_role_list(struct pgl_req *);
void	api_role_create(struct pgl_req *);
void	api_role_get(struct pgl_req *);
void	api_role_update(struct pgl_req *);
void	api_role_delete(struct pgl_req *);
void	api_user_roles(struct pgl_req *);
void	api_user_role_assign(struct pgl_req *);
void	api_user_role_revoke(struct pgl_req *);
void	api_permission_list(struct pgl_req *);
void	api_permission_grant(struct pgl_req *);
void	api_permission_revoke(struct pgl_req *);

/* identity/service_users.c */
void	api_service_user_create(struct pgl_req *);
void	api_service_user_list(struct pgl_req *);
void	api_service_user_get(struct pgl_req *);
void	api_service_user_update(struct pgl_req *);
void	api_service_user_delete(struct pgl_req *);
void	api_service_user_rotate(struct pgl_req *);

/* identity/tokens.c */
void	api_token_mint(struct pgl_req *);
void	api_token_rotate(struct pgl_req *);
void	api_token_delete(struct pgl_req *);
void	api_token_revoke_own(struct pgl_req *);
void	api_token_revoke_id(struct pgl_req *);
void	api_token_cleanup(struct pgl_req *);
void	api_tokens_mine(struct pgl_req *);
void	api_tokens_of_user(struct pgl_req *);

/*
 * identity/external.c: callers with an identity provider's token.  Its
 * entry points for authn.c (gate.h), which main.c hands over.
 */
struct pgl_idp;
extern const struct api_external_ops	api_external_ops;
/* The provider that issued token (by its unverified "iss"), or NULL. */
struct pgl_idp	*api_external_provider(const char *token);
/*
 * A provider whose fetch failed while its last good keys were kept is
 * recorded in root's audit log (oidc_provider_error) once per episode,
 * by the first request of the provider after it (idp.h); a provider
 * with no keys at all is recorded by each refused request instead.
 */
void	api_external_report(struct pgl_req *, struct pgl_idp *);
/*
 * Verify token as idp's: 0 with *claims (the caller's to decref), 401 or
 * 503 with *why, or API_AUTH_WAIT when the keys are being fetched and
 * resume(r) will run once they are (resume NULL: never wait).
 */
int	api_external_verify(struct pgl_req *, struct pgl_idp *,
	    const char *token, json_t **claims, const char **why,
	    void (*resume)(struct pgl_req *));
/* The same, then the caller from the claims into r->who and r->tenant
 * (the user made on first sight); 0, 401, 403 or 503 with *why. */
int	api_external_identify(struct pgl_req *, struct pgl_idp *,
	    const char *token, const char **why,
	    void (*resume)(struct pgl_req *));
/* Verified claims of idp to the caller in r->who (the user made on first
 * sight): 0, or 401, 403 or 503 with *why. */
int	api_external_resolve(struct pgl_req *, struct pgl_idp *,
	    const json_t *claims, const char **why);
/* u is being deleted: if external, refuse its tokens for a day.  0, or
 * -1 after a reply. */
int	api_external_forget(struct pgl_req *, const struct pgl_user *);

/* identity/sso.c: the page's sign-in with an identity provider. */
void	api_sso_providers(struct pgl_req *);
void	api_sso_authorize(struct pgl_req *);
void	api_sso_callback(struct pgl_req *);
void	api_sso_exchange(struct pgl_req *);

/* identity/oauth.c */
void	api_oauth_token(struct pgl_req *);

/* identity/sessions.c */
/*
 * A session to sign: its claims, and whose it is.  The owner (a user or
 * a service user; NULL means sub) is the one whose deactivation, deletion
 * or key rotation revokes it; key_id, for a token exchanged for an API
 * key, is that key.
 */
struct api_session {
	const char	*sub, *username, *tenant, *role;
	const char	*owner, *key_id;
	int		 ttl_secs;
};

/*
 * Sign a session token and record its jti, then check that its owner
 * still holds it (api_owner_live); *token is malloc'd.  Returns 0, or -1
 * after a reply (401 when the owner is gone).
 */
int	api_session_new(struct pgl_req *, const struct api_session *,
	    char **token, int64_t *exp);
/*
 * Whether owner still holds its sessions: a user active, a service user
 * of tenant active, unexpired and still on key_id (when not NULL).  1, 0,
 * or -1 with err filled (store error).
 */
int	api_owner_live(struct pgl_req *, const char *owner, const char *tenant,
	    const char *key_id, struct pgl_err *);
/* 1 after a 429 when the client address or account is over the auth
 * throttle (account may be NULL). */
int	api_throttled(struct pgl_req *, const char *account);
void	api_login(struct pgl_req *);
void	api_me(struct pgl_req *);
void	api_logout(struct pgl_req *);

#endif
