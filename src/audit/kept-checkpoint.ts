import { Checkpoint } from './checkpoint';
import type { KeptCheckpoint } from './verify';

/**
 * Reads a checkpoint an auditor kept: a root hash (64 hex digits), or the text of a file holding
 * the checkpoint line (`ledger checkpoint` output, or the last line of an export), or the
 * checkpoint object alone. Returns a message instead when it is none of those.
 */
export function parseKeptCheckpoint(value: string, readText: (path: string) => string): KeptCheckpoint | string {
  const root = value.trim().toLowerCase();
  if (/^[0-9a-f]{64}$/.test(root)) return { rootHash: root };
  let text: string;
  try {
    text = readText(value);
  } catch {
    return `--checkpoint ${value}: neither a root hash (64 hex digits) nor a readable file`;
  }
  const last = text.trimEnd().split('\n').at(-1) ?? '';
  if (/^[0-9a-fA-F]{64}$/.test(last.trim())) return { rootHash: last.trim().toLowerCase() };
  let json: unknown;
  try {
    json = JSON.parse(last);
  } catch {
    return `--checkpoint ${value}: the file's last line is not JSON`;
  }
  const candidate = (json as { kind?: unknown; checkpoint?: unknown } | null)?.kind === 'checkpoint' ? (json as { checkpoint: unknown }).checkpoint : json;
  const parsed = Checkpoint.safeParse(candidate);
  if (!parsed.success) return `--checkpoint ${value}: the file holds no checkpoint (${parsed.error.issues[0]?.message ?? 'invalid'})`;
  return { checkpoint: parsed.data, label: `the checkpoint you kept in ${value} (${parsed.data.rootHash}, recorded ${parsed.data.recordedAt})` };
}
