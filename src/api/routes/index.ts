import type { Router } from 'express';
import type { ApiDeps } from '../deps';
import { auditRoutes } from './audit';
import { documentsRoutes } from './documents';
import { eventsRoutes } from './events';
import { healthRoutes } from './health';
import { metaRoutes } from './meta';
import { positionsRoutes } from './positions';
import { streamRoutes } from './stream';
import { timelineRoutes } from './timeline';

/** The routers mounted under /api; one line per router. Loading them declares their operations. */
export const API_ROUTES: ReadonlyArray<(deps: ApiDeps) => Router> = [
  positionsRoutes,
  timelineRoutes,
  documentsRoutes,
  eventsRoutes,
  metaRoutes,
  auditRoutes,
  streamRoutes,
];

export { healthRoutes };
