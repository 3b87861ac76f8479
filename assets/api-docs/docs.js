// The API page: Swagger UI (swagger-ui-dist) rendering this server's
// OpenAPI document.  A file of its own, as the page's policy allows no
// inline script.  No validator badge (it would load an image from
// elsewhere); "Try it out" calls this server with the credentials given
// under Authorize.  Every tag's section opens listing its operations
// (docExpansion 'list'): collapsed, a newcomer saw a few tag names and
// none of the routes under them.  Past 150 tags and operations Swagger UI
// renders the list as a virtual one (what is in view, built as it is
// scrolled to): the management API crossed that with the webhook routes.
window.addEventListener('DOMContentLoaded', () => {
  window.ui = window.SwaggerUIBundle({
    url: '/api/v1/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    docExpansion: 'list',
    defaultModelsExpandDepth: 0,
    tryItOutEnabled: false,
  });
});
