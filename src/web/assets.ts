import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildSync } from 'esbuild';
import express, { Router, type Response } from 'express';

/** Where the browser finds the app's own assets; nothing is loaded from another origin. */
export const ASSET = {
  css: '/assets/site.css',
  js: '/assets/app.js',
  apiDocsJs: '/assets/api-docs.js',
  swaggerUi: '/assets/swagger-ui',
} as const;

const CLIENT_ENTRIES = { app: join(__dirname, 'client', 'main.ts'), 'api-docs': join(__dirname, 'client', 'api-docs.ts') };

interface Built {
  readonly body: string;
  readonly etag: string;
}

let bundles: Map<string, Built> | undefined;

/**
 * The client code, bundled by esbuild the first time it is asked for (a few tens of ms, once per
 * process), so `npm start` needs no separate build step and the served code always matches the source.
 */
export function clientBundles(): Map<string, Built> {
  if (bundles) return bundles;
  const result = buildSync({
    entryPoints: CLIENT_ENTRIES,
    bundle: true,
    write: false,
    outdir: 'out',
    format: 'iife',
    target: ['es2020'],
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  bundles = new Map(result.outputFiles.map((f) => [f.path.replace(/^.*[\\/]/, '').replace(/\.js$/, ''), built(f.text)]));
  return bundles;
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
  for (const [name, path] of [['app', ASSET.js], ['api-docs', ASSET.apiDocsJs]] as const) {
    router.get(path, (req, res) => sendAsset(res, 'application/javascript', clientBundles().get(name)!, req.get('if-none-match')));
  }
  // swagger-ui-dist is only static files: the reference page is rendered in the browser from /api/openapi.json
  const swaggerDir = dirname(require.resolve('swagger-ui-dist/package.json'));
  router.use(ASSET.swaggerUi, express.static(swaggerDir, { index: false, fallthrough: false, maxAge: '1h' }));
  return router;
}
