import express, { Router, type Request, type Response } from 'express';
import type { ApiDeps } from '../api/deps';
import { refusalOf, tokenPrincipals, type Principal } from '../api/auth';
import { pageContext, sendPage } from './render';
import type { WebSessions } from './session';
import { ExpiredForm, SigninForm, SignoutForm } from './pages/signin';

/** Where to go after signing in: a path of this site only (never `//elsewhere` or a full URL). */
export function safeNext(next: unknown, principal?: Principal): string {
  if (typeof next === 'string' && /^\/(?![/\\])[^\s\\]*$/.test(next) && !next.startsWith('/signin') && !next.startsWith('/signout')) return next;
  return principal?.role === 'auditor' ? '/audit' : '/';
}

export const formBody = express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 100 });

/** GET/POST /signin and /signout: a token (or key) exchanged for a session cookie, and back. */
export function signinRoutes(deps: ApiDeps, sessions: WebSessions): Router {
  const router = Router();
  const principalOf = tokenPrincipals(deps.config.tokens, deps.keys);
  const show = (req: Request, res: Response, status: number, title: string, main: preact.ComponentChildren) => {
    res.set('Cache-Control', 'no-store');
    sendPage(res, pageContext(deps, req, res), { title, status, main });
  };

  router.get('/signin', (req, res) => {
    const next = typeof req.query.next === 'string' ? req.query.next : undefined;
    show(
      req,
      res,
      200,
      'Sign in',
      <SigninForm
        csrf={sessions.csrfToken(req)}
        next={next}
        principal={req.session.principal}
        signedOut={req.query.signedOut === '1'}
        publicReads={deps.config.publicReads}
      />,
    );
  });

  router.post('/signin', formBody, async (req, res) => {
    if (!sessions.csrfValid(req)) return expired(deps, req, res, '/signin');
    const token = typeof req.body?.token === 'string' ? req.body.token.trim() : '';
    const next = typeof req.body?.next === 'string' ? req.body.next : undefined;
    const principal = token === '' ? undefined : await principalOf(token);
    if (!principal) {
      const revoked = token !== '' && (await refusalOf(token, deps.keys)).startsWith('this key was revoked');
      const error =
        token === ''
          ? 'Enter your key or your secretariat or auditor token.'
          : revoked
            ? 'This key was revoked. Ask whoever manages the ledger’s keys for a new one.'
            : 'This key or token is not valid here. Check it and try again.';
      return show(
        req,
        res,
        401,
        'Sign in: problem',
        <SigninForm csrf={sessions.csrfToken(req)} next={next} error={error} publicReads={deps.config.publicReads} />,
      );
    }
    await sessions.signIn(req, principal);
    res.redirect(303, safeNext(next, principal));
  });

  router.get('/signout', (req, res) => {
    show(req, res, 200, 'Sign out', <SignoutForm csrf={sessions.csrfToken(req)} principal={req.session.principal} />);
  });

  router.post('/signout', formBody, async (req, res) => {
    if (!sessions.csrfValid(req)) return expired(deps, req, res, '/signout');
    await sessions.signOut(req, res);
    res.redirect(303, '/signin?signedOut=1');
  });

  return router;
}

/** A form without this session's token: nothing is done, and the reader is told how to go on. */
export function expired(deps: ApiDeps, req: Request, res: Response, retry: string): void {
  res.set('Cache-Control', 'no-store');
  sendPage(res, pageContext(deps, req, res), { title: 'This form has expired', status: 403, main: <ExpiredForm retry={retry} /> });
}
