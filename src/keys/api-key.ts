import { randomBytes } from 'node:crypto';
import type { Role } from '../app/config';

/**
 * A named API key is `plk_<id>_<secret>`: the id (12 hex digits) names the key in `keys list`, in
 * `recordedBy` and in logs; the secret (32 random bytes, base64url) is shown once and stored only
 * as a scrypt hash. The shape is the one src/api/redact.ts masks wherever it appears.
 */
const KEY = /^(plk_[0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;
const KEY_ID = /^plk_[0-9a-f]{12}$/;

export interface NewApiKey {
  readonly id: string;
  readonly secret: string;
  /** what the person is given: the id and the secret together */
  readonly key: string;
}

export function newApiKey(): NewApiKey {
  const id = `plk_${randomBytes(6).toString('hex')}`;
  const secret = randomBytes(32).toString('base64url');
  return { id, secret, key: `${id}_${secret}` };
}

/** The id and secret of something shaped like a named key, or undefined (an LEDGER_TOKENS token, say). */
export function parseApiKey(presented: string): { id: string; secret: string } | undefined {
  const m = KEY.exec(presented);
  return m ? { id: m[1]!, secret: m[2]! } : undefined;
}

/** `plk_3f9a12bc4d5e`, or the same without its prefix, as an operator may type it. */
export function keyIdOf(text: string): string | undefined {
  const id = text.startsWith('plk_') ? text : `plk_${text}`;
  return KEY_ID.test(id) ? id : undefined;
}

/** A person's name as given to `keys add`: printable, one line, at most 100 characters. */
export function nameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'the name is required';
  if (name !== name.trim()) return 'the name may not begin or end with a space';
  if (name.length > 100) return 'the name is longer than 100 characters';
  if (/[\p{Cc}\p{Cf}\u2028\u2029]/u.test(name)) return 'the name may not hold control or format characters';
  return undefined;
}

/**
 * The recorded identity of a named key: role, key id and the person's name, e.g.
 * `secretariat/plk_3f9a12bc4d5e (Ana López)`. It is the same string field, under the same hash,
 * as the `secretariat/f5dcec9289c4` of an LEDGER_TOKENS token, so events of either kind (and
 * every event recorded before named keys existed) are read and verified as they always were.
 */
export function recordedByOf(role: Role, keyId: string, name: string): string {
  return `${role}/${keyId} (${name})`;
}

const RECORDED_BY_KEY = /^(secretariat|auditor)\/(plk_[0-9a-f]{12}) \((.+)\)$/s;

/** The key id and person's name a recordedBy carries, when it was recorded with a named key. */
export function namedRecorder(recordedBy: unknown): { keyId: string; name: string } | undefined {
  if (typeof recordedBy !== 'string') return undefined;
  const m = RECORDED_BY_KEY.exec(recordedBy);
  return m ? { keyId: m[2]!, name: m[3]! } : undefined;
}
