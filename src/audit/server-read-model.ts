import type { DocumentView, LedgerVersion } from '../projections/ledger-projection';
import type { Stance } from '../projections/stance';
import type { ProjectionSnapshot } from './projection-snapshot';

export class ServerUnreachableError extends Error {
  override name = 'ServerUnreachableError';
}

/**
 * The read model a running server shows, read through its public API as any reader sees it:
 * the CLI holds it to the projections it rebuilds from the store itself, trusting the server for
 * nothing.
 */
export async function fetchServerReadModel(baseUrl: string, fetchImpl: typeof fetch = fetch): Promise<ProjectionSnapshot> {
  const get = async <T>(path: string): Promise<T> => {
    const url = new URL(path, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
    let res: Response;
    try {
      res = await fetchImpl(url, { headers: { accept: 'application/json' } });
    } catch (error) {
      throw new ServerUnreachableError(`cannot reach ${url.href}: ${(error as Error & { cause?: { code?: string } }).cause?.code ?? (error as Error).message}`);
    }
    if (!res.ok) throw new ServerUnreachableError(`${url.href} answered ${res.status}`);
    return (await res.json()) as T;
  };
  // the list is paged: every page, at the ledger version of the first
  const positions: Stance[] = [];
  let ledgerVersion: LedgerVersion | undefined;
  let cursor: string | null = null;
  do {
    const page: { positions: Stance[]; ledgerVersion: LedgerVersion; next: string | null } = await get(
      `api/positions?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    positions.push(...page.positions);
    ledgerVersion ??= page.ledgerVersion;
    cursor = page.next;
  } while (cursor !== null);
  const { documents } = await get<{ documents: DocumentView[] }>('api/documents');
  return { positions, documents, version: ledgerVersion! };
}
