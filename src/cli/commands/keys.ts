import type { Command } from 'commander';
import type { Cli } from '../../app/compose-cli';
import { keyIdOf, nameProblem } from '../../keys/api-key';
import { KeyFileNotFoundError, type KeyRecord } from '../../keys/key-store';
import { EXIT, UsageError } from '../exit-codes';
import { cliCommand, runAction } from '../plumbing';

export interface KeysAddOptions {
  readonly name?: string;
  readonly role?: string;
}

/** `ledger keys add`: the key on stdout, once (so it can be piped); what was done on stderr. */
export async function runKeysAdd(opts: KeysAddOptions, cli: Cli): Promise<number> {
  const name = opts.name ?? '';
  const problem = nameProblem(name);
  if (problem) throw new UsageError(`--name: ${problem}`);
  const role = opts.role;
  if (role !== 'secretariat' && role !== 'auditor') throw new UsageError('--role must be secretariat or auditor');
  const { key, record } = await cli.withKeys('create', (keys) => keys.add(name, role));
  cli.io.out(`${key}\n`);
  cli.io.err(
    `added key ${record.id} for ${record.name} (${record.role}) to ${cli.config().keysPath}.\n` +
      `This is the only time the key is shown: give it to ${record.name}, who sends it as "Authorization: Bearer <key>" or signs in with it at /signin.\n`,
  );
  return EXIT.ok;
}

/** `ledger keys list`: every key with its id, name, role, creation and revocation; never a secret. */
export async function runKeysList(opts: { json?: boolean }, cli: Cli): Promise<number> {
  let all: KeyRecord[];
  try {
    all = await cli.withKeys('read-only', (keys) => keys.list());
  } catch (error) {
    if (!(error instanceof KeyFileNotFoundError)) throw error;
    cli.io.err(`no named keys yet: there is no key file at ${cli.config().keysPath}\n`);
    return done(opts, cli, []);
  }
  // a file the server made at its start holds no key until one is added: say so, not nothing
  if (all.length === 0)
    cli.io.err(`no named keys yet in ${cli.config().keysPath}: add one with \`ledger keys add --name <name> --role secretariat|auditor\`\n`);
  return done(opts, cli, all);
}

function done(opts: { json?: boolean }, cli: Cli, all: KeyRecord[]): number {
  cli.io.out(opts.json ? `${JSON.stringify(all, null, 2)}\n` : all.length ? table(all) : '');
  return EXIT.ok;
}

/** `ledger keys revoke <id>`: refused from the next request on, also by a running server. */
export async function runKeysRevoke(idText: string, cli: Cli): Promise<number> {
  const id = keyIdOf(idText);
  if (!id) throw new UsageError(`"${idText}" is not a key id: ids look like plk_3f9a12bc4d5e (see \`ledger keys list\`)`);
  return cli.withKeys('existing', (keys) => {
    const before = keys.get(id);
    if (!before) throw new UsageError(`no key ${id} in ${keys.path} (see \`ledger keys list\`)`);
    const after = keys.revoke(id)!;
    cli.io.err(
      before.revokedAt
        ? `key ${id} (${after.name}) was already revoked at ${after.revokedAt}\n`
        : `revoked key ${id} (${after.name}, ${after.role}) at ${after.revokedAt}: it is refused from the next request on\n`,
    );
    return EXIT.ok;
  });
}

function table(keys: readonly KeyRecord[]): string {
  const rows = [['id', 'role', 'name', 'created', 'revoked'], ...keys.map((k) => [k.id, k.role, k.name, k.createdAt, k.revokedAt ?? '-'])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => `${r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')}\n`).join('');
}

export function register(program: Command, cli: Cli): void {
  const keys = cliCommand(program, 'keys').description(
    'named API keys, one per person (LEDGER_KEYS_PATH, default beside the ledger: data/ledger.keys.db; on KurrentDB beside the read store: data/keys.db). ' +
      'A key is shown once, when added; only a scrypt hash of it is stored. What the person records carries the key id and their name.',
  );
  cliCommand(keys, 'add')
    .description('make a key for a person and print it, once, on stdout')
    .requiredOption('--name <name>', "the person's name, as the audit log shows it")
    .requiredOption('--role <role>', 'secretariat (records decisions) or auditor (audit endpoints)')
    .action((opts: KeysAddOptions) => runAction(cli.io, () => runKeysAdd(opts, cli)));
  cliCommand(keys, 'list')
    .description('every key: id, role, name, when created and when revoked (never a secret)')
    .option('--json', 'print the keys as JSON')
    .action((opts: { json?: boolean }) => runAction(cli.io, () => runKeysList(opts, cli)));
  cliCommand(keys, 'revoke')
    .description('revoke a key by its id (plk_…): refused from the next request on, also by a server already running; its sessions end too')
    .argument('<id>', 'the key id, as `keys list` shows it')
    .action((id: string) => runAction(cli.io, () => runKeysRevoke(id, cli)));
}
