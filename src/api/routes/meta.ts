import { Router } from 'express';
import { z } from 'zod';
import { ADDRESSEES, AddresseeId, ThemeId, THEMES, THEMES_VERSION } from '../../domain/themes';
import type { ApiDeps } from '../deps';
import { json, mount, operation } from '../operation';
import { openApiDocument } from '../openapi';

export const getOpenApi = operation({
  method: 'get',
  path: '/api/openapi.json',
  summary: 'This document (OpenAPI 3.1); /api/docs renders it',
  responses: {
    200: json(
      'the OpenAPI document',
      z.object({ openapi: z.string(), info: z.object({ title: z.string(), version: z.string() }), paths: z.record(z.string(), z.unknown()) }),
    ),
  },
});
export const getThemes = operation({
  method: 'get',
  path: '/api/themes',
  summary: 'The theme taxonomy and addressees, with its version',
  responses: {
    200: json(
      'taxonomy',
      z.object({
        version: z.string(),
        themes: z.array(z.object({ id: ThemeId, description: z.string() })),
        addressees: z.array(z.object({ id: AddresseeId, description: z.string() })),
      }),
    ),
  },
});

export function metaRoutes(_deps: ApiDeps): Router {
  const router = Router();
  const document = openApiDocument();
  mount(router, '/api', getOpenApi, (_input, _req, res) => {
    res.json(document);
  });
  mount(router, '/api', getThemes, (_input, _req, res) => {
    res.json({
      version: THEMES_VERSION,
      themes: Object.entries(THEMES).map(([id, description]) => ({ id, description })),
      addressees: Object.entries(ADDRESSEES).map(([id, description]) => ({ id, description })),
    });
  });
  return router;
}
