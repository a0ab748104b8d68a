import { get, type ClientRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventSource, type FetchLike } from 'eventsource';
import { composeLedger, stopServing, type LedgerApp } from '../../src/app/compose';
import { loadConfig } from '../../src/app/config';
import { SqliteEventStore } from '../../src/store/sqlite-store';
import { addBody } from '../support/builders';

const SECRETARIAT = 'secretariat-token-1';
const document = { id: 'recommendations', title: 'Political recommendations', publisher: 'EUROCITIES', issuedOn: '1999-10/2007-03-01', language: 'en' };

interface Notice {
  eventId: string;
  type: string;
  positionId?: string;
  position: string;
  revision: number;
  data: Record<string, unknown>;
}

/** GET /api/stream over a real socket on 127.0.0.1, read by a WHATWG EventSource and by plain fetch. */
describe('GET /api/stream: the live feed', () => {
  let ledger: LedgerApp;
  let server: Server;
  let base: string;
  let stopped: boolean;
  const open: EventSource[] = [];

  beforeEach(async () => {
    const config = loadConfig({
      LEDGER_TOKENS: `secretariat:${SECRETARIAT}`,
      LEDGER_SEED_ON_START: 'false',
      LEDGER_RATE_LIMIT_PER_MINUTE: '0',
      LEDGER_STREAM_HEARTBEAT_SECONDS: '0.05',
    });
    ledger = await composeLedger(config, { store: new SqliteEventStore(':memory:', { pollIntervalMs: 20 }) });
    server = ledger.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    stopped = false;
    await post('/api/documents', document);
  });
  afterEach(async () => {
    for (const source of open.splice(0)) source.close();
    if (!stopped) await stopServing(server, ledger);
  });

  const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(base + path, {
      method: 'POST',
      headers: { Authorization: `Bearer ${SECRETARIAT}`, 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(201);
    return res;
  };
  const add = (id: string, headers: Record<string, string> = {}) => post('/api/positions', addBody({ id }), headers);

  /** An EventSource that collects `recorded` messages; `lastEventId` optionally sent on the first connection. */
  const listen = async (lastEventId?: string) => {
    const messages: { id: string; notice: Notice }[] = [];
    const withHeader: FetchLike = (url, init) =>
      fetch(url, { ...init, headers: { ...init.headers, ...(lastEventId ? { 'Last-Event-ID': lastEventId } : {}) } });
    const source = new EventSource(`${base}/api/stream`, { fetch: withHeader });
    open.push(source);
    source.addEventListener('recorded', (e) => messages.push({ id: e.lastEventId, notice: JSON.parse(e.data) as Notice }));
    await new Promise<void>((resolve, reject) => {
      source.onopen = () => resolve();
      source.onerror = (e) => reject(new Error(`stream failed: ${e.message ?? ''}`));
    });
    return {
      messages,
      until: async (count: number) => {
        while (messages.length < count) await new Promise((r) => setTimeout(r, 10));
        return messages;
      },
    };
  };

  it('sends each event recorded after the client connected, with its global position as id, and nothing from before', async () => {
    const feed = await listen();
    await add('eu-4');
    await add('eu-5');
    const [first, second] = await feed.until(2);
    expect(first!.notice).toMatchObject({ type: 'PositionAdded', positionId: 'eu-4', revision: 0, data: { positionId: 'eu-4', title: 'Role of cities' } });
    expect(second!.notice).toMatchObject({ type: 'PositionAdded', positionId: 'eu-5' });
    expect(first!.id).toBe(first!.notice.position);
    expect(feed.messages.map((m) => m.notice.type)).not.toContain('SourceDocumentRegistered');
  });

  it('a message arrives only once the read model has the event: a page that reloads on it shows the change', async () => {
    const feed = await listen();
    await add('eu-4');
    const [message] = await feed.until(1);
    const stance = await fetch(`${base}/api/positions/${message!.notice.positionId}`);
    expect(stance.status).toBe(200);
    expect(stance.headers.get('etag')).toBe(`"${message!.notice.revision}"`);
  });

  it('resumes after Last-Event-ID: what was recorded meanwhile first, in order, then live', async () => {
    const ids: string[] = [];
    for (const id of ['eu-1', 'eu-2', 'eu-3']) ids.push((await add(id)).headers.get('ledger-event-ids')!);
    const events = (await (await fetch(`${base}/api/events`, { headers: { Authorization: `Bearer ${SECRETARIAT}` } })).json()) as {
      events: { id: string; position: string }[];
    };
    const afterFirst = events.events.find((e) => e.id === ids[0])!.position;

    const feed = await listen(afterFirst);
    await add('eu-4');
    const messages = await feed.until(3);
    expect(messages.map((m) => m.notice.positionId)).toEqual(['eu-2', 'eu-3', 'eu-4']);
  });

  it('`after` does the same for a client that cannot send headers, and Last-Event-ID wins over it', async () => {
    await add('eu-1');
    const all = (await (await fetch(`${base}/api/events`, { headers: { Authorization: `Bearer ${SECRETARIAT}` } })).json()) as {
      events: { position: string }[];
    };
    const [documentAt, firstAt] = all.events.map((e) => e.position);
    const reader = await rawStream(`/api/stream?after=${documentAt}`);
    expect(await reader.until(/"positionId":"eu-1"/)).toMatch(/event: recorded/);
    await reader.cancel();

    const both = await rawStream(`/api/stream?after=${documentAt}`, { 'Last-Event-ID': firstAt! });
    await add('eu-2');
    const text = await both.until(/"positionId":"eu-2"/);
    expect(text).not.toMatch(/"positionId":"eu-1"/);
    await both.cancel();
  });

  it('keeps an idle connection alive with heartbeat comments and tells the client when to retry', async () => {
    const reader = await rawStream('/api/stream');
    expect(reader.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(reader.response.headers.get('cache-control')).toBe('no-store');
    const text = await reader.until(/: heartbeat\n\n/);
    expect(text.startsWith('retry: ')).toBe(true);
    await reader.cancel();
  });

  it('never sends the request metadata: idempotency keys and request hashes stay out of the feed', async () => {
    const reader = await rawStream('/api/stream');
    await add('eu-4', { 'Idempotency-Key': 'wg-key-not-for-the-feed' });
    const text = await reader.until(/"positionId":"eu-4"/);
    expect(text).not.toContain('wg-key-not-for-the-feed');
    expect(text).not.toContain('requestHash');
    await reader.cancel();
  });

  it('refuses a Last-Event-ID or after that is not a position of this ledger, naming it', async () => {
    const header = await fetch(`${base}/api/stream`, { headers: { 'Last-Event-ID': 'not-a-position' } });
    expect(header.status).toBe(400);
    expect(header.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await header.json()).toMatchObject({ field: 'Last-Event-ID' });
    const query = await fetch(`${base}/api/stream?after=x1`);
    expect(query.status).toBe(400);
    expect(await query.json()).toMatchObject({ field: 'after' });
    const unknown = await fetch(`${base}/api/stream?since=1`);
    expect(await unknown.json()).toMatchObject({ status: 400, field: 'since' });
  });

  it('ends every open stream when the server stops, so that stopping does not hang', async () => {
    const readers = [await rawStream('/api/stream'), await rawStream('/api/stream')];
    expect(ledger.streams.size).toBe(2);
    await stopServing(server, ledger);
    stopped = true;
    for (const reader of readers) expect(await reader.rest()).toBeDefined();
    expect(ledger.streams.size).toBe(0);
  });

  it('forgets a stream whose client went away', async () => {
    const client = await new Promise<ClientRequest>((resolve) => {
      const req = get(`${base}/api/stream`, (res) => {
        expect(res.statusCode).toBe(200);
        resolve(req);
      });
    });
    expect(ledger.streams.size).toBe(1);
    client.destroy();
    while (ledger.streams.size > 0) await new Promise((r) => setTimeout(r, 10));
    expect(ledger.streams.size).toBe(0);
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${base}/api/openapi.json`)).json()) as {
      paths: Record<string, { get?: { responses: Record<string, { content?: Record<string, unknown> }> } }>;
    };
    expect(doc.paths['/api/stream']?.get?.responses['200']?.content).toHaveProperty('text/event-stream');
  });

  /** A plain fetch of the stream, read as text. */
  const rawStream = async (path: string, headers: Record<string, string> = {}) => {
    const controller = new AbortController();
    const response = await fetch(base + path, { headers, signal: controller.signal });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    return {
      response,
      until: async (pattern: RegExp) => {
        while (!pattern.test(text)) {
          const chunk = await reader.read();
          if (chunk.done) throw new Error(`stream ended before ${pattern}: ${text}`);
          text += decoder.decode(chunk.value, { stream: true });
        }
        return text;
      },
      /** reads to the end: resolves only when the server ends the stream */
      rest: async () => {
        for (;;) {
          const chunk = await reader.read();
          if (chunk.done) return text;
          text += decoder.decode(chunk.value, { stream: true });
        }
      },
      cancel: async () => {
        controller.abort();
        await reader.cancel().catch(() => undefined);
      },
    };
  };
});
