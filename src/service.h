#ifndef PGL_SERVICE_H
#define PGL_SERVICE_H

/*
 * sd_notify readiness (src/service.c): the parent registers before the
 * workers fork and sends READY=1 once each of its `workers` HTTP workers
 * has called pgl_service_worker_ready() at the end of its start-up.
 */
int	pgl_service_parent_init(unsigned workers);
void	pgl_service_worker_ready(void);

#endif
