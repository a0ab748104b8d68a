import express, { type ErrorRequestHandler, type Express } from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';
import { randomUUID } from 'node:crypto';
import { allowedMethods } from './allowed-methods';
import { authenticate, requireRole } from './auth';
import { refuseInvalidUtf8, requireUtf8Charset } from './body-bytes';
import type { ApiDeps } from './deps';
import { asProblemError } from './errors';
import { ProblemError } from './problem';
import { redactor, type Redact } from './redact';
import { API_ROUTES, healthRoutes } from './routes';
import { webSessions } from '../web/session';
import { signinRoutes } from '../web/signin';
import { recordingRoutes } from '../web/forms/recording-routes';
import { auditPageRoutes } from '../web/audit-routes';
import { webRoutes } from '../web/routes';

/**
 * Nothing from another origin and no inline code or styles: pages load only the app's own script
 * and stylesheet. (Helmet's default would allow https: styles and inline style attributes.)
 */
const CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  // the ledger serves plain HTTP on 127.0.0.1 by default: upgrading its own requests to https would break it
  upgradeInsecureRequests: null,
};

export function createApp(deps: ApiDeps, logger?: Logger): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  // ETags are stream revisions, set by the routes that have one; no content-hash ETags beside them
  app.set('etag', false);
  app.use(helmet({ contentSecurityPolicy: { directives: CSP } }));
  const redact = redactor(deps.config.tokens.keys());
  // access logs are written at info: below that level none would be written, so none is prepared either
  if (logger?.isLevelEnabled('info')) {
    app.use(
      pinoHttp({
        logger,
        genReqId: (req) => (req.headers['x-request-id'] as string | undefined) ?? randomUUID(),
        // never log headers (they carry bearer tokens), and never a credential sent in the URL
        serializers: {
          req: (req: { id: string; method: string; url: string }) => ({ id: redact(String(req.id)), method: req.method, url: redact(req.url) }),
          res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
        },
      }),
    );
  }
  if (deps.config.rateLimitPerMinute > 0) {
    // liveness probes must never be told to slow down
    app.use(
      rateLimit({
        windowMs: 60_000,
        limit: deps.config.rateLimitPerMinute,
        standardHeaders: 'draft-8',
        legacyHeaders: false,
        handler: tooMany,
        skip: (req) => req.path === '/health',
      }),
    );
  }
  // strict: false, so that a body of null or "text" gets parseBody's "must be a JSON object", not "not valid JSON"
  app.use(requireUtf8Charset);
  app.use(express.json({ limit: '256kb', strict: false, type: ['application/json', 'application/*+json'], verify: refuseInvalidUtf8 }));
  app.use(authenticate(deps.config.tokens, deps.keys));
  const sessions = webSessions({ minutes: deps.config.sessionMinutes, now: deps.now, keys: deps.keys });
  app.use(sessions.middleware);

  app.use(healthRoutes(deps));

  // the pages (src/web) and their assets; /api/docs among them, before the API's own 404
  app.use(webRoutes(deps, [], [signinRoutes(deps, sessions), recordingRoutes(deps, sessions), auditPageRoutes(deps, sessions)]));

  const api = express.Router();
  if (!deps.config.publicReads) api.use(requireRole('secretariat', 'auditor'));
  for (const routes of API_ROUTES) api.use(routes(deps));
  app.use('/api', api);

  const methodsOf = allowedMethods();
  app.use((req, res) => {
    const allowed = methodsOf(req.path);
    if (allowed) {
      res.set('Allow', allowed.join(', '));
      throw new ProblemError(405, 'method-not-allowed', 'Method not allowed', `${req.method} is not allowed here; this resource answers ${allowed.join(', ')}`);
    }
    throw new ProblemError(404, 'no-such-route', 'Not found', `no route ${req.method} ${req.path}`);
  });
  app.use(errorHandler(redact, logger));
  return app;
}

function tooMany(): never {
  throw new ProblemError(429, 'too-many-requests', 'Too many requests', 'slow down: the rate limit for this address is exceeded');
}

function errorHandler(redact: Redact, logger?: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    // the instance is the path alone: a query string may carry what a client should not have sent there
    const failure = asProblemError(error, { idempotencyKey: req.get('Idempotency-Key') !== undefined });
    const problem = failure.toProblem(req.originalUrl.split('?')[0]!);
    if (failure.retryAfterSeconds !== undefined) res.set('Retry-After', String(failure.retryAfterSeconds));
    if (problem.code === 'store-unavailable') {
      // the operator's trouble, already on /health: one line, no stack
      logger?.warn({ detail: problem.detail }, 'write refused: storage unavailable');
    } else if (problem.code === 'outcome-unknown') {
      // expected around a leader change or a slow replica: the client retries with the same key
      logger?.warn({ detail: redact(error instanceof Error ? error.message : String(error)) }, 'write outcome unknown: the client was asked to retry');
    } else if (problem.status >= 500) {
      const err =
        error instanceof Error ? { type: error.name, message: redact(error.message), stack: redact(error.stack ?? '') } : { message: redact(String(error)) };
      if (logger) logger.error({ err }, 'unhandled error');
      else console.error('unhandled error', err);
    }
    // a store's own answer says how long (or that waiting will not help); other 503s (outcome unknown) say 5 s
    if (problem.status === 503 && failure.retryAfterSeconds === undefined && problem.code !== 'store-unavailable') res.set('Retry-After', '5');
    res
      .status(problem.status)
      .type('application/problem+json')
      .send(redact(JSON.stringify(problem)));
  };
}
