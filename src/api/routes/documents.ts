import { Router } from 'express';
import { RegisterDocumentBody } from '../../domain/commands';
import { errors } from '../../domain/errors';
import { Slug } from '../../domain/primitives';
import { requireRole } from '../auth';
import type { ApiDeps } from '../deps';
import { ProblemError, validationProblem } from '../problem';
import { readSourceText, SourceTextUnavailableError } from '../../sources/source-text';
import { record } from '../record';
import { withVerifiedFile } from '../../sources/registered-file';
import { etag, noQuery, parseBody, parseQuery } from '../validate';
import { DocumentQuery, DocumentsQuery } from '../queries';
import { pageOrProblem } from '../paging';
import { DEFAULT_PAGE_SIZE, type PageRequest } from '../../projections/read-model';
import { versionOfView } from '../ledger-version';

export function documentsRoutes(deps: ApiDeps): Router {
  const { projection } = deps;
  const router = Router();

  router.get('/documents', (req, res) => {
    const { version } = parseQuery(DocumentsQuery, req);
    const ledgerVersion = versionOfView(projection, version);
    const documents = projection.documentList({ version });
    res.json({ count: documents.length, ledgerVersion, documents });
  });

  const documentOf = (id: unknown, version?: number, page?: PageRequest) => {
    const parsed = Slug.safeParse(id);
    if (!parsed.success) throw validationProblem(parsed.error, 'path', 'id');
    versionOfView(projection, version);
    const doc = pageOrProblem(() => projection.document(parsed.data, { version }, page));
    if (!doc) throw new ProblemError(404, 'document-not-found', 'Not found', errors.documentNotFound(parsed.data).message + (version === undefined ? '' : ` at ledger version ${version}`));
    return doc;
  };

  router.get('/documents/:id', (req, res) => {
    const { version, limit, cursor } = parseQuery(DocumentQuery, req);
    res.json(documentOf(req.params.id, version, { limit, cursor }));
  });

  router.get('/documents/:id/text', noQuery, async (req, res) => {
    const doc = documentOf(req.params.id);
    try {
      const text = await readSourceText(deps.config.sourcesDir, doc);
      res.type('text/plain; charset=utf-8');
      // RFC 9530: lets a client check the bytes it got against the hash in the ledger
      if (doc.contentSha256) res.set('Repr-Digest', `sha-256=:${Buffer.from(doc.contentSha256, 'hex').toString('base64')}:`);
      res.send(text);
    } catch (error) {
      if (!(error instanceof SourceTextUnavailableError)) throw error;
      throw new ProblemError(error.reason === 'changed' ? 409 : 404, `source-text-${error.reason === 'changed' ? 'changed' : 'unavailable'}`, 'Source text unavailable', error.message);
    }
  });

  router.post('/documents', requireRole('secretariat'), async (req, res) => {
    const data = await withVerifiedFile(deps.config.sourcesDir, parseBody(RegisterDocumentBody, req));
    const recorded = await record(deps, req, { type: 'RegisterDocument', data });
    res.status(201).set('Location', `/api/documents/${data.id}`).set('ETag', etag(recorded.streamRevision));
    if (recorded.replayed) res.set('Idempotent-Replayed', 'true');
    res.json(projection.document(data.id, {}, { limit: DEFAULT_PAGE_SIZE }));
  });
  return router;
}
