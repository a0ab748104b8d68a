import type { Request, Response } from 'express';
import type { ComponentChildren } from 'preact';
import { renderToString } from 'preact-render-to-string';
import type { ApiDeps } from '../api/deps';
import { Layout, type Viewer } from './layout';

/** What every page needs besides its own data: the request, the ledger's version and who is looking. */
export interface PageContext {
  readonly deps: ApiDeps;
  readonly req: Request;
  readonly viewer?: Viewer;
}

export interface Page {
  readonly title: string;
  readonly main: ComponentChildren;
  /** scripts beyond the shared bundle, each served by the app (never inline: the CSP forbids it) */
  readonly scripts?: readonly string[];
  readonly styles?: readonly string[];
  readonly status?: number;
}

/** Renders a page inside the shared layout and sends it as HTML; server-side only, no hydration. */
export function sendPage(res: Response, ctx: PageContext, page: Page): void {
  const html = renderToString(
    <Layout title={page.title} path={ctx.req.path} version={ctx.deps.projection.version()} viewer={ctx.viewer} scripts={page.scripts} styles={page.styles}>
      {page.main}
    </Layout>,
  );
  res
    .status(page.status ?? 200)
    .type('html')
    .set('Cache-Control', 'no-cache')
    .send(`<!doctype html>${html}`);
}

export function pageContext(deps: ApiDeps, req: Request, res: Response): PageContext {
  return { deps, req, viewer: res.locals.viewer as Viewer | undefined };
}
