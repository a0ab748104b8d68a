// `npm run build [-- --outdir DIR]`: the server compiled to JavaScript (dist/ by default), run by
// `node dist/cli/main.js serve` without tsx or esbuild at run time (the Docker image does).
//
// esbuild, not tsc, emits: one file per source file, in about a second where tsc takes tens of
// seconds; types are checked once, by `npm run typecheck` (tsconfig's isolatedModules keeps every
// file compilable on its own). esbuild already bundles the pages' client code.
import { build } from 'esbuild';
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bundleClient } from '../src/web/client-bundle';

const ROOT = join(__dirname, '..');
const SRC = join(ROOT, 'src');
const CLIENT = join(SRC, 'web', 'client');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    // the client code runs in the browser: it is bundled below, not compiled for node
    if (entry.isDirectory()) return path === CLIENT ? [] : sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--outdir');
  const outdir = resolve(ROOT, at >= 0 ? process.argv[at + 1]! : 'dist');
  rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints: sourceFiles(SRC),
    outdir,
    outbase: SRC,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    logLevel: 'warning',
  });
  // what the compiled server reads beside its own files: the stylesheet, and the client bundles
  cpSync(join(SRC, 'web', 'assets'), join(outdir, 'web', 'assets'), { recursive: true });
  const bundles = join(outdir, 'web', 'client-bundles');
  mkdirSync(bundles, { recursive: true });
  for (const [name, code] of await bundleClient()) writeFileSync(join(bundles, `${name}.js`), code);
  process.stdout.write(`built ${outdir}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`build: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
