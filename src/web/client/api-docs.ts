// Starts Swagger UI (loaded from swagger-ui-dist, served by the app) on the ledger's own OpenAPI document.
interface SwaggerUiGlobal {
  SwaggerUIBundle?: (options: Record<string, unknown>) => unknown;
}

const start = (): void => {
  const ui = (window as unknown as SwaggerUiGlobal).SwaggerUIBundle;
  const root = document.getElementById('swagger-ui');
  if (!ui || !root) return;
  ui({ url: root.dataset.spec ?? '/api/openapi.json', domNode: root, deepLinking: false, tryItOutEnabled: false });
  // Swagger UI renders its server chooser without a label: give it one, whenever it appears
  new MutationObserver(() => {
    const servers = root.querySelector('select#servers');
    if (servers && !servers.hasAttribute('aria-label')) servers.setAttribute('aria-label', 'Server');
  }).observe(root, { childList: true, subtree: true });
};

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
