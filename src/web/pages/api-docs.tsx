import { ASSET } from '../assets';
import type { Page } from '../render';

/**
 * /api/docs: Swagger UI from swagger-ui-dist, served by the app and started by our own script
 * (no inline script, no CDN), on the ledger's generated /api/openapi.json.
 */
export function apiDocsPage(): Page {
  return {
    title: 'HTTP API reference',
    styles: [`${ASSET.swaggerUi}/swagger-ui.css`],
    scripts: [`${ASSET.swaggerUi}/swagger-ui-bundle.js`, ASSET.apiDocsJs],
    main: (
      <>
        <h1>HTTP API reference</h1>
        <p>
          Generated from the same schemas that validate every request: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1). Reads are public; writes
          need a secretariat token (<code>Authorization: Bearer …</code>).
        </p>
        <div id="swagger-ui" data-spec="/api/openapi.json">
          <noscript>The interactive reference needs JavaScript; the OpenAPI document above has everything it shows.</noscript>
        </div>
      </>
    ),
  };
}
