import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import express, { Router, type Response } from 'express';

/** Where the browser finds the app's own assets; nothing is loaded from another origin. */
export const ASSET = {
  css: '/assets/site.css',
  js: '/assets/app.js',
  apiDocsJs: '/assets/api-docs.js',
  swaggerUi: '/assets/swagger-ui',
} as const;

interface Built {
  readonly body: string;
  readonly etag: string;
}

/** written by `npm run build` beside the compiled server (dist/web/client-bundles/*.js); absent when running from source */
const PREBUILT = join(__dirname, 'client-bundles');

let bundles: Promise<Map<string, Built>> | undefined;

/** The client code: the bundles `npm run build` wrote, or (from source) bundled by esbuild the first time it is asked for. */
export function clientBundles(): Promise<Map<string, Built>> {
  bundles ??= loadBundles().catch((error: unknown) => {
    bundles = undefined;
    throw error;
  });
  return bundles;
}

async function loadBundles(): Promise<Map<string, Built>> {
  const code = existsSync(PREBUILT)
    ? new Map(
        readdirSync(PREBUILT)
          .filter((f) => f.endsWith('.js'))
          .map((f) => [f.slice(0, -3), readFileSync(join(PREBUILT, f), 'utf8')]),
      )
    : await (await import('./client-bundle')).bundleClient();
  return new Map([...code].map(([name, body]) => [name, built(body)]));
}

function built(body: string): Built {
  return { body, etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"` };
}

let css: Built | undefined;
const stylesheet = () => (css ??= built(readFileSync(join(__dirname, 'assets', 'site.css'), 'utf8')));

function sendAsset(res: Response, type: string, asset: Built, ifNoneMatch: string | undefined): void {
  res.set('ETag', asset.etag).set('Cache-Control', 'no-cache');
  if (ifNoneMatch === asset.etag) {
    res.status(304).end();
    return;
  }
  res.type(type).send(asset.body);
}

export function assetRoutes(): Router {
  const router = Router();
  router.get(ASSET.css, (req, res) => sendAsset(res, 'text/css', stylesheet(), req.get('if-none-match')));
  for (const [name, path] of [
    ['app', ASSET.js],
    ['api-docs', ASSET.apiDocsJs],
  ] as const) {
    router.get(path, async (req, res) => sendAsset(res, 'application/javascript', (await clientBundles()).get(name)!, req.get('if-none-match')));
  }
  // swagger-ui-dist is only static files: the reference page is rendered in the browser from /api/openapi.json
  const swaggerDir = dirname(require.resolve('swagger-ui-dist/package.json'));
  router.use(ASSET.swaggerUi, express.static(swaggerDir, { index: false, fallthrough: false, maxAge: '1h' }));
  return router;
}
