import { basename, dirname, join } from 'node:path';
import { z } from 'zod';

/** All configuration comes from the environment; one definition, validated at start-up with clear errors. */
const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  LEDGER_STORE: z.enum(['sqlite', 'esdb']).default('sqlite'),
  LEDGER_SQLITE_PATH: z.string().min(1).default('data/ledger.db'),
  ESDB_CONNECTION_STRING: z.string().optional(),
  LEDGER_READ_MODEL_DIR: z.string().min(1).optional(),
  LEDGER_KEYS_PATH: z.string().min(1).optional(),
  LEDGER_TOKENS: z.string().default(''),
  LEDGER_HISTORY_START: z.iso.date().default('2006-01-01'),
  LEDGER_SEED_DIR: z.string().default('events'),
  LEDGER_SOURCES_DIR: z.string().default('sources'),
  LEDGER_SEED_ON_START: z.enum(['true', 'false']).default('true'),
  LEDGER_PUBLIC_READS: z.enum(['true', 'false']).default('true'),
  LEDGER_READ_ONLY: z.enum(['true', 'false']).default('false'),
  LEDGER_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LEDGER_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(600),
  LEDGER_CHECKPOINT_INTERVAL_MINUTES: z.coerce.number().min(0).default(60),
  LEDGER_SESSION_MINUTES: z.coerce
    .number()
    .positive()
    .max(7 * 24 * 60)
    .default(480),
  LEDGER_STREAM_HEARTBEAT_SECONDS: z.coerce.number().positive().max(3600).default(15),
});

export type Role = 'secretariat' | 'auditor';

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly store: { kind: 'sqlite'; path: string } | { kind: 'esdb'; connectionString: string };
  /** the read store's directory (its SQLite generations and CURRENT) */
  readonly readModelDir: string;
  readonly tokens: ReadonlyMap<string, Role>;
  /** the named API keys' file (`ledger keys`): their hashes, names, roles and revocations */
  readonly keysPath: string;
  readonly historyStart: string;
  readonly seedDir: string;
  readonly sourcesDir: string;
  readonly seedOnStart: boolean;
  readonly publicReads: boolean;
  /** serve the ledger read-only on purpose (a replica, a read-only file): writes answer 503 */
  readonly readOnly: boolean;
  readonly logLevel: string;
  readonly rateLimitPerMinute: number;
  readonly checkpointIntervalMinutes: number;
  /** a web session ends this long after signing in, whatever happens meanwhile */
  readonly sessionMinutes: number;
  readonly streamHeartbeatSeconds: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new ConfigError(`configuration: ${first.path.join('.')}: ${first.message}`);
  }
  const e = parsed.data;
  if (e.LEDGER_STORE === 'esdb' && !e.ESDB_CONNECTION_STRING) {
    throw new ConfigError('configuration: LEDGER_STORE=esdb needs ESDB_CONNECTION_STRING (e.g. esdb://127.0.0.1:2113?tls=false)');
  }
  const readModelDir = e.LEDGER_READ_MODEL_DIR ?? defaultReadModelDir(e.LEDGER_STORE, e.LEDGER_SQLITE_PATH);
  return {
    port: e.PORT,
    host: e.HOST,
    store: e.LEDGER_STORE === 'esdb' ? { kind: 'esdb', connectionString: e.ESDB_CONNECTION_STRING! } : { kind: 'sqlite', path: e.LEDGER_SQLITE_PATH },
    readModelDir,
    tokens: parseTokens(e.LEDGER_TOKENS),
    keysPath: e.LEDGER_KEYS_PATH ?? defaultKeysPath(e.LEDGER_STORE, e.LEDGER_SQLITE_PATH, readModelDir),
    historyStart: e.LEDGER_HISTORY_START,
    seedDir: e.LEDGER_SEED_DIR,
    sourcesDir: e.LEDGER_SOURCES_DIR,
    seedOnStart: e.LEDGER_SEED_ON_START === 'true',
    publicReads: e.LEDGER_PUBLIC_READS === 'true',
    readOnly: e.LEDGER_READ_ONLY === 'true',
    logLevel: e.LEDGER_LOG_LEVEL,
    rateLimitPerMinute: e.LEDGER_RATE_LIMIT_PER_MINUTE,
    checkpointIntervalMinutes: e.LEDGER_CHECKPOINT_INTERVAL_MINUTES,
    sessionMinutes: e.LEDGER_SESSION_MINUTES,
    streamHeartbeatSeconds: e.LEDGER_STREAM_HEARTBEAT_SECONDS,
  };
}

/** Beside the SQLite ledger (data/ledger.db → data/ledger.read-model/), or data/read-model/ for KurrentDB. */
function defaultReadModelDir(store: 'sqlite' | 'esdb', sqlitePath: string): string {
  if (store === 'esdb') return join('data', 'read-model');
  return join(dirname(sqlitePath), `${basename(sqlitePath).replace(/\.[^.]*$/, '')}.read-model`);
}

/** Beside the SQLite ledger (data/ledger.db → data/ledger.keys.db), or beside the read store on KurrentDB (data/read-model → data/keys.db): a file of its own either way. */
function defaultKeysPath(store: 'sqlite' | 'esdb', sqlitePath: string, readModelDir: string): string {
  if (store === 'esdb') return join(dirname(readModelDir), 'keys.db');
  return join(dirname(sqlitePath), `${basename(sqlitePath).replace(/\.[^.]*$/, '')}.keys.db`);
}

/** LEDGER_TOKENS: comma-separated role:token pairs, e.g. "secretariat:s3cret,auditor:4udit". */
export function parseTokens(spec: string): Map<string, Role> {
  const tokens = new Map<string, Role>();
  // errors name the entry by its place, never by its text: any part of it may be a secret
  for (const [index, pair] of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .entries()) {
    const at = pair.indexOf(':');
    const role = pair.slice(0, at);
    const token = pair.slice(at + 1);
    if (at < 1 || (role !== 'secretariat' && role !== 'auditor')) {
      throw new ConfigError(`configuration: LEDGER_TOKENS: entry ${index + 1} does not start with a role: write role:token, the role secretariat or auditor`);
    }
    if (token.length < 8) throw new ConfigError(`configuration: LEDGER_TOKENS: the ${role} token (entry ${index + 1}) must be at least 8 characters`);
    // one token, two roles: whichever came last would win, silently taking the other's rights away
    const taken = tokens.get(token);
    if (taken !== undefined && taken !== role)
      throw new ConfigError(`configuration: LEDGER_TOKENS: the same token is given to both ${taken} and ${role}; give each role its own`);
    tokens.set(token, role);
  }
  return tokens;
}
