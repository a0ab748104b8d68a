import express, { Router, type Request, type Response } from 'express';
import type { ApiDeps } from '../api/deps';
import { tokenPrincipals, type Principal } from '../api/auth';
import type { WebSessions } from './session';
import { signinPage, signoutPage, expiredFormPage } from './signin-pages';

/** Where to go after signing in: a path of this site only (never `//elsewhere` or a full URL). */
export function safeNext(next: unknown, principal?: Principal): string {
  if (typeof next === 'string' && /^\/(?![/\\])[^\s\\]*$/.test(next) && !next.startsWith('/signin') && !next.startsWith('/signout')) return next;
  return principal?.role === 'auditor' ? '/audit' : '/';
}

export const formBody = express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 100 });

/** GET/POST /signin and /signout: a token (or key) exchanged for a session cookie, and back. */
export function signinRoutes(deps: ApiDeps, sessions: WebSessions): Router {
  const router = Router();
  const principalOf = tokenPrincipals(deps.config.tokens);

  router.get('/signin', (req, res) => {
    const next = typeof req.query.next === 'string' ? req.query.next : undefined;
    page(res, 200, signinPage({ csrf: sessions.csrfToken(req), next, principal: req.principal, signedOut: req.query.signedOut === '1' }));
  });

  router.post('/signin', formBody, async (req, res) => {
    if (!sessions.csrfValid(req)) return expired(req, res, sessions, '/signin');
    const token = typeof req.body?.token === 'string' ? req.body.token.trim() : '';
    const next = typeof req.body?.next === 'string' ? req.body.next : undefined;
    const principal = token === '' ? undefined : principalOf(token);
    if (!principal) {
      const error = token === '' ? 'Enter your secretariat or auditor token.' : 'This token is not valid here. Check it and try again.';
      return page(res, 401, signinPage({ csrf: sessions.csrfToken(req), next, error }));
    }
    await sessions.signIn(req, principal);
    res.redirect(303, safeNext(next, principal));
  });

  router.get('/signout', (req, res) => {
    page(res, 200, signoutPage({ csrf: sessions.csrfToken(req), principal: req.principal }));
  });

  router.post('/signout', formBody, async (req, res) => {
    if (!sessions.csrfValid(req)) return expired(req, res, sessions, '/signout');
    await sessions.signOut(req, res);
    res.redirect(303, '/signin?signedOut=1');
  });

  return router;
}

function page(res: Response, status: number, html: string): void {
  res.status(status).type('html').set('Cache-Control', 'no-store').send(html);
}

/** A form without this session's token: forged elsewhere, or rendered before the session ended. */
export function expired(req: Request, res: Response, sessions: WebSessions, retry: string): void {
  page(res, 403, expiredFormPage({ csrf: sessions.csrfToken(req), retry }));
}
