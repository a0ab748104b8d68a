import { Router } from 'express';
import { RegisterDocumentBody } from '../../domain/commands';
import { errors } from '../../domain/errors';
import { Slug } from '../../domain/primitives';
import { requireRole } from '../auth';
import type { ApiDeps } from '../deps';
import { ProblemError, validationProblem } from '../problem';
import { record } from '../record';
import { etag, parseBody } from '../validate';

export function documentsRoutes(deps: ApiDeps): Router {
  const { projection } = deps;
  const router = Router();

  router.get('/documents', (_req, res) => {
    const documents = projection.documentList();
    res.json({ count: documents.length, documents });
  });

  router.get('/documents/:id', (req, res) => {
    const parsed = Slug.safeParse(req.params.id);
    if (!parsed.success) throw validationProblem(parsed.error, 'path', 'id');
    const doc = projection.document(parsed.data);
    if (!doc) throw new ProblemError(404, 'document-not-found', 'Not found', errors.documentNotFound(parsed.data).message);
    res.json(doc);
  });

  router.post('/documents', requireRole('secretariat'), async (req, res) => {
    const data = parseBody(RegisterDocumentBody, req);
    const recorded = await record(deps, req, { type: 'RegisterDocument', data });
    res.status(201).set('Location', `/api/documents/${data.id}`).set('ETag', etag(recorded.stream.length - 1));
    if (recorded.replayed) res.set('Idempotent-Replayed', 'true');
    res.json(projection.document(data.id));
  });
  return router;
}
