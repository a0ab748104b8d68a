import type { Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ledgerJsonSchemas } from '../../audit/json-schemas';

export function register(program: Command): void {
  program
    .command('schemas')
    .description('write the JSON Schemas of the events, generated from their zod schemas')
    .option('--out <dir>', 'output directory', 'events/schemas')
    .action((options: { out: string }) => {
      mkdirSync(options.out, { recursive: true });
      for (const [file, schema] of Object.entries(ledgerJsonSchemas())) {
        writeFileSync(join(options.out, file), `${JSON.stringify(schema, null, 2)}\n`);
        process.stdout.write(`${join(options.out, file)}\n`);
      }
    });
}
