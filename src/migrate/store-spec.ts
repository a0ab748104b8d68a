import { ConfigError, type Config } from '../app/config';

/**
 * A store named on the command line (a malformed one is a usage error: exit 2): `sqlite:<path>` for a SQLite file, or a KurrentDB
 * connection string (`esdb://host:2113?tls=false`, `esdb+discover://a:2113,b:2113,c:2113`).
 */
export function parseStoreSpec(spec: string): Config['store'] {
  if (spec.startsWith('sqlite:')) {
    const path = spec.slice('sqlite:'.length);
    if (path.length === 0) throw new ConfigError(`store "${spec}": sqlite: needs a file path, e.g. sqlite:data/ledger.db`);
    return { kind: 'sqlite', path };
  }
  if (/^esdb(\+discover)?:\/\//.test(spec)) return { kind: 'esdb', connectionString: spec };
  throw new ConfigError(`store "${spec}": expected sqlite:<path> or a KurrentDB connection string (esdb://… or esdb+discover://…)`);
}

export function describeStore(store: Config['store']): string {
  return store.kind === 'sqlite' ? `SQLite ${store.path}` : `KurrentDB ${store.connectionString.replace(/\/\/[^@/]*@/, '//***@')}`;
}
