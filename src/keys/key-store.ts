import Database from 'better-sqlite3';
import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Role } from '../app/config';
import { newApiKey, parseApiKey, recordedByOf } from './api-key';

/** What `keys list` shows of a key: never its secret, nor its hash. */
export interface KeyRecord {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

/** Who a named key is, once its secret is verified. */
export interface KeyHolder {
  readonly keyId: string;
  readonly name: string;
  readonly role: Role;
  /** what the ledger records as recordedBy */
  readonly recordedBy: string;
}

interface Row {
  id: string;
  name: string;
  role: Role;
  hash: string;
  created_at: string;
  revoked_at: string | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS api_keys (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  role       TEXT NOT NULL CHECK (role IN ('secretariat', 'auditor')),
  hash       TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
`;

/**
 * scrypt from node's crypto (no dependency; a memory-hard KDF) with a per-key random salt. The
 * secrets are 256 random bits, so the hash is not there to slow a guesser but so that a copied key
 * file holds nothing anyone can sign in with. Parameters are stored with each hash, so they can be
 * raised later without invalidating the keys given out.
 */
const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 } as const;

function scryptAsync(secret: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  // the async form runs on libuv's pool: a request presenting a key never blocks the event loop
  return new Promise((resolve, reject) => scrypt(secret, salt, keylen, options, (error, derived) => (error ? reject(error) : resolve(derived))));
}

async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const derived = await scryptAsync(secret, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), derived.toString('base64url')].join('$');
}

async function secretMatches(secret: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64url');
  const derived = await scryptAsync(secret, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 256 * 1024 * 1024,
  });
  return derived.length === expected.length && timingSafeEqual(derived, expected);
}

/** A key file the CLI was asked to read is not there. */
export class KeyFileNotFoundError extends Error {
  override name = 'KeyFileNotFoundError';
}

/** How verified keys are remembered: at most this many, so a flood of keys cannot grow memory. */
const CACHE_LIMIT = 1000;

/**
 * The named API keys, in a SQLite file of their own (LEDGER_KEYS_PATH): the same file whatever
 * the event store, never in the ledger's events (a key is not a decision of the working group, and
 * an export or a migration must not carry key hashes). The CLI writes it while a server reads it;
 * WAL lets both at once.
 *
 * Verifying a key runs scrypt once; the verified key is then remembered by a SHA-256 of what was
 * presented. Its revocation is looked up again on every request (one primary-key read), so a key
 * revoked by the CLI is refused from the very next request of a running server.
 */
export class KeyStore {
  private readonly db: Database.Database;
  private readonly verified = new Map<string, string>();
  private readonly byId: Database.Statement<[string], Row>;

  private constructor(
    db: Database.Database,
    readonly path: string,
  ) {
    this.db = db;
    this.byId = db.prepare<[string], Row>('SELECT * FROM api_keys WHERE id = ?');
  }

  /** Opens the key file, creating it (and its folder) when `create`; `existing` refuses a missing file. */
  static open(path: string, access: 'create' | 'existing' | 'read-only' = 'create'): KeyStore {
    if (access === 'create') {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    } else if (path === ':memory:' || !existsSync(path)) {
      throw new KeyFileNotFoundError(`no key file at ${path}: \`ledger keys add\` creates it (LEDGER_KEYS_PATH says where)`);
    }
    const db = new Database(path, { readonly: access === 'read-only', fileMustExist: access !== 'create' });
    db.pragma('busy_timeout = 2000');
    if (access !== 'read-only') {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.exec(SCHEMA);
    }
    return new KeyStore(db, path);
  }

  /** Makes a key for a person: the key is returned once, here, and only its hash is stored. */
  async add(name: string, role: Role, now: Date = new Date()): Promise<{ key: string; record: KeyRecord }> {
    const made = newApiKey();
    const hash = await hashSecret(made.secret);
    const createdAt = now.toISOString();
    this.db.prepare('INSERT INTO api_keys (id, name, role, hash, created_at) VALUES (?, ?, ?, ?, ?)').run(made.id, name, role, hash, createdAt);
    return { key: made.key, record: { id: made.id, name, role, createdAt, revokedAt: null } };
  }

  list(): KeyRecord[] {
    return this.db.prepare<[], Row>('SELECT * FROM api_keys ORDER BY created_at, id').all().map(recordOf);
  }

  get(id: string): KeyRecord | undefined {
    const row = this.byId.get(id);
    return row ? recordOf(row) : undefined;
  }

  /** Revokes a key for good; revoking it again changes nothing (the first revocation's time stays). */
  revoke(id: string, now: Date = new Date()): KeyRecord | undefined {
    this.db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now.toISOString(), id);
    return this.get(id);
  }

  /** Whether the key exists and is not revoked now (read from the file each time). */
  isActive(id: string): boolean {
    const row = this.byId.get(id);
    return row !== undefined && row.revoked_at === null;
  }

  /** Who presented this key, if it is a named key of this file that is not revoked. */
  async holderOf(presented: string): Promise<KeyHolder | undefined> {
    const parsed = parseApiKey(presented);
    if (!parsed) return undefined;
    const fingerprint = createHash('sha256').update(presented).digest('hex');
    const row = this.byId.get(parsed.id);
    if (!row || row.revoked_at !== null) {
      this.verified.delete(fingerprint);
      return undefined;
    }
    if (this.verified.get(fingerprint) !== row.id) {
      if (!(await secretMatches(parsed.secret, row.hash))) return undefined;
      // revoked while scrypt ran: refused all the same
      if (!this.isActive(row.id)) return undefined;
      if (this.verified.size >= CACHE_LIMIT) this.verified.clear();
      this.verified.set(fingerprint, row.id);
    }
    return { keyId: row.id, name: row.name, role: row.role, recordedBy: recordedByOf(row.role, row.id, row.name) };
  }

  /**
   * When this key was revoked, if it is a revoked key of this file presented with its own secret:
   * its holder is told why it is refused. Anyone else (a guessed id) learns nothing of it.
   */
  async revokedAtOf(presented: string): Promise<string | undefined> {
    const parsed = parseApiKey(presented);
    const row = parsed && this.byId.get(parsed.id);
    if (!parsed || !row || row.revoked_at === null) return undefined;
    return (await secretMatches(parsed.secret, row.hash)) ? row.revoked_at : undefined;
  }

  close(): void {
    this.db.close();
  }
}

function recordOf(row: Row): KeyRecord {
  return { id: row.id, name: row.name, role: row.role, createdAt: row.created_at, revokedAt: row.revoked_at };
}
