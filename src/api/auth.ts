import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Role } from '../app/config';
import type { Actor } from '../command-handling/command-handler';
import type { KeyStore } from '../keys/key-store';
import { ProblemError } from './problem';

export interface Principal extends Actor {
  readonly role: Role;
  /** for a named key: its id and the person's name (an LEDGER_TOKENS token has neither) */
  readonly keyId?: string;
  readonly name?: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

/**
 * Bearer tokens: a named key (`plk_…`, see src/keys) or a token from LEDGER_TOKENS. The recorded
 * identity is the key's id and its holder's name, or the role and a digest of the token, so the
 * ledger can say who recorded what without ever storing a secret.
 */
export function authenticate(tokens: ReadonlyMap<string, Role>, keys?: KeyStore): RequestHandler {
  const principalOf = tokenPrincipals(tokens, keys);
  return async (req: Request, _res: Response, next: NextFunction) => {
    const header = req.get('authorization');
    if (header === undefined) return next();
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new ProblemError(401, 'unauthenticated', 'Unauthenticated', 'Authorization must be "Bearer <token>"', 'Authorization');
    const principal = await principalOf(match[1]!);
    if (!principal) throw new ProblemError(401, 'unauthenticated', 'Unauthenticated', await refusalOf(match[1]!, keys), 'Authorization');
    req.principal = principal;
    next();
  };
}

/**
 * Who a token is, if it is one of ours: the one check shared by bearer requests and signing in to
 * the pages. A named key is looked up in the key file (revocation read at every call); anything
 * else is compared, in constant time, with the LEDGER_TOKENS tokens.
 */
export function tokenPrincipals(tokens: ReadonlyMap<string, Role>, keys?: KeyStore): (token: string) => Promise<Principal | undefined> {
  const known = [...tokens].map(([token, role]) => ({ digest: sha256(token), role }));
  return async (token) => {
    const digest = sha256(token);
    const found = known.find((k) => timingSafeEqual(k.digest, digest));
    if (found) return { role: found.role, id: `${found.role}/${digest.toString('hex').slice(0, 12)}` };
    const holder = await keys?.holderOf(token);
    return holder ? { role: holder.role, id: holder.recordedBy, keyId: holder.keyId, name: holder.name } : undefined;
  };
}

/** Why a token is refused: a revoked key's holder is told when it was revoked; anything else is not valid. */
export async function refusalOf(token: string, keys?: KeyStore): Promise<string> {
  const revokedAt = await keys?.revokedAtOf(token);
  return revokedAt ? `this key was revoked on ${revokedAt}: ask whoever manages the ledger's keys for a new one` : 'the bearer token is not valid';
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
