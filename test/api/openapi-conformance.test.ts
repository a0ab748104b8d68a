import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { composeLedger, type LedgerApp } from '../../src/app/compose';
import { loadConfig } from '../../src/app/config';
import type { ApiDeps } from '../../src/api/deps';
import { declaredOperations } from '../../src/api/operation';
import { API_ROUTES, healthRoutes } from '../../src/api/routes';
import { SqliteEventStore } from '../../src/store/sqlite-store';
import { schemaArbitrary, type JsonSchema } from '../support/schema-arbitrary';

/**
 * The OpenAPI document describes the server (issue 9 item 6): every route it serves is in the
 * document and every operation of the document is served; and, driven by the document alone,
 * requests valid by it are answered with a status the document lists for that operation, in a
 * content type it lists, with a body its schema accepts, never a 5xx, and never a 400 unless the
 * field refused is one whose description says the server checks more than the schema can express.
 */

const SECRETARIAT = 'secretariat-token-openapi';
const AUDITOR = 'auditor-token-openapi';
/** requests per operation: the whole run stays within seconds (verifying the whole ledger is the slow one) */
const RUNS_PER_OPERATION = 30;
const RUNS: Record<string, number> = { 'GET /api/audit/verify': 5 };
const runsOf = (method: string, path: string) => RUNS[`${method.toUpperCase()} ${path}`] ?? RUNS_PER_OPERATION;
const SEED = 20261123;

type Parameter = { name: string; in: 'query' | 'path' | 'header'; required?: boolean; description?: string; schema: JsonSchema };
type Content = Record<string, { schema?: JsonSchema }>;
type ResponseObject = { description: string; headers?: Record<string, { required?: boolean; schema?: JsonSchema }>; content?: Content };
type OperationObject = {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Content };
  responses: Record<string, ResponseObject>;
  security?: Record<string, string[]>[];
  'x-roles'?: string[];
};
type Document = { paths: Record<string, Record<string, OperationObject>>; components: { schemas: Record<string, JsonSchema> } };

interface Sent {
  method: string;
  path: string;
  query: [string, string][];
  headers: Record<string, string>;
  body?: unknown;
}

describe('the OpenAPI document describes the server', () => {
  let ledger: LedgerApp;
  let server: Server;
  let base: string;
  let doc: Document;
  let ajv: Ajv2020;

  beforeAll(async () => {
    const config = loadConfig({
      LEDGER_TOKENS: `secretariat:${SECRETARIAT},auditor:${AUDITOR}`,
      LEDGER_RATE_LIMIT_PER_MINUTE: '0',
      LEDGER_CHECKPOINT_INTERVAL_MINUTES: '0',
      LEDGER_LOG_LEVEL: 'silent',
    });
    // the real seed history, so that the document's examples (eu-4, political-recommendations) name existing data
    ledger = await composeLedger(config, { store: new SqliteEventStore(':memory:') });
    server = ledger.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    doc = (await (await fetch(`${base}/api/openapi.json`)).json()) as Document;
    ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ $id: 'openapi.json', components: doc.components });
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await ledger.close();
  });

  const validators = new Map<JsonSchema, ValidateFunction>();
  /** undefined when the value conforms, else what is wrong */
  const validate = (schema: JsonSchema, value: unknown) => {
    let v = validators.get(schema);
    if (!v) {
      v = ajv.compile(JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"openapi.json#/components/')) as object);
      validators.set(schema, v);
    }
    return v(value) ? undefined : ajv.errorsText(v.errors);
  };
  /** the response's status, content type and body are the document's for that operation */
  const expectDocumented = async (method: string, path: string, res: Response) => {
    const declared = doc.paths[path]![method]!.responses[String(res.status)];
    expect([method, path, res.status, declared !== undefined]).toEqual([method, path, res.status, true]);
    const type = (res.headers.get('content-type') ?? '').split(';')[0]!;
    const schema = declared!.content?.[type]?.schema;
    expect([type, schema !== undefined]).toEqual([type, true]);
    expect(validate(schema!, await res.json())).toBeUndefined();
    for (const [name, header] of Object.entries(declared!.headers ?? {})) if (header.required) expect(res.headers.get(name)).not.toBeNull();
  };

  const operationsOf = (d: Document) => Object.entries(d.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ method, path, op })));

  it('lists every route the server mounts, and the server mounts every operation it lists', () => {
    // the express routers themselves, walked: what they answer, whatever the route table says
    const deps = {
      config: ledger.config,
      store: ledger.store,
      ledger: ledger.ledger,
      projection: ledger.projection,
      streams: ledger.streams,
    } as unknown as ApiDeps;
    const mounted = [
      ...healthRoutes(deps).stack.map((layer) => ({ prefix: '', layer })),
      ...API_ROUTES.flatMap((routes) => routes(deps).stack.map((layer) => ({ prefix: '/api', layer }))),
    ].flatMap(({ prefix, layer }) => {
      const route = layer.route as { path: string; methods: Record<string, boolean> } | undefined;
      if (!route) return [];
      return Object.keys(route.methods).map((method) => `${method.toUpperCase()} ${prefix}${route.path.replace(/:(\w+)/g, '{$1}')}`);
    });
    const documented = operationsOf(doc).map(({ method, path }) => `${method.toUpperCase()} ${path}`);
    expect(mounted.length).toBeGreaterThan(20);
    expect([...new Set(mounted)].sort()).toEqual([...documented].sort());
    expect(
      declaredOperations()
        .map((op) => `${op.method.toUpperCase()} ${op.path}`)
        .sort(),
    ).toEqual([...documented].sort());
  });

  it('lists the answers the middleware gives: 401 and 429 on every route but /health, 413 and 415 on writes', () => {
    for (const { method, path, op } of operationsOf(doc)) {
      const statuses = Object.keys(op.responses);
      expect([path, statuses.includes('400'), statuses.includes('401')]).toEqual([path, true, true]);
      if (path !== '/health') expect([path, statuses]).toEqual([path, expect.arrayContaining(['429'])]);
      if (method === 'post') expect([path, statuses]).toEqual([path, expect.arrayContaining(['415', '503'])]);
      if (op.requestBody?.required) expect([path, statuses]).toEqual([path, expect.arrayContaining(['413'])]);
    }
    const exports = doc.paths['/api/positions']!.get!.responses['200']!.content!;
    expect(Object.keys(exports).sort()).toEqual(['application/json', 'application/x-ndjson', 'text/csv']);
    expect(Object.keys(doc.paths['/api/timeline']!.get!.responses['200']!.content!).sort()).toEqual(['application/json', 'application/x-ndjson', 'text/csv']);
  });

  it("answers the middleware's refusals (401, 403, 413, 415, 429) as documented, each a problem with its headers", async () => {
    const post = (headers: Record<string, string>, body: string) => fetch(`${base}/api/positions`, { method: 'POST', headers, body });
    const secretariat = { authorization: `Bearer ${SECRETARIAT}` };
    const tooLarge = await post({ ...secretariat, 'content-type': 'application/json' }, JSON.stringify({ statement: 'x'.repeat(300_000) }));
    expect(tooLarge.status).toBe(413);
    await expectDocumented('post', '/api/positions', tooLarge);
    const notJson = await post({ ...secretariat, 'content-type': 'text/plain' }, '{}');
    expect(notJson.status).toBe(415);
    await expectDocumented('post', '/api/positions', notJson);
    const noToken = await post({ 'content-type': 'application/json' }, '{}');
    expect(noToken.status).toBe(401);
    await expectDocumented('post', '/api/positions', noToken);
    const wrongRole = await post({ authorization: `Bearer ${AUDITOR}`, 'content-type': 'application/json' }, '{}');
    expect(wrongRole.status).toBe(403);
    await expectDocumented('post', '/api/positions', wrongRole);

    // a second, empty ledger with a rate limit of 2 a minute
    const limited = await composeLedger(
      loadConfig({ LEDGER_RATE_LIMIT_PER_MINUTE: '2', LEDGER_SEED_ON_START: 'false', LEDGER_CHECKPOINT_INTERVAL_MINUTES: '0', LEDGER_LOG_LEVEL: 'silent' }),
      { store: new SqliteEventStore(':memory:') },
    );
    const other = limited.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => other.once('listening', resolve));
    try {
      const url = `http://127.0.0.1:${(other.address() as AddressInfo).port}/api/themes`;
      const answers = [await fetch(url), await fetch(url), await fetch(url)];
      expect(answers.map((r) => r.status)).toEqual([200, 200, 429]);
      expect(answers[2]!.headers.get('retry-after')).toMatch(/^\d+$/);
      await expectDocumented('get', '/api/themes', answers[2]!);
      await Promise.all(answers.slice(0, 2).map((r) => r.body?.cancel()));
    } finally {
      other.closeAllConnections();
      await new Promise((resolve) => other.close(resolve));
      await limited.close();
    }
  });

  it(`answers ${RUNS_PER_OPERATION} requests valid by the document per operation as the document says`, async () => {
    const resolve = (ref: string) => doc.components.schemas[ref.replace('#/components/schemas/', '')]!;
    let sent = 0;
    const statuses = new Map<string, number>();

    for (const { method, path, op } of operationsOf(doc)) {
      const request = requestArbitrary(method, path, op, resolve);
      await fc.assert(
        fc.asyncProperty(request, async (req) => {
          sent++;
          const res = await send(base, req);
          const status = String(res.status);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          const where = `${req.method} ${req.path}?${new URLSearchParams(req.query).toString()} ${JSON.stringify(req.headers)} ${JSON.stringify(req.body) ?? ''} → ${status} ${res.text.slice(0, 400)}`;
          if (res.status >= 500) throw new Error(`a 5xx: ${where}`);
          const declared = op.responses[status];
          if (!declared) throw new Error(`status ${status} is not in the document for ${method.toUpperCase()} ${path}: ${where}`);
          for (const [name, header] of Object.entries(declared.headers ?? {})) {
            const value = res.headers.get(name);
            if (header.required && value === null) throw new Error(`header ${name} missing: ${where}`);
            if (value !== null && header.schema?.pattern && !new RegExp(header.schema.pattern, 'u').test(value))
              throw new Error(`header ${name}: ${value} does not match ${header.schema.pattern}: ${where}`);
          }
          if (declared.content) {
            const type = res.contentType;
            const content = declared.content[type];
            if (!content) throw new Error(`content type ${type} is not in the document for ${status}: ${where}`);
            if (type === 'application/json' || type.endsWith('+json')) {
              const invalid = content.schema ? validate(content.schema, JSON.parse(res.text)) : undefined;
              if (invalid) throw new Error(`the body does not conform: ${invalid}: ${where}`);
            } else if (type === 'application/x-ndjson') {
              for (const line of res.text.split('\n').filter(Boolean)) JSON.parse(line);
            }
          }
          if (status === '400') {
            const field = (JSON.parse(res.text) as { field?: string }).field;
            if (!documentsFurtherChecks(op, field, resolve))
              throw new Error(
                `a request valid by the document was refused, naming ${field}, which the document does not say the server checks further: ${where}`,
              );
          }
          if (status === '404' || status === '405') {
            const code = (JSON.parse(res.text) as { code?: string }).code;
            if (code === 'no-such-route' || code === 'method-not-allowed') throw new Error(`the document lists a route the server does not serve: ${where}`);
          }
        }),
        { numRuns: runsOf(method, path), seed: SEED, endOnFailure: true },
      );
    }
    const operations = operationsOf(doc);
    expect(sent).toBe(operations.reduce((n, { method, path }) => n + runsOf(method, path), 0));
    // the requests reached the routes' own answers, not only the refusals
    expect(statuses.get('200')).toBeGreaterThan(operations.length * 5);
    expect([...statuses.keys()]).toEqual(expect.arrayContaining(['201', '404', '412', '422']));
  }, 90_000);
});

/**
 * A 400 to a request valid by the document is allowed only for a field whose description says
 * the server refuses more than its schema expresses ("The server also refuses (400) …").
 */
function documentsFurtherChecks(op: OperationObject, field: string | undefined, resolve: (ref: string) => JsonSchema): boolean {
  if (field === undefined) return false;
  const says = (s?: { description?: string }) => /also refuses \(400\)/.test(s?.description ?? '');
  const param = op.parameters?.find((p) => p.name.toLowerCase() === field.toLowerCase());
  if (param) return says(param) || says(param.schema);
  let schema = op.requestBody?.content['application/json']?.schema;
  for (const key of field.split('.')) {
    if (!schema) return false;
    if (schema.$ref) schema = resolve(schema.$ref);
    if (says(schema)) return true;
    schema = /^\d+$/.test(key) ? schema.items : schema.properties?.[key];
    if (schema?.$ref && says(schema)) return true;
  }
  return says(schema) || (schema?.$ref !== undefined && says(resolve(schema.$ref)));
}

function requestArbitrary(method: string, path: string, op: OperationObject, resolve: (ref: string) => JsonSchema): fc.Arbitrary<Sent> {
  const params = op.parameters ?? [];
  const valueOf = (p: Parameter) => {
    const value = schemaArbitrary(p.schema, resolve, { ascii: p.in === 'header' });
    // a header is visible ASCII (HTTP strips the white space around it)
    return p.in === 'header' ? value.filter((v) => typeof v === 'string' && /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/.test(v)) : value;
  };
  const pick = (where: Parameter['in']) =>
    fc.record(Object.fromEntries(params.filter((p) => p.in === where).map((p) => [p.name, valueOf(p)])), {
      requiredKeys: params.filter((p) => p.in === where && p.required).map((p) => p.name) as never[],
    }) as fc.Arbitrary<Record<string, unknown>>;
  const body = op.requestBody ? schemaArbitrary(op.requestBody.content['application/json']!.schema!, resolve) : fc.constant(undefined);
  const sendsBody = op.requestBody?.required ? fc.constant(true) : op.requestBody ? fc.boolean() : fc.constant(false);
  const role = op['x-roles']?.[0];
  return fc
    .record({ path: pick('path'), query: pick('query'), headers: pick('header'), body, sendsBody })
    .map(({ path: values, query, headers, body, sendsBody }) => ({
      method: method.toUpperCase(),
      path: path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(values[name]))),
      // a repeatable parameter (an array) is sent once per value
      query: Object.entries(query).flatMap(([k, v]) =>
        Array.isArray(v) ? v.map((x) => [k, String(x)] as [string, string]) : [[k, String(v)] as [string, string]],
      ),
      headers: {
        ...(Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)])) as Record<string, string>),
        ...(role ? { authorization: `Bearer ${role === 'auditor' ? AUDITOR : SECRETARIAT}` } : {}),
      },
      ...(sendsBody ? { body } : {}),
    }));
}

async function send(base: string, req: Sent): Promise<{ status: number; headers: Headers; contentType: string; text: string }> {
  const query = new URLSearchParams(req.query).toString();
  const res = await fetch(`${base}${req.path}${query ? `?${query}` : ''}`, {
    method: req.method,
    headers: { ...req.headers, ...(req.body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(req.body === undefined ? {} : { body: JSON.stringify(req.body) }),
  });
  const contentType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
  if (contentType === 'text/event-stream') {
    // a live feed never ends: its status and type are the answer
    await res.body?.cancel();
    return { status: res.status, headers: res.headers, contentType, text: '' };
  }
  return { status: res.status, headers: res.headers, contentType, text: await res.text() };
}
