import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Role } from '../app/config';
import type { Actor } from '../command-handling/command-handler';
import { ProblemError } from './problem';

export interface Principal extends Actor {
  readonly role: Role;
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

/**
 * Bearer tokens from LEDGER_TOKENS. The recorded identity is the role and a digest of the token,
 * so the ledger can say who recorded what without ever storing a secret.
 */
export function authenticate(tokens: ReadonlyMap<string, Role>): RequestHandler {
  const principalOf = tokenPrincipals(tokens);
  return (req: Request, _res: Response, next: NextFunction) => {
    const header = req.get('authorization');
    if (header === undefined) return next();
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new ProblemError(401, 'unauthenticated', 'Unauthenticated', 'Authorization must be "Bearer <token>"', 'Authorization');
    const principal = principalOf(match[1]!);
    if (!principal) throw new ProblemError(401, 'unauthenticated', 'Unauthenticated', 'the bearer token is not valid', 'Authorization');
    req.principal = principal;
    next();
  };
}

/** Who a token is, if it is one of ours: the one check shared by bearer requests and signing in to the pages. */
export function tokenPrincipals(tokens: ReadonlyMap<string, Role>): (token: string) => Principal | undefined {
  const known = [...tokens].map(([token, role]) => ({ digest: sha256(token), role }));
  return (token) => {
    const digest = sha256(token);
    const found = known.find((k) => timingSafeEqual(k.digest, digest));
    return found ? { role: found.role, id: `${found.role}/${digest.toString('hex').slice(0, 12)}` } : undefined;
  };
}

export function requireRole(...roles: Role[]): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!req.principal) {
      res.set('WWW-Authenticate', 'Bearer');
      throw new ProblemError(401, 'unauthenticated', 'Unauthenticated', `this needs a bearer token of role ${roles.join(' or ')}`, 'Authorization');
    }
    if (!roles.includes(req.principal.role)) {
      throw new ProblemError(403, 'forbidden', 'Forbidden', `role ${req.principal.role} may not do this; it needs ${roles.join(' or ')}`);
    }
    next();
  };
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}
