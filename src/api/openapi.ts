import { OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { registry } from './operation';
// loading the routes declares every operation (src/api/routes/*): the document is their route table
import './routes';

/**
 * OpenAPI 3.1, generated from the route table (src/api/operation.ts): the same declarations that
 * mount each route and validate its requests with zod.
 */
export function openApiDocument(): ReturnType<OpenApiGeneratorV31['generateDocument']> {
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'position-ledger',
      version: '1',
      description: [
        'Event-sourced history of EUROCITIES policy positions on migrant integration.',
        'Errors are application/problem+json (RFC 9457) with a stable `code` and the failing `field`.',
        'Every operation refuses query parameters it does not list (400), and a parameter given twice; JSON bodies refuse unknown fields (the schemas say additionalProperties: false).',
        'A method a path does not list is answered 405 with `Allow`; a path not listed here, 404.',
        'Reads are public unless the server runs with LEDGER_PUBLIC_READS=false (then they need a bearer token of either role); writes need a token of the role in `x-roles`.',
      ].join(' '),
    },
    servers: [{ url: '/' }],
  });
}
