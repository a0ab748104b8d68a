import { Router, type Request, type Response } from 'express';
import type { ApiDeps } from '../api/deps';
import { ProblemError } from '../api/problem';
import { UnverifiedLedgerError } from '../audit/record-checkpoint';
import { auditPage } from './pages/audit';
import { pageContext, sendPage } from './render';
import type { WebSessions } from './session';
import { expired, formBody } from './signin';

/** /audit for auditors (others are sent to sign in, or told why not), and its one form: record a checkpoint now. */
export function auditPageRoutes(deps: ApiDeps, sessions: WebSessions): Router {
  const router = Router();

  router.get('/audit', async (req, res) => {
    if (!isAuditor(req, res)) return;
    const ctx = pageContext(deps, req, res);
    res.set('Cache-Control', 'no-store');
    sendPage(res, ctx, await auditPage(ctx));
  });

  router.post('/audit/checkpoints', formBody, async (req, res) => {
    if (!isAuditor(req, res)) return;
    if (!sessions.csrfValid(req)) return expired(deps, req, res, '/audit');
    try {
      // the same call as POST /api/audit/checkpoints: idempotent, a ledger unchanged since its latest checkpoint keeps it
      const { recorded, checkpoint } = await deps.audits.checkpoint(req.principal!.id, req.principal!);
      req.session.flash = !checkpoint
        ? 'The ledger is empty: there is nothing for a checkpoint to cover yet.'
        : recorded
          ? `Checkpoint recorded over ${checkpoint.checkpoint.eventCount} events: keep its root hash ${checkpoint.checkpoint.rootHash}.`
          : `Nothing was recorded since the latest checkpoint (root hash ${checkpoint.checkpoint.rootHash}).`;
      res.redirect(303, '/audit#checkpoints');
    } catch (error) {
      if (error instanceof UnverifiedLedgerError)
        throw new ProblemError(409, 'ledger-does-not-verify', 'Conflict', `${error.message}: no checkpoint may vouch for it`);
      throw error;
    }
  });

  return router;
}

function isAuditor(req: Request, res: Response): boolean {
  if (req.principal?.role === 'auditor') return true;
  if (!req.principal) {
    res.redirect(303, `/signin?next=${encodeURIComponent(req.originalUrl)}`);
    return false;
  }
  throw new ProblemError(403, 'forbidden', 'Forbidden', `signed in as ${req.principal.role}: the audit pages are for auditors`);
}
