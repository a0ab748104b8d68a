import { randomBytes } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import session from 'express-session';
import createMemoryStore from 'memorystore';
import { csrfSync } from 'csrf-sync';
import type { Principal } from '../api/auth';
import type { KeyStore } from '../keys/key-store';

declare module 'express-session' {
  interface SessionData {
    principal?: Principal;
    /** epoch ms of signing in: a session ends a fixed time after it, however busy */
    signedInAt?: number;
    /** a message for the next page shown ("recorded …" after a form's redirect) */
    flash?: string;
  }
}

export const SESSION_COOKIE = 'ledger_session';

export interface WebSessions {
  /** the session itself, its expiry, and the signed-in principal for safe requests */
  readonly middleware: RequestHandler[];
  /** the form token of this session (made on first use): put it in every form as `_csrf` */
  csrfToken(req: Request): string;
  /** whether a form POST carries this session's form token */
  csrfValid(req: Request): boolean;
  signIn(req: Request, principal: Principal): Promise<void>;
  signOut(req: Request, res: Response): Promise<void>;
}

/**
 * Sessions for the pages: a token (or key) is exchanged once, at sign-in, for a session cookie
 * (HttpOnly, SameSite=Strict, Secure when the request came over https) that names a session held
 * in this process's memory; the token itself is never stored in the cookie or the session.
 *
 * express-session is the expressjs project's own session middleware; memorystore gives it an
 * in-memory store that prunes expired sessions (express-session's own MemoryStore never does).
 * Sessions end at a restart, which is why the cookie signing secret is made fresh at start-up.
 *
 * Forms are protected against cross-site requests by csrf-sync, the synchroniser token pattern
 * (a random token kept in the session and sent back in a hidden field): stateful like our
 * sessions, maintained, and written for express 5, where the old csurf is deprecated.
 * The session principal counts for pages and for safe (GET/HEAD) API requests, never for API
 * writes: those keep their bearer token, so no JSON endpoint can be driven by a cookie.
 */
export function webSessions(options: { minutes: number; now?: () => Date; keys?: KeyStore }): WebSessions {
  const maxAge = options.minutes * 60_000;
  const now = options.now ?? (() => new Date());
  const MemoryStore = createMemoryStore(session);
  const store = new MemoryStore({ checkPeriod: Math.min(maxAge, 10 * 60_000) });
  const csrf = csrfSync({ getTokenFromRequest: (req) => (typeof req.body?._csrf === 'string' ? req.body._csrf : undefined) });

  const sessionMiddleware = session({
    name: SESSION_COOKIE,
    secret: randomBytes(32).toString('hex'),
    store,
    resave: false,
    saveUninitialized: false,
    unset: 'destroy',
    cookie: { httpOnly: true, sameSite: 'strict', secure: 'auto', path: '/', maxAge },
  });

  // a session signed in with a named key ends when the key is revoked, at the session's next request
  const revoked = (who: Principal) => who.keyId !== undefined && !(options.keys?.isActive(who.keyId) ?? false);
  const expire: RequestHandler = (req, _res, next) => {
    const s = req.session;
    if (s?.principal && (s.signedInAt === undefined || now().getTime() - s.signedInAt >= maxAge || revoked(s.principal))) {
      delete s.principal;
      delete s.signedInAt;
    }
    next();
  };

  const principal: RequestHandler = (req, _res, next) => {
    const signedIn = req.session?.principal;
    const safe = req.method === 'GET' || req.method === 'HEAD';
    if (!req.principal && signedIn && (safe || !req.path.startsWith('/api/'))) req.principal = signedIn;
    next();
  };

  // what the pages show of the signed-in reader (the layout reads res.locals.viewer); never for the API
  const viewer: RequestHandler = (req, res, next) => {
    const who = req.session?.principal;
    if (who && !req.path.startsWith('/api/') && !req.path.startsWith('/assets/')) {
      const flash = req.method === 'GET' ? req.session.flash : undefined;
      if (flash !== undefined) delete req.session.flash;
      res.locals.viewer = {
        role: who.role,
        id: who.id,
        ...(who.name !== undefined ? { name: who.name } : {}),
        csrfToken: csrf.generateToken(req),
        ...(flash ? { flash } : {}),
      };
    }
    next();
  };

  // An API request without the session's cookie has no session to find, and one made for it would never be kept (saveUninitialized
  // is false): it is not made, which spares every such request a random id and a signature.
  const sessionWhereOneCanBe: RequestHandler = (req, res, next) =>
    req.path.startsWith('/api/') && !carriesSessionCookie(req) ? next() : sessionMiddleware(req, res, next);

  return {
    middleware: [sessionWhereOneCanBe, expire, principal, viewer],
    csrfToken: (req) => csrf.generateToken(req),
    csrfValid: (req) => csrf.isRequestValid(req),
    signIn: async (req, who) => {
      // a new session id at sign-in: a session id planted before it is worth nothing after
      await new Promise<void>((resolve, reject) => req.session.regenerate((e) => (e ? reject(e) : resolve())));
      req.session.principal = who;
      req.session.signedInAt = now().getTime();
      csrf.generateToken(req, true);
      await new Promise<void>((resolve, reject) => req.session.save((e) => (e ? reject(e) : resolve())));
      req.principal = who;
    },
    signOut: async (req, res) => {
      await new Promise<void>((resolve, reject) => req.session.destroy((e) => (e ? reject(e) : resolve())));
      res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/' });
      delete req.principal;
    },
  };
}

function carriesSessionCookie(req: Request): boolean {
  return req.headers.cookie?.includes(`${SESSION_COOKIE}=`) ?? false;
}
