import { build } from 'esbuild';
import { join } from 'node:path';

const CLIENT_ENTRIES = { app: join(__dirname, 'client', 'main.ts'), 'api-docs': join(__dirname, 'client', 'api-docs.ts') };

/**
 * The pages' client code, bundled by esbuild: bundle name (app, api-docs) to code. `npm start`
 * bundles it on first request (a few tens of ms, so the served code always matches the source);
 * `npm run build` writes it beside the compiled server, which then needs neither esbuild nor the
 * client's TypeScript.
 */
export async function bundleClient(): Promise<Map<string, string>> {
  const result = await build({
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
  return new Map(result.outputFiles.map((f) => [f.path.replace(/^.*[\\/]/, '').replace(/\.js$/, ''), f.text]));
}
