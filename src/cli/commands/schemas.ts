import type { Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cli } from '../../app/compose-cli';
import { ledgerJsonSchemas } from '../../audit/json-schemas';
import { cliCommand, runAction } from '../plumbing';

/** `ledger schemas`: the events' JSON Schemas, generated from their zod schemas. */
export async function runSchemas(opts: { out: string }, cli: Cli): Promise<number> {
  mkdirSync(opts.out, { recursive: true });
  for (const [file, schema] of Object.entries(ledgerJsonSchemas())) {
    writeFileSync(join(opts.out, file), `${JSON.stringify(schema, null, 2)}\n`);
    cli.io.out(`${join(opts.out, file)}\n`);
  }
  return 0;
}

export function register(program: Command, cli: Cli): void {
  cliCommand(program, 'schemas')
    .description('write the JSON Schemas of the events, generated from their zod schemas')
    .option('--out <dir>', 'output directory', 'events/schemas')
    .action((opts: { out: string }) => runAction(cli.io, () => runSchemas(opts, cli)));
}
