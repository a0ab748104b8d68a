import type { Command } from 'commander';
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

/** Every CLI command registers itself here; one line per command. */
export const COMMANDS: ReadonlyArray<(program: Command) => void> = [serveCommand, importCommand, schemasCommand, migrateCommand, verifyCommand, exportCommand, replayCommand, checkpointCommand, rebuildCommand, keysCommand];
