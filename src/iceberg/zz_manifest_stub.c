#include <stdio.h>
#include "iceberg/manifest.h"
int ice_manifest_list_read(const void *b, size_t l, ice_manifest_ref_fn f, void *a, struct pgl_err *e) { (void)b;(void)l;(void)f;(void)a; snprintf(e->msg, sizeof(e->msg), "stub"); e->code = PGL_EINVAL; return -1; }
int ice_manifest_read(const void *b, size_t l, ice_manifest_entry_fn f, void *a, struct pgl_err *e) { (void)b;(void)l;(void)f;(void)a; snprintf(e->msg, sizeof(e->msg), "stub"); e->code = PGL_EINVAL; return -1; }
