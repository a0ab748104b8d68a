#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands';
import { exitCodeOf } from './exit-codes';

async function main(argv: string[]): Promise<void> {
  const program = new Command('ledger')
    .description('position-ledger: the EUROCITIES migrant-integration positions, as an event-sourced ledger')
    .showHelpAfterError()
    .exitOverride();
  for (const register of COMMANDS) register(program);
  await program.parseAsync(argv);
}

main(process.argv).catch((error: unknown) => {
  process.exitCode = exitCodeOf(error);
  // commander has already said what was wrong with the command line
  if (error instanceof CommanderError) return;
  process.stderr.write(`ledger: ${error instanceof Error ? error.message : String(error)}\n`);
});
