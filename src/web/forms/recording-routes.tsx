import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { ApiDeps } from '../../api/deps';
import { toProblem } from '../../api/errors';
import { ProblemError } from '../../api/problem';
import { record } from '../../api/record';
import { positionId } from '../../api/routes/positions';
import { EVENT_LABEL } from '../format';
import { pageContext, sendPage } from '../render';
import type { WebSessions } from '../session';
import { expired, formBody } from '../signin';
import type { FormState } from './controls';
import { FORMS, initialFields, RecordingForm } from './form-pages';
import { commandOf, FORM_META, inFormOrder, submittedFields, textOf, type FormFields, type FormKind } from './form-fields';
import { StaleForm } from './stale-page';

const KINDS: readonly FormKind[] = ['revise', 'endorse', 'withdraw', 'correct'];

/**
 * The secretariat's forms: GET renders a form with the position's ETag and a fresh
 * Idempotency-Key; POST records through `record()`, the API's own write path, then redirects to
 * the position (so a reload never sends the form again). A problem re-renders the form with each
 * message beside its control; a stale ETag (412) explains what a colleague recorded meanwhile.
 */
export function recordingRoutes(deps: ApiDeps, sessions: WebSessions): Router {
  const router = Router();
  router.get('/new-position', (req, res) => showForm(deps, 'add', req, res));
  router.post('/new-position', formBody, (req, res) => submitForm(deps, sessions, 'add', req, res));
  for (const kind of KINDS) {
    router.get(`/positions/:id/${path(kind)}`, (req, res) => showForm(deps, kind, req, res));
    router.post(`/positions/:id/${path(kind)}`, formBody, (req, res) => submitForm(deps, sessions, kind, req, res));
  }
  return router;
}

const path = (kind: FormKind) => FORMS[kind].action('x').split('/').at(-1)!;

/** The secretariat only; anyone else is sent to sign in (and brought back), an auditor is told why not. */
function mayRecord(req: Request, res: Response, backTo: string): boolean {
  if (req.principal?.role === 'secretariat') return true;
  if (!req.principal) {
    res.redirect(303, `/signin?next=${encodeURIComponent(backTo)}`);
    return false;
  }
  throw new ProblemError(403, 'forbidden', 'Forbidden', `signed in as ${req.principal.role}: only the secretariat records decisions`);
}

function currentStance(deps: ApiDeps, kind: FormKind, req: Request) {
  if (kind === 'add') return undefined;
  const id = positionId(req);
  const stance = deps.projection.position(id);
  if (!stance) throw new ProblemError(404, 'position-not-found', 'Not found', `position "${id}" is not recorded`);
  return stance;
}

function showForm(deps: ApiDeps, kind: FormKind, req: Request, res: Response): void {
  if (!mayRecord(req, res, req.originalUrl)) return;
  const stance = currentStance(deps, kind, req);
  const ctx = pageContext(deps, req, res);
  const state: FormState = {
    fields: initialFields(kind, stance, req.query),
    csrf: ctx.viewer?.csrfToken ?? '',
    key: randomUUID(),
    etag: stance === undefined ? undefined : String(stance.streamRevision),
  };
  // private, not no-store: going back to the form restores this very rendering (its Idempotency-Key), so sending it again is a retry
  res.set('Cache-Control', 'private, no-cache');
  sendPage(res, ctx, {
    title: stance ? `${FORMS[kind].verb}: ${stance.id}` : FORMS[kind].verb,
    main: <RecordingForm kind={kind} deps={deps} stance={stance} state={state} />,
  });
}

async function submitForm(deps: ApiDeps, sessions: WebSessions, kind: FormKind, req: Request, res: Response): Promise<void> {
  const formUrl = req.originalUrl;
  if (!mayRecord(req, res, formUrl)) return;
  if (!sessions.csrfValid(req)) return expired(deps, req, res, formUrl);
  const fields = inFormOrder((req.body ?? {}) as FormFields);
  const stance = currentStance(deps, kind, req);
  const etag = textOf(fields, FORM_META.etag);
  const renderedAt = etag !== undefined && /^\d{1,9}$/.test(etag) ? Number(etag) : undefined;
  const ctx = pageContext(deps, req, res);
  try {
    if (stance && renderedAt === undefined)
      throw new ProblemError(400, 'validation', 'Invalid request', 'this form has no ETag of the page it came from: open it again', 'If-Match');
    const command = commandOf(kind, fields, stance?.id, stance);
    const recorded = await record(deps, req, command, renderedAt, { idempotencyKey: textOf(fields, FORM_META.key) ?? '', body: submittedFields(fields) });
    const what = recorded.events.map((e) => EVENT_LABEL[e.type as keyof typeof EVENT_LABEL] ?? 'Corrected').join(', ');
    const id = recorded.streamId.replace(/^position-/, '');
    req.session.flash = recorded.replayed
      ? `This form had already been recorded (${what.toLowerCase()}); it was not recorded twice.`
      : `Recorded: ${what.toLowerCase()} (record revision ${recorded.streamRevision}).`;
    res.redirect(303, `/positions/${id}`);
  } catch (error) {
    const problem = toProblem(error, formUrl.split('?')[0]!);
    if (problem.status >= 500) throw error;
    if (problem.status === 412 && stance && renderedAt !== undefined) {
      sendPage(res, ctx, {
        title: 'Someone recorded a change first',
        status: 412,
        main: <StaleForm deps={deps} kind={kind} current={stance} renderedAt={renderedAt} fields={fields} />,
      });
      return;
    }
    // the same key and ETag again: nothing was recorded, so sending the corrected form is still the same attempt
    const state: FormState = {
      fields,
      problem,
      csrf: ctx.viewer?.csrfToken ?? sessions.csrfToken(req),
      key: textOf(fields, FORM_META.key) ?? randomUUID(),
      etag,
    };
    sendPage(res, ctx, {
      title: `${FORMS[kind].verb}: problem`,
      status: problem.status,
      main: <RecordingForm kind={kind} deps={deps} stance={stance} state={state} />,
    });
  }
}
