import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { loadConfig, type Role } from '../../app/config';
import { keyIdOf, nameProblem } from '../../keys/api-key';
import { KeyStore, type KeyRecord } from '../../keys/key-store';
import { auditCommand, EXIT, processIo, runAction, UsageError, type CliIo } from './verify';

export interface KeysAddOptions {
  readonly name?: string;
  readonly role?: string;
}

/** `ledger keys add`: the key on stdout, once (so it can be piped); what was done on stderr. */
export async function runKeysAdd(opts: KeysAddOptions, io: CliIo): Promise<number> {
  const name = opts.name ?? '';
  const problem = nameProblem(name);
  if (problem) throw new UsageError(`--name: ${problem}`);
  if (opts.role !== 'secretariat' && opts.role !== 'auditor') throw new UsageError('--role must be secretariat or auditor');
  const config = loadConfig(io.env);
  const keys = KeyStore.open(config.keysPath, 'create');
  try {
    const { key, record } = await keys.add(name, opts.role as Role);
    io.out(`${key}\n`);
    io.err(`added key ${record.id} for ${record.name} (${record.role}) to ${config.keysPath}.\nThis is the only time the key is shown: give it to ${record.name}, who sends it as "Authorization: Bearer <key>" or signs in with it at /signin.\n`);
    return EXIT.ok;
  } finally {
    keys.close();
  }
}

/** `ledger keys list`: every key with its id, name, role, creation and revocation; never a secret. */
export function runKeysList(opts: { json?: boolean }, io: CliIo): number {
  const config = loadConfig(io.env);
  if (!existsSync(config.keysPath)) {
    io.err(`no named keys yet: there is no key file at ${config.keysPath}\n`);
    io.out(opts.json ? '[]\n' : '');
    return EXIT.ok;
  }
  const keys = KeyStore.open(config.keysPath, 'read-only');
  try {
    const all = keys.list();
    io.out(opts.json ? `${JSON.stringify(all, null, 2)}\n` : table(all));
    return EXIT.ok;
  } finally {
    keys.close();
  }
}

/** `ledger keys revoke <id>`: refused from the next request on, also by a running server. */
export function runKeysRevoke(idText: string, io: CliIo): number {
  const id = keyIdOf(idText);
  if (!id) throw new UsageError(`"${idText}" is not a key id: ids look like plk_3f9a12bc4d5e (see \`ledger keys list\`)`);
  const config = loadConfig(io.env);
  const keys = KeyStore.open(config.keysPath, 'existing');
  try {
    const before = keys.get(id);
    if (!before) throw new UsageError(`no key ${id} in ${config.keysPath} (see \`ledger keys list\`)`);
    const after = keys.revoke(id)!;
    io.err(before.revokedAt ? `key ${id} (${after.name}) was already revoked at ${after.revokedAt}\n` : `revoked key ${id} (${after.name}, ${after.role}) at ${after.revokedAt}: it is refused from the next request on\n`);
    return EXIT.ok;
  } finally {
    keys.close();
  }
}

function table(keys: readonly KeyRecord[]): string {
  const rows = [['id', 'role', 'name', 'created', 'revoked'], ...keys.map((k) => [k.id, k.role, k.name, k.createdAt, k.revokedAt ?? '-'])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => `${r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')}\n`).join('');
}

export function register(program: Command): void {
  const keys = auditCommand(program, 'keys').description(
    'named API keys, one per person (LEDGER_KEYS_PATH, default beside the ledger: data/ledger.keys.db, or data/keys.db on KurrentDB). ' +
      'A key is shown once, when added; only a scrypt hash of it is stored. What the person records carries the key id and their name.',
  );
  auditCommand(keys, 'add')
    .description('make a key for a person and print it, once, on stdout')
    .requiredOption('--name <name>', "the person's name, as the audit log shows it")
    .requiredOption('--role <role>', 'secretariat (records decisions) or auditor (audit endpoints)')
    .action((opts: KeysAddOptions) => runAction(processIo, () => runKeysAdd(opts, processIo)));
  auditCommand(keys, 'list')
    .description('every key: id, role, name, when created and when revoked (never a secret)')
    .option('--json', 'print the keys as JSON')
    .action((opts: { json?: boolean }) => runAction(processIo, async () => runKeysList(opts, processIo)));
  auditCommand(keys, 'revoke')
    .description('revoke a key by its id (plk_…): refused from the next request on, also by a server already running; its sessions end too')
    .argument('<id>', 'the key id, as `keys list` shows it')
    .action((id: string) => runAction(processIo, async () => runKeysRevoke(id, processIo)));
}
