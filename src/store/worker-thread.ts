import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * A worker thread running `<name>.ts` (or, compiled, `<name>.js`) from `dir`. Compiled
 * (`node dist/cli/main.js`), the worker is the compiled file beside its caller. From source
 * (`npm start` under tsx, jest under ts-jest) it is the .ts file, compiled in the worker by tsx's
 * require hook: the same worker code runs in all three.
 */
export function startWorkerThread(dir: string, name: string, compiled: boolean, workerData?: unknown): Worker {
  if (compiled) return new Worker(join(dir, `${name}.js`), { workerData });
  const entry = join(dir, `${name}.ts`);
  return new Worker(`require('tsx/cjs'); require(${JSON.stringify(entry)});`, { eval: true, workerData });
}
