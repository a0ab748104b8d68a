import { EventStoreDBClient, binaryEvent, jsonEvent } from '@eventstore/db-client';
import { status } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { composeLedger } from '../../src/app/compose';
import { loadConfig } from '../../src/app/config';
import { LEDGER_STREAM_PREFIXES } from '../../src/domain/stream-names';
import { v5 as uuidv5 } from 'uuid';
import { toProblem } from '../../src/api/errors';
import { copyLedger } from '../../src/migrate/copy';
import { EsdbEventStore, type EsdbStoreOptions } from '../../src/store/esdb-store';
import {
  AppendOutcomeUnknownError,
  AppendTooLargeError,
  DuplicateEventIdError,
  InvalidPositionError,
  StoreUnavailableError,
  type NewEvent,
  type StoredEvent,
} from '../../src/store/event-store';
import { SqliteEventStore } from '../../src/store/sqlite-store';
import { addBody } from '../support/builders';
import { KurrentDbProtocolFake } from '../support/esdb-protocol-fake';

/**
 * The KurrentDB store on a server as unkind as a real one in a cluster shared with other
 * applications: a follower, writes that time out while they replicate, foreign events, bad
 * positions, size limits and persistent faults. Each test names the guarantee it shows
 * (docs/kurrentdb.md, "Guarantees").
 */
describe('KurrentDB store on an unkind server', () => {
  let fake: KurrentDbProtocolFake;
  const closing: Array<() => Promise<void>> = [];
  const store = (options: EsdbStoreOptions = {}, on: KurrentDbProtocolFake = fake) => {
    const s = EsdbEventStore.connect(on.connectionString, { resubscribeDelayMs: { first: 20, max: 100 }, ...options });
    closing.push(() => s.close());
    return s;
  };
  const ev = (data: Record<string, unknown> = {}): NewEvent => ({
    id: randomUUID(),
    type: 'Happened',
    data: { n: 1, ...data },
    metadata: { recordedBy: 'test' },
  });

  beforeEach(async () => {
    fake = await KurrentDbProtocolFake.start();
  });
  afterEach(async () => {
    for (const close of closing.splice(0).reverse()) await close();
    await fake.stop();
  });

  describe('leader awareness', () => {
    it('decides on the leader: stream reads and appends through a follower reach the leader it names', async () => {
      const follower = await KurrentDbProtocolFake.start({ leader: fake });
      closing.push(() => follower.stop());
      const onLeader = store();
      await onLeader.append('pos-1', [ev(), ev()], 'no-stream');
      // The follower has not replicated: without requires-leader it would answer "no such stream".
      const onFollower = store({}, follower);
      expect(await onFollower.readStream('pos-1')).toHaveLength(2);
      const r = await onFollower.append('pos-1', [ev()], 1);
      expect(r.nextExpectedRevision).toBe(2);
      expect(await onLeader.readStream('pos-1')).toHaveLength(3);
    });
  });

  describe('appends whose outcome is in doubt', () => {
    it('a write that timed out while it replicated, and whose retry was dropped, is found by its ids: success, stored once', async () => {
      const s = store({ appendDeadlineMs: 150, outcomeBudgetMs: 3000 });
      await s.append('pos-2', [ev()], 'no-stream');
      fake.log.holdNextWrite(500);
      const events = [ev(), ev()];
      const r = await s.append('pos-2', events, 0);
      expect(r.stored.map((e) => e.id)).toEqual(events.map((e) => e.id));
      expect(r.retried).toBe(false);
      expect((await s.readStream('pos-2')).map((e) => e.id)).toHaveLength(3);
    });

    it('still in doubt after the budget: AppendOutcomeUnknownError, a 503 asking for the same Idempotency-Key, and the retry lands once', async () => {
      const s = store({ appendDeadlineMs: 100, outcomeBudgetMs: 250 });
      fake.log.holdNextWrite(1600); // far beyond the budget, so that a slow machine still gives up first
      const events = [ev()];
      const failed = await s.append('pos-3', events, 'no-stream').catch((e: unknown) => e);
      expect(failed).toBeInstanceOf(AppendOutcomeUnknownError);
      expect(toProblem(failed, '/api/positions')).toMatchObject({ status: 503, code: 'outcome-unknown', field: 'Idempotency-Key' });
      await new Promise((r) => setTimeout(r, 1500));
      const again = await s.append('pos-3', events, 'no-stream');
      expect(again.stored.map((e) => e.id)).toEqual([events[0]!.id]);
      expect(await s.readStream('pos-3')).toHaveLength(1);
    });

    it('through the API: 503 with Retry-After, then the same request with the same Idempotency-Key is answered once recorded, stored once; without a key the 503 says a retry may record twice', async () => {
      const s = store({ appendDeadlineMs: 100, outcomeBudgetMs: 250, streams: LEDGER_STREAM_PREFIXES });
      const config = loadConfig({ LEDGER_TOKENS: 'secretariat:secretariat-token-1', LEDGER_SEED_ON_START: 'false', LEDGER_RATE_LIMIT_PER_MINUTE: '0' });
      const ledger = await composeLedger(config, { store: s });
      closing.push(() => ledger.close());
      const post = (path: string, body: object, headers: Record<string, string> = {}) =>
        request(ledger.app)
          .post(path)
          .set({ Authorization: 'Bearer secretariat-token-1', ...headers })
          .send(body);
      const document = { id: 'recommendations', title: 'Political recommendations', publisher: 'EUROCITIES', issuedOn: '1999-10/2007-03-01', language: 'en' };
      expect((await post('/api/documents', document)).status).toBe(201);
      const body = addBody({ id: 'eu-in-doubt' });
      const key = { 'Idempotency-Key': 'in-doubt-1' };
      fake.log.holdNextWrite(1600, 'position-');
      const first = await post('/api/positions', body, key);
      expect(first.status).toBe(503);
      expect(first.headers['retry-after']).toBe('5');
      expect(first.body).toMatchObject({ code: 'outcome-unknown', field: 'Idempotency-Key' });
      await new Promise((r) => setTimeout(r, 1500));
      const again = await post('/api/positions', body, key);
      expect(again.status).toBe(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(await s.readStream('position-eu-in-doubt')).toHaveLength(1);

      // without an Idempotency-Key a retry is not safe: the answer says so instead of asking for the key it did not send
      fake.log.holdNextWrite(1600, 'position-');
      const keyless = await post('/api/positions', addBody({ id: 'eu-in-doubt-keyless' }));
      expect(keyless.status).toBe(503);
      expect(keyless.body).toMatchObject({ code: 'outcome-unknown', detail: expect.stringContaining('carried no Idempotency-Key') });
      expect(keyless.body.field).toBeUndefined();
      expect(keyless.body.detail).not.toContain('with the same Idempotency-Key');
      await new Promise((r) => setTimeout(r, 1500));
    });

    it('another append that wrote the same ids first is told apart (retried), even when the server answers idempotently', async () => {
      const a = store();
      const b = store();
      const events = [ev()];
      await a.append('pos-4', events, 'no-stream');
      const second = await b.append(
        'pos-4',
        events.map((e) => ({ ...e, metadata: { recordedBy: 'someone else' } })),
        'no-stream',
      );
      expect(second.retried).toBe(true);
      expect(second.stored[0]!.metadata).toEqual({ recordedBy: 'test' });
    });
  });

  describe('event ids', () => {
    const derived = (key: string, i: number) => uuidv5(`secretariat/1\n${key}\n${i}`, '6ba7b811-9dad-11d1-80b4-00c04fd430c8');

    it('random ids write nothing beside the events: one record per event in $all', async () => {
      const s = store({ namespace: 'ns1-' });
      await s.append('pos-5', [ev(), ev(), ev()], 'no-stream');
      const client = EventStoreDBClient.connectionString(fake.connectionString);
      closing.push(async () => client.dispose());
      const records: string[] = [];
      for await (const r of client.readAll()) if (r.event?.streamId.startsWith('ns1-')) records.push(r.event.streamId);
      expect(records).toEqual(['ns1-pos-5', 'ns1-pos-5', 'ns1-pos-5']);
    });

    it('a claim whose write timed out is sent again and recognised by the server: the append goes on', async () => {
      const s = store({ appendDeadlineMs: 100, outcomeBudgetMs: 3000 });
      fake.log.holdNextWrite(300, 'ledger-event-id-');
      const keyed = { ...ev(), id: derived('key-2', 0) };
      const r = await s.append('pos-11', [keyed], 'no-stream');
      expect(r.stored.map((e) => e.id)).toEqual([keyed.id]);
    });

    it('an id derived from an Idempotency-Key is refused on another stream; a claim left by a refused append does not block its own stream', async () => {
      const s = store();
      await s.append('pos-6', [ev()], 'no-stream');
      const keyed = { ...ev(), id: derived('key-1', 0) };
      await expect(s.append('pos-6', [keyed], 5)).rejects.toMatchObject({ name: 'WrongExpectedRevisionError' });
      const r = await s.append('pos-6', [keyed], 0);
      expect(r.stored[0]!.id).toBe(keyed.id);
      await expect(s.append('pos-7', [keyed], 'no-stream')).rejects.toBeInstanceOf(DuplicateEventIdError);
      expect(await s.readStream('pos-7')).toEqual([]);
    });
  });

  describe('a database shared with other applications', () => {
    it('reads and follows only the ledger streams: foreign JSON and binary events are neither delivered nor a failure', async () => {
      const other = EventStoreDBClient.connectionString(fake.connectionString);
      closing.push(async () => other.dispose());
      await other.appendToStream('orders-1', binaryEvent({ type: 'OrderPlaced', data: Buffer.from([0xff, 0x00, 0x13]) }));
      const s = store({ streams: ['position-', 'document-'] });
      await s.append('position-a', [ev()], 'no-stream');
      await other.appendToStream('orders-2', jsonEvent({ type: 'OrderPlaced', data: { total: 3 } }));
      await s.append('document-b', [ev()], 'no-stream');
      expect((await s.readAll()).map((e) => e.streamId)).toEqual(['position-a', 'document-b']);
      const seen: string[] = [];
      const errors: unknown[] = [];
      const done = new Promise<void>((resolve) => {
        const sub = s.subscribeToAll({ onError: (e) => errors.push(e) }, (e) => {
          seen.push(e.streamId);
          if (seen.length === 3) void sub.close().then(resolve);
        });
      });
      await other.appendToStream('orders-3', binaryEvent({ type: 'OrderPlaced', data: Buffer.from([1]) }));
      await s.append('position-a', [ev()], 0);
      await done;
      expect(seen).toEqual(['position-a', 'document-b', 'position-a']);
      expect(errors).toEqual([]);
    });

    it('two namespaces in one database do not see each other (test runs against a shared server)', async () => {
      const a = store({ namespace: 'runA-' });
      const b = store({ namespace: 'runB-' });
      await a.append('pos-1', [ev()], 'no-stream');
      await b.append('pos-1', [ev(), ev()], 'no-stream');
      expect((await a.readAll()).map((e) => e.streamId)).toEqual(['pos-1']);
      expect(await b.readStream('pos-1')).toHaveLength(2);
    });
  });

  describe('positions', () => {
    let s: EsdbEventStore;
    let events: StoredEvent[];
    beforeEach(async () => {
      s = store();
      await s.append('pos-8', [ev({ text: 'x'.repeat(100) }), ev()], 'no-stream');
      events = await s.readAll();
    });
    const inside = (p: string) => p.replace(/C:(\d+)\/P:(\d+)/, (_m, c: string, q: string) => `C:${BigInt(c) + 8n}/P:${BigInt(q) + 8n}`);

    it('a position inside a record is the ledger invalid-position error (400), not an unknown one (500)', async () => {
      const bad = inside(events[0]!.position);
      const error = await s.readAll({ after: bad }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidPositionError);
      expect(toProblem(error, '/api/events')).toMatchObject({ status: 400, field: 'after' });
    });

    it('a position past the last event the ledger served is refused, on a read and on a subscription', async () => {
      const beyond = 'C:99999999/P:99999999';
      await expect(s.readAll({ after: beyond })).rejects.toBeInstanceOf(InvalidPositionError);
      expect(await s.readAll({ after: events.at(-1)!.position })).toEqual([]);
      const error = await new Promise((resolve) => s.subscribeToAll({ after: beyond, onError: resolve }, () => undefined));
      expect(error).toBeInstanceOf(InvalidPositionError);
    });

    it('a subscription from inside a record is the invalid-position error too', async () => {
      const error = await new Promise((resolve) => s.subscribeToAll({ after: inside(events[0]!.position), onError: resolve }, () => undefined));
      expect(error).toBeInstanceOf(InvalidPositionError);
    });
  });

  describe('size limits', () => {
    it('an append over the limit is refused before it is sent, and the server limit maps to the same error (413)', async () => {
      const s = store({ maxAppendBytes: 2000 });
      const error = await s.append('pos-9', [ev({ text: 'x'.repeat(3000) })], 'no-stream').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppendTooLargeError);
      expect(toProblem(error, '/api/positions')).toMatchObject({ status: 413 });
      const trusting = store({ maxAppendBytes: 10 * 1024 * 1024 });
      await expect(trusting.append('pos-9', [ev({ text: 'x'.repeat(1024 * 1024) })], 'no-stream')).rejects.toMatchObject({
        name: 'AppendTooLargeError',
        maxBytes: 1024 * 1024,
      });
      expect(fake.calls.batchAppend).toBe(1);
    });

    it('migrate caps each append by bytes: a long stream of large events is copied in runs under the limit', async () => {
      const source = new SqliteEventStore(':memory:');
      closing.push(() => source.close());
      const events = Array.from({ length: 12 }, () => ev({ text: 'y'.repeat(400 * 1024) }));
      await source.append('position-big', events, 'no-stream');
      const target = store();
      const report = await copyLedger(source, target);
      expect(report.copied).toBe(12);
      expect(fake.calls.batchAppend).toBeGreaterThanOrEqual(6);
      expect((await target.readStream('position-big')).map((e) => e.id)).toEqual(events.map((e) => e.id));
    });
  });

  describe('persistent faults', () => {
    it('a server that keeps answering INTERNAL: the live follower gives up after the bounded time with a clear error', async () => {
      const s = store({ giveUpAfterMs: 300 });
      fake.faults.push({ method: 'subscribe', code: status.INTERNAL, details: 'Unexpected error in the storage engine', times: Number.POSITIVE_INFINITY });
      const error = await new Promise((resolve) => s.subscribeToAll({ onError: resolve }, () => undefined));
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).toMatch(/kept failing .*gave up.*storage engine/);
    });

    it('an INTERNAL that passes is survived: the follower resubscribes and delivers', async () => {
      const s = store({ giveUpAfterMs: 5000 });
      await s.append('pos-10', [ev()], 'no-stream');
      fake.faults.push({ method: 'subscribe', code: status.INTERNAL, details: 'hiccup', times: 2 });
      const errors: unknown[] = [];
      const got = await new Promise<string>((resolve) => {
        const sub = s.subscribeToAll({ onError: (e) => errors.push(e) }, (e) => void sub.close().then(() => resolve(e.streamId)));
      });
      expect(got).toBe('pos-10');
      expect(errors).toEqual([]);
    });

    it('an append answered INTERNAL (a connection dropped mid-call, a storage hiccup) is in doubt, not a failure: looked up, sent again, stored once', async () => {
      const s = store({ outcomeBudgetMs: 5000 });
      await s.append('pos-11', [ev()], 'no-stream');
      fake.faults.push({ method: 'append', code: status.INTERNAL, details: 'Received RST_STREAM with code 2 (Internal server error)', times: 2 });
      const events = [ev(), ev()];
      const r = await s.append('pos-11', events, 0);
      expect(r.stored.map((e) => e.id)).toEqual(events.map((e) => e.id));
      expect((await s.readStream('pos-11')).map((e) => e.id)).toHaveLength(3);
    });

    it('an append that keeps meeting INTERNAL ends as outcome-unknown (503 with Retry-After), never as an unexplained 500', async () => {
      const s = store({ outcomeBudgetMs: 300 });
      fake.faults.push({ method: 'append', code: status.INTERNAL, details: 'Unexpected error in the storage engine', times: Number.POSITIVE_INFINITY });
      const failed = await s.append('pos-12', [ev()], 'no-stream').catch((e: unknown) => e);
      expect(failed).toBeInstanceOf(AppendOutcomeUnknownError);
      expect(toProblem(failed, '/api/positions')).toMatchObject({ status: 503 });
    });
  });
});
