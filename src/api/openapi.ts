import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  AddPositionBody,
  CorrectRecordBody,
  EndorsePositionBody,
  RegisterDocumentBody,
  RevisePositionBody,
  WithdrawPositionBody,
} from '../domain/commands';
import { DocumentView } from '../projections/ledger-projection';
import { CITED_BY_PREVIEW, TOTAL_CAP } from '../projections/read-model';
import { PositionView, Stance } from '../projections/stance';
import { TimelineEntry } from '../projections/timeline';
import { Problem } from './problem';
import { DiffQuery, DocumentQuery, DocumentsQuery, EventsQuery, PositionsQuery, TimelineQuery, ViewQuery } from './queries';

/**
 * OpenAPI 3.1, generated from the same zod schemas that validate requests and shape responses.
 * Extra routes (e.g. the auditors') add themselves with `describeRoute`.
 */
const registry = new OpenAPIRegistry();
const bearer = registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
const secured = [{ [bearer.name]: [] }];

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: Problem } } });
const json = (description: string, schema: z.ZodType) => ({ description, content: { 'application/json': { schema } } });
const problems = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [String(c), problem(PROBLEM_TEXT[c] ?? 'error')]));
const PROBLEM_TEXT: Record<number, string> = {
  400: 'malformed request: the problem names the field',
  401: 'missing or invalid bearer token',
  403: 'the token’s role may not do this',
  404: 'no such position or document (at that date)',
  409: 'already exists / already done',
  412: 'If-Match is stale: someone recorded a change first',
  415: 'the body is not application/json',
  422: 'a rule of the ledger is broken, or an Idempotency-Key is reused with another body',
  428: 'If-Match is required',
};

const IdParam = z.object({ id: z.string().meta({ description: 'position id', example: 'eu-4' }) });
const writeHeaders = z.object({
  'idempotency-key': z.string().optional().meta({ description: 'retry-safe key: the same key and body return the first response' }),
});
const ifMatchHeaders = writeHeaders.extend({ 'if-match': z.string().meta({ description: 'the position’s ETag, e.g. "3"' }) });
const optionalIfMatch = writeHeaders.extend({ 'if-match': z.string().optional() });

const LedgerVersionSchema = z
  .object({
    version: z.number().int().meta({ description: 'recorded decisions (events of positions and documents; checkpoints are not counted): what to cite, and to pass as ?version= for a permalink' }),
    digest: z.string().nullable().meta({ description: 'running SHA-256 over those decisions’ hashes, in global order' }),
    events: z.number().int().meta({ description: 'every event the read model has read, checkpoints included (not for citing)' }),
    lastPosition: z.string().nullable(),
  })
  .meta({ id: 'LedgerVersion', description: 'the exact ledger state a response comes from' });

/** The shared shape of a paged list (positions, timeline). */
const listPage = (items: 'positions' | 'entries', schema: z.ZodType) =>
  z.object({
    count: z.number().int().meta({ description: 'items in this page' }),
    total: z.number().int().meta({ description: `every match, on all pages; counted up to ${TOTAL_CAP} (then \`totalCapped\` is true: at least this many match). The current positions without \`q\` are always counted exactly` }),
    totalCapped: z.boolean().meta({ description: `true when more than ${TOTAL_CAP} match and \`total\` stopped counting there` }),
    next: z.string().nullable().meta({ description: 'cursor of the next page (pass it as `cursor`), null on the last' }),
    ledgerVersion: LedgerVersionSchema,
    [items]: z.array(schema),
  });

export function describeRoute(route: RouteConfig): void {
  registry.registerPath(route);
}

describeRoute({ method: 'get', path: '/health', summary: 'Liveness and read-model status', responses: { 200: { description: 'up' } } });
describeRoute({
  method: 'get', path: '/api/positions', summary: 'Positions, current or as of a business date and/or a recording instant',
  request: { query: PositionsQuery },
  responses: {
    200: {
      description: 'positions; with format=csv or ndjson an export that cites the ledger version (Ledger-Version header, citation column / header line)',
      content: { 'application/json': { schema: listPage('positions', Stance) }, 'text/csv': { schema: z.string() }, 'application/x-ndjson': { schema: z.string() } },
    },
    ...problems(400, 404),
  },
});
describeRoute({
  method: 'get', path: '/api/positions/{id}', summary: 'One position’s stance; ETag is its stream revision',
  request: { params: IdParam, query: ViewQuery },
  responses: { 200: json('the stance, with the positions that relate to it', PositionView), ...problems(400, 404) },
});
describeRoute({
  method: 'get', path: '/api/positions/{id}/timeline', summary: 'The position’s decisions in business order, with corrections beside them',
  request: { params: IdParam, query: ViewQuery },
  responses: { 200: json('timeline', z.object({ positionId: z.string(), entries: z.array(TimelineEntry) })), ...problems(400, 404) },
});
describeRoute({
  method: 'get', path: '/api/positions/{id}/diff', summary: 'How the text changed between two business dates (word diff)',
  request: { params: IdParam, query: DiffQuery },
  responses: { 200: { description: 'from, to, and word-level changes of statement and title' }, ...problems(400, 404) },
});
describeRoute({
  method: 'get', path: '/api/timeline', summary: 'Every decision of the ledger in business order',
  request: { query: TimelineQuery },
  responses: {
    200: {
      description: 'a page of decisions in business order; with format=csv or ndjson every decision, as an export that cites the ledger version',
      content: { 'application/json': { schema: listPage('entries', TimelineEntry) }, 'text/csv': { schema: z.string() }, 'application/x-ndjson': { schema: z.string() } },
    },
    ...problems(400, 404),
  },
});
describeRoute({
  method: 'get', path: '/api/documents', summary: `Registered source documents, each with its first ${CITED_BY_PREVIEW} citing positions and \`citedByCount\``,
  request: { query: DocumentsQuery },
  responses: { 200: json('documents', z.object({ count: z.number(), ledgerVersion: LedgerVersionSchema, documents: z.array(DocumentView) })), ...problems(400, 404) },
});
describeRoute({
  method: 'get', path: '/api/documents/{id}', summary: 'One source document and a page of the positions citing it (`limit`, `cursor` from `citedByNext`)',
  request: { params: z.object({ id: z.string() }), query: DocumentQuery },
  responses: { 200: json('document', DocumentView), ...problems(400, 404) },
});
describeRoute({
  method: 'get', path: '/api/documents/{id}/text', summary: 'The source text as registered (served only while the file still has the registered SHA-256)',
  request: { params: z.object({ id: z.string() }) },
  responses: { 200: { description: 'the text', content: { 'text/plain': { schema: z.string() } } }, ...problems(400, 404), 409: problem('the file differs from the one registered') },
});
describeRoute({
  method: 'get', path: '/api/events', summary: 'The raw event log in global order (auditor or secretariat)', security: secured,
  request: { query: EventsQuery },
  responses: { 200: { description: 'a page of events and `next`, the position to continue after' }, ...problems(400, 401, 403) },
});
describeRoute({ method: 'get', path: '/api/themes', summary: 'The theme taxonomy and addressees, with its version', responses: { 200: { description: 'taxonomy' } } });

const write = (path: string, summary: string, body: z.ZodType, headers: z.ZodObject, extra: number[]) =>
  describeRoute({
    method: 'post', path, summary, security: secured,
    request: { ...(path.includes('{id}') ? { params: IdParam } : {}), headers, body: { content: { 'application/json': { schema: body } } } },
    responses: { 201: json('recorded; Location, ETag and Ledger-Event-Ids headers', path.startsWith('/api/documents') ? DocumentView : Stance), ...problems(400, 401, 403, 415, 422, ...extra) },
  });
write('/api/positions', 'Add a position (secretariat)', AddPositionBody, writeHeaders, [409]);
write('/api/positions/{id}/revisions', 'Revise a position (secretariat; If-Match required)', RevisePositionBody, ifMatchHeaders, [404, 412, 428]);
write('/api/positions/{id}/endorsements', 'Record an endorsement of a revision (secretariat)', EndorsePositionBody, optionalIfMatch, [404, 409, 412]);
write('/api/positions/{id}/withdrawal', 'Withdraw a position (secretariat)', WithdrawPositionBody, optionalIfMatch, [404, 409, 412]);
write('/api/positions/{id}/corrections', 'Correct a recording mistake in an earlier event (secretariat; If-Match required)', CorrectRecordBody, ifMatchHeaders, [404, 412, 428]);
write('/api/documents', 'Register a source document (secretariat)', RegisterDocumentBody, writeHeaders, [409]);

export function openApiDocument(): ReturnType<OpenApiGeneratorV31['generateDocument']> {
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'position-ledger',
      version: '1',
      description: 'Event-sourced history of EUROCITIES policy positions on migrant integration. Errors are application/problem+json (RFC 9457).',
    },
    servers: [{ url: '/' }],
  });
}
