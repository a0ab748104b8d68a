import { Router } from 'express';
import { z } from 'zod';
import { RegisterDocumentBody } from '../../domain/commands';
import { errors } from '../../domain/errors';
import { DocumentView } from '../../projections/ledger-projection';
import type { ApiDeps } from '../deps';
import { json, mount, operation, problem } from '../operation';
import { ProblemError } from '../problem';
import { readSourceText, SourceTextUnavailableError } from '../../sources/source-text';
import { record } from '../record';
import { withVerifiedFile } from '../../sources/registered-file';
import { etag } from '../validate';
import { DocumentQuery, DocumentsQuery } from '../queries';
import { pageOrProblem } from '../paging';
import { CITED_BY_PREVIEW, DEFAULT_PAGE_SIZE, type PageRequest } from '../../projections/read-model';
import { versionOfView } from '../ledger-version';
import { LedgerVersionSchema, DocumentParams, recordedHeaders, WriteHeaders } from '../response-schemas';

export const listDocuments = operation({
  method: 'get',
  path: '/api/documents',
  summary: `Registered source documents, each with its first ${CITED_BY_PREVIEW} citing positions and \`citedByCount\``,
  query: DocumentsQuery,
  responses: {
    200: json('documents', z.object({ count: z.number().int(), ledgerVersion: LedgerVersionSchema, documents: z.array(DocumentView) })),
    404: problem('a `version` the ledger has not reached'),
  },
});
export const getDocument = operation({
  method: 'get',
  path: '/api/documents/{id}',
  summary: 'One source document and a page of the positions citing it (`limit`, `cursor` from `citedByNext`)',
  params: DocumentParams,
  query: DocumentQuery,
  responses: { 200: json('document', DocumentView), 404: problem('no such document (at that version), or a `version` the ledger has not reached') },
});
export const getDocumentText = operation({
  method: 'get',
  path: '/api/documents/{id}/text',
  summary: 'The source text as registered (served only while the file still has the registered SHA-256)',
  params: DocumentParams,
  responses: {
    200: {
      description: 'the text',
      headers: { 'Repr-Digest': { description: 'RFC 9530: the SHA-256 the ledger registered, `sha-256=:…:`', schema: { type: 'string' } } },
      content: { 'text/plain': { schema: z.string() } },
    },
    404: problem('no such document, or its file is not on this server'),
    409: problem('the file differs from the one registered'),
  },
});
export const registerDocument = operation({
  method: 'post',
  roles: ['secretariat'],
  path: '/api/documents',
  summary: 'Register a source document (secretariat)',
  headers: WriteHeaders,
  body: RegisterDocumentBody,
  responses: {
    201: json('registered: the document', DocumentView, recordedHeaders),
    409: problem('a document with this id is registered'),
    422: problem(
      'a rule of the ledger is broken (a date, a `file` not in LEDGER_SOURCES_DIR, a `contentSha256` that is not the file’s), or the Idempotency-Key was used for another request',
    ),
  },
});

export function documentsRoutes(deps: ApiDeps): Router {
  const { projection } = deps;
  const router = Router();

  mount(router, '/api', listDocuments, ({ query: { version } }, _req, res) => {
    const ledgerVersion = versionOfView(projection, version);
    const documents = projection.documentList({ version });
    res.json({ count: documents.length, ledgerVersion, documents });
  });

  const documentOf = (id: string, version?: number, page?: PageRequest) => {
    versionOfView(projection, version);
    const doc = pageOrProblem(() => projection.document(id, { version }, page));
    if (!doc)
      throw new ProblemError(
        404,
        'document-not-found',
        'Not found',
        errors.documentNotFound(id).message + (version === undefined ? '' : ` at ledger version ${version}`),
      );
    return doc;
  };

  mount(router, '/api', getDocument, ({ params: { id }, query: { version, limit, cursor } }, _req, res) => {
    res.json(documentOf(id, version, { limit, cursor }));
  });

  mount(router, '/api', getDocumentText, async ({ params: { id } }, _req, res) => {
    const doc = documentOf(id);
    try {
      const text = await readSourceText(deps.config.sourcesDir, doc);
      res.type('text/plain; charset=utf-8');
      // RFC 9530: lets a client check the bytes it got against the hash in the ledger
      if (doc.contentSha256) res.set('Repr-Digest', `sha-256=:${Buffer.from(doc.contentSha256, 'hex').toString('base64')}:`);
      res.send(text);
    } catch (error) {
      if (!(error instanceof SourceTextUnavailableError)) throw error;
      throw new ProblemError(
        error.reason === 'changed' ? 409 : 404,
        `source-text-${error.reason === 'changed' ? 'changed' : 'unavailable'}`,
        'Source text unavailable',
        error.message,
      );
    }
  });

  mount(router, '/api', registerDocument, async ({ body }, req, res) => {
    const data = await withVerifiedFile(deps.config.sourcesDir, body);
    const recorded = await record(deps, req, { type: 'RegisterDocument', data });
    res.status(201).set('Location', `/api/documents/${data.id}`).set('ETag', etag(recorded.streamRevision));
    if (recorded.replayed) res.set('Idempotent-Replayed', 'true');
    res.json(projection.document(data.id, {}, { limit: DEFAULT_PAGE_SIZE }));
  });
  return router;
}
