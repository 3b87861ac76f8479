/*
 * Webhook subscriptions (issue 43): a tenant admin's push sinks of the
 * tenant's change events, kept by the store (ABI 1.16, struct
 * pgl_webhook) and delivered by the dispatcher (src/events/).  These are
 * the management routes under /api/v1/webhooks: the config (name, url,
 * filter), the signing secret (shown only when made: create and
 * rotate-secret), and the delivery state a route may reset (resume,
 * replay).  Root must name the tenant; another tenant's subscription is
 * not found.
 */
#ifndef PGL_API_WEBHOOKS_H
#define PGL_API_WEBHOOKS_H

struct pgl_req;

void	api_webhook_create(struct pgl_req *);
void	api_webhook_list(struct pgl_req *);
void	api_webhook_get(struct pgl_req *);
void	api_webhook_update(struct pgl_req *);
void	api_webhook_delete(struct pgl_req *);
void	api_webhook_rotate(struct pgl_req *);
void	api_webhook_test(struct pgl_req *);
void	api_webhook_deliveries(struct pgl_req *);
void	api_webhook_replay(struct pgl_req *);

#endif
