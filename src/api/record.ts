import type { Request } from 'express';
import canonicalize from 'canonicalize';
import type { Command } from '../domain/commands';
import { sha256Hex } from '../integrity/event-hash';
import type { Ledger, Recorded } from '../command-handling/ledger';
import type { ReadModel } from '../projections/read-model';
import { checkCitedQuote } from '../sources/cited-quote';
import { ProblemError } from './problem';
import type { StorageHealth } from './storage-health';
import { IdempotencyKey } from './validate';

/**
 * A page's form: its Idempotency-Key travels in a hidden field (fresh per rendering), and what is
 * hashed is the fields it sent without the CSRF token (the same form sent twice hashes the same).
 */
export interface FormSubmission {
  readonly idempotencyKey: string;
  readonly body: unknown;
}

/**
 * Records a command for an HTTP request (an API call or a page's form: the one write path): the Idempotency-Key and a hash of the request go to the
 * command handler (which alone answers a retry with what the first request recorded, and refuses
 * the key with another request), then waits until the read model has the new events so the client
 * reads its own write. A quote is checked against its document's file first: that reads a file, so
 * it happens here, before the pure decider runs.
 */
export async function record(
  deps: { ledger: Ledger; projection: ReadModel; storage: StorageHealth; config: { sourcesDir: string } },
  req: Request,
  command: Command,
  expectedRevision?: number,
  form?: FormSubmission,
): Promise<Recorded> {
  const principal = req.principal!;
  const key = form ? form.idempotencyKey : req.get('idempotency-key');
  if (key !== undefined && !IdempotencyKey.safeParse(key).success) {
    throw new ProblemError(400, 'validation', 'Invalid request', 'Idempotency-Key must be 1 to 200 visible ASCII characters', 'Idempotency-Key');
  }
  await checkCitedQuote(deps.config.sourcesDir, command, (id) => deps.projection.document(id));
  const requestHash =
    key === undefined ? undefined : sha256Hex(canonicalize({ method: req.method, path: req.baseUrl + req.path, body: form ? form.body : req.body }) ?? '');
  const recorded = await deps.storage.observe(() =>
    deps.ledger.execute(command, principal, {
      expectedRevision,
      idempotencyKey: key,
      requestHash,
      correlationId: req.get('x-request-id') ?? undefined,
      causationId: key,
    }),
  );
  const last = recorded.events.at(-1);
  if (last) await deps.projection.waitFor(last.eventId);
  return recorded;
}
