import type { Command } from 'commander';
import type { Cli } from '../../app/compose-cli';
import { register as importCommand } from './import';
import { register as migrateCommand } from './migrate';
import { register as schemasCommand } from './schemas';
import { register as serveCommand } from './serve';
import { register as verifyCommand } from './verify';
import { register as exportCommand } from './export';
import { register as replayCommand } from './replay';
import { register as checkpointCommand } from './checkpoint';
import { register as rebuildCommand } from './rebuild';
import { register as keysCommand } from './keys';

/** Every CLI command, registered by the composition root (src/app/compose-cli.ts) on its dependencies; one entry per command. */
export const COMMANDS: ReadonlyArray<(program: Command, cli: Cli) => void> = [
  serveCommand,
  importCommand,
  schemasCommand,
  migrateCommand,
  verifyCommand,
  exportCommand,
  replayCommand,
  checkpointCommand,
  rebuildCommand,
  keysCommand,
];
