import { Router } from 'express';
import { ADDRESSEES, THEMES, THEMES_VERSION } from '../../domain/themes';
import type { ApiDeps } from '../deps';
import { openApiDocument } from '../openapi';
import { noQuery } from '../validate';

export function metaRoutes(_deps: ApiDeps): Router {
  const router = Router();
  const document = openApiDocument();
  router.get('/openapi.json', noQuery, (_req, res) => {
    res.json(document);
  });
  router.get('/themes', noQuery, (_req, res) => {
    res.json({
      version: THEMES_VERSION,
      themes: Object.entries(THEMES).map(([id, description]) => ({ id, description })),
      addressees: Object.entries(ADDRESSEES).map(([id, description]) => ({ id, description })),
    });
  });
  return router;
}
