#ifndef PGL_ASSETS_H
#define PGL_ASSETS_H

#include <stddef.h>

/* Files of assets/ compiled into the binary (src/tools/bin2c.c). */
struct pgl_asset_file {
	const char		*name;		/* "index.html" */
	const unsigned char	*data;
	const unsigned int	*len;
};

extern const struct pgl_asset_file	pgl_assets[];	/* NULL-terminated */
/* The API's page under /api/docs/: its own files and the viewer's. */
extern const struct pgl_asset_file	pgl_doc_assets[];

/* The OpenAPI document of the management API (docs/openapi/), JSON. */
extern unsigned char	asset_openapi_json[];
extern unsigned int	asset_len_openapi_json;

#endif
