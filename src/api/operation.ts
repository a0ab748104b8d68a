import { OpenAPIRegistry, type ResponseConfig } from '@asteasolutions/zod-to-openapi';
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import type { Role } from '../app/config';
import { requireRole } from './auth';
import { Problem } from './problem';
import { emptyBody, parseBody, parseHeaders, parseParams, parseQuery } from './validate';

/**
 * The route table: each HTTP operation is declared once, with the zod schemas of its path, query,
 * headers and body and the answers it gives. The same declaration mounts the route, validates
 * its requests and describes it in the OpenAPI document, so the document cannot promise what the
 * server refuses, nor leave out a route or a status it answers.
 */
export const registry = new OpenAPIRegistry();
const bearer = registry.registerComponent('securitySchemes', 'bearer', {
  type: 'http',
  scheme: 'bearer',
  description: 'a token of LEDGER_TOKENS (role secretariat or auditor)',
});

type Method = 'get' | 'post';
type Schema = z.ZodType;
type ObjectSchema = z.ZodObject;

export interface OperationSpec<
  P extends ObjectSchema | undefined,
  Q extends Schema | undefined,
  H extends ObjectSchema | undefined,
  B extends Schema | undefined,
> {
  readonly method: Method;
  /** as in the document: `/api/positions/{id}` */
  readonly path: string;
  readonly summary: string;
  readonly description?: string;
  /** a bearer token of one of these roles is needed; without, a read that is public unless LEDGER_PUBLIC_READS=false */
  readonly roles?: readonly Role[];
  readonly params?: P;
  /** absent: the operation takes no query parameter (any is refused) */
  readonly query?: Q;
  readonly headers?: H;
  /** a JSON object body; `'empty'`: no body, or `{}` */
  readonly body?: B | 'empty';
  /** the operation's own answers; the ones shared by every route (400, 401, 429, …) are added from what the middleware does */
  readonly responses: Record<number, ResponseConfig>;
  /** reads the event store itself (not the read model), so it may find the store unavailable: 503 */
  readonly readsStore?: boolean;
  /** liveness probes are never rate limited */
  readonly notRateLimited?: boolean;
}

export interface Operation<
  P extends ObjectSchema | undefined,
  Q extends Schema | undefined,
  H extends ObjectSchema | undefined,
  B extends Schema | undefined,
> extends OperationSpec<P, Q, H, B> {
  /** Validates a request with the operation's schemas, in the order path, query, body, headers. */
  parse(req: Request): {
    params: P extends ObjectSchema ? z.infer<P> : Record<string, never>;
    query: Q extends Schema ? z.infer<Q> : Record<string, never>;
    headers: H extends ObjectSchema ? z.infer<H> : Record<string, never>;
    body: B extends Schema ? z.infer<B> : undefined;
  };
}

export type AnyOperation = Operation<ObjectSchema | undefined, Schema | undefined, ObjectSchema | undefined, Schema | undefined>;

const operations: AnyOperation[] = [];

/** Every operation declared so far (the route modules declare theirs when they are loaded). */
export function declaredOperations(): readonly AnyOperation[] {
  return operations;
}

export const problem = (description: string, headers?: ResponseConfig['headers']): ResponseConfig => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/problem+json': { schema: Problem } },
});
export const json = (description: string, schema: z.ZodType, headers?: ResponseConfig['headers']): ResponseConfig => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/json': { schema } },
});

const retryAfter = { 'Retry-After': { description: 'seconds to wait before trying again', schema: { type: 'string' as const, pattern: '^\\d+$' } } };

/** What the middleware in front of every route can answer (see app.ts, auth.ts, body-bytes.ts, validate.ts). */
function sharedResponses(
  spec: OperationSpec<ObjectSchema | undefined, Schema | undefined, ObjectSchema | undefined, Schema | undefined>,
): Record<number, ResponseConfig> {
  const writes = spec.method !== 'get';
  const shared: Record<number, ResponseConfig> = {
    400: problem(
      'malformed request: the problem names the field (`field`) and says what is wrong. Unknown query parameters, a parameter given twice, and unknown body fields are refused; so are values the schemas here cannot fully express, as their descriptions say ("The server also refuses (400) …")',
    ),
    401: problem(
      spec.roles
        ? 'no bearer token, or one that is not valid'
        : 'an Authorization header that is not a valid bearer token (or none, when reads are not public: LEDGER_PUBLIC_READS=false)',
      {
        'WWW-Authenticate': { description: 'Bearer, when no token was sent', schema: { type: 'string' } },
      },
    ),
  };
  // with two roles every valid token has one of them
  if (spec.roles && spec.roles.length < 2) shared[403] = problem(`the token's role may not do this (it needs ${spec.roles.join(' or ')})`);
  // express.json reads any JSON body, also where the operation takes none
  if (writes)
    shared[413] = problem(
      spec.body === 'empty'
        ? 'the body is larger than 256 kB'
        : 'the body is larger than 256 kB, or the events to record are larger than the event store takes in one write',
    );
  if (writes) shared[415] = problem('the body is not application/json (or +json) in UTF-8');
  if (!spec.notRateLimited)
    shared[429] = problem('the rate limit for this address (LEDGER_RATE_LIMIT_PER_MINUTE) is exceeded', {
      ...retryAfter,
      RateLimit: { description: "the limit's state (IETF draft 8)", schema: { type: 'string' } },
    });
  if (writes)
    shared[503] = problem(
      'the store cannot take writes now (disk full, read-only, I/O error, locked by another process, unreachable), or did not confirm the write (`outcome-unknown`: with an Idempotency-Key, send the same request again with the same key, it is never recorded twice; without one, read the stream first, a retry may record it twice)',
      retryAfter,
    );
  else if (spec.readsStore) shared[503] = problem('the event store cannot be read now', retryAfter);
  return shared;
}

const NoQuery = z.strictObject({});

/** Declares an operation: it is in the OpenAPI document from now on, and `mount` serves it. */
export function operation<
  P extends ObjectSchema | undefined = undefined,
  Q extends Schema | undefined = undefined,
  H extends ObjectSchema | undefined = undefined,
  B extends Schema | undefined = undefined,
>(spec: OperationSpec<P, Q, H, B>): Operation<P, Q, H, B> {
  const roles = spec.roles;
  const body = spec.body;
  registry.registerPath({
    method: spec.method,
    path: spec.path,
    summary: spec.summary,
    description: [spec.description, spec.query ? 'Unknown query parameters are refused (400).' : 'Takes no query parameters: any is refused (400).']
      .filter(Boolean)
      .join(' '),
    // a public read also takes a token (and needs one when LEDGER_PUBLIC_READS=false)
    security: roles ? [{ [bearer.name]: [] }] : [{}, { [bearer.name]: [] }],
    ...(roles ? { 'x-roles': [...roles] } : {}),
    request: {
      ...(spec.params ? { params: spec.params } : {}),
      ...(spec.query ? { query: spec.query as unknown as ObjectSchema } : {}),
      ...(spec.headers ? { headers: spec.headers } : {}),
      ...(body === 'empty'
        ? { body: { required: false, description: 'nothing, or an empty JSON object', content: { 'application/json': { schema: z.strictObject({}) } } } }
        : body
          ? { body: { required: true, content: { 'application/json': { schema: body } } } }
          : {}),
    },
    responses: { ...sharedResponses(spec), ...spec.responses },
  });
  const op: Operation<P, Q, H, B> = {
    ...spec,
    parse(req) {
      const params = spec.params ? parseParams(spec.params, req) : {};
      let parsedBody: unknown;
      if (body === 'empty') {
        parseQuery(NoQuery, req);
        emptyBody(req);
      } else if (body) {
        // parseBody refuses a query string itself, saying the input goes in the body
        parsedBody = parseBody(body, req);
      }
      const query = body ? {} : parseQuery(spec.query ?? NoQuery, req);
      const headers = spec.headers ? parseHeaders(spec.headers, req) : {};
      return { params, query, headers, body: parsedBody } as ReturnType<Operation<P, Q, H, B>['parse']>;
    },
  };
  operations.push(op as unknown as AnyOperation);
  return op;
}

type Input<O> = O extends { parse(req: Request): infer I } ? I : never;

/**
 * Serves an operation on a router mounted at `prefix` (the document's paths are absolute): its
 * role check, then its request validated by its own schemas, then the handler with what they parsed.
 */
export function mount<O extends Pick<AnyOperation, 'method' | 'path' | 'roles'> & { parse(req: Request): unknown }>(
  router: Router,
  prefix: string,
  op: O,
  handler: (input: Input<O>, req: Request, res: Response) => unknown,
): void {
  if (!op.path.startsWith(prefix)) throw new Error(`${op.path} is not under ${prefix}`);
  const path = op.path.slice(prefix.length).replace(/\{(\w+)\}/g, ':$1') || '/';
  const guard = op.roles ? [requireRole(...op.roles)] : [];
  router[op.method](path, ...guard, (req: Request, res: Response) => handler(op.parse(req) as Input<O>, req, res));
}
