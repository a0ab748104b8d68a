#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands';

async function main(argv: string[]): Promise<void> {
  const program = new Command('ledger')
    .description('position-ledger: the EUROCITIES migrant-integration positions, as an event-sourced ledger')
    .showHelpAfterError()
    .exitOverride();
  for (const register of COMMANDS) register(program);
  await program.parseAsync(argv);
}

main(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode;
    return;
  }
  process.stderr.write(`ledger: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
