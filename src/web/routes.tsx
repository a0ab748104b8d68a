import { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import type { ApiDeps } from '../api/deps';
import { toProblem } from '../api/errors';
import { assetRoutes } from './assets';
import { pageContext, sendPage, type PageContext, type Page } from './render';
import { ProblemPage } from './components/problem';
import { apiDocsPage } from './pages/api-docs';
import { documentPage, documentsPage } from './pages/documents';
import { overviewPage } from './pages/overview';
import { positionDiffPage } from './pages/position-diff';
import { positionPage } from './pages/position';
import { positionsPage } from './pages/positions';
import { timelinePage } from './pages/timeline';

/** A page: a path and what it renders from the request (errors become an HTML problem page). */
export type PageRoute = readonly [path: string, render: (ctx: PageContext) => Page | Promise<Page>];

/** Every reading page, one line each. */
const PAGES: readonly PageRoute[] = [
  ['/', overviewPage],
  ['/positions', positionsPage],
  ['/positions/:id', positionPage],
  ['/positions/:id/diff', positionDiffPage],
  ['/timeline', timelinePage],
  ['/documents', documentsPage],
  ['/documents/:id', documentPage],
  ['/api/docs', apiDocsPage],
];

/**
 * The web face: server-rendered pages at citable URLs, and the assets they load. `routers` are
 * pages that need more than a GET render (sign-in, the recording forms, /audit): their errors are
 * pages too.
 */
export function webRoutes(deps: ApiDeps, extraPages: readonly PageRoute[] = [], routers: readonly Router[] = []): Router {
  const router = Router();
  router.use(assetRoutes());
  for (const [path, render] of [...PAGES, ...extraPages]) {
    router.get(path, async (req: Request, res: Response) => {
      // reads that are not public are not public as pages either: a reader signs in first, as the API asks for a token
      if (!deps.config.publicReads && !req.principal) return res.redirect(303, `/signin?next=${encodeURIComponent(req.originalUrl)}`);
      const ctx = pageContext(deps, req, res);
      sendPage(res, ctx, await render(ctx));
    });
  }
  for (const r of routers) router.use(r);
  router.use(htmlErrors(deps));
  return router;
}

/** A page's error is shown as a page (status, what was wrong and which field), never as JSON. */
function htmlErrors(deps: ApiDeps): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    const problem = toProblem(error, req.originalUrl);
    if (problem.status >= 500) return next(error);
    sendPage(res, pageContext(deps, req, res), { title: problem.title, status: problem.status, main: <ProblemPage problem={problem} /> });
  };
}
