/**
 * Open pages follow the ledger's live feed (GET /api/stream, from the position the page was
 * rendered at, so nothing recorded in between is missed): when someone records a change, the page
 * fetches itself again and swaps its view in place, and says so in a polite live region. A page
 * with a recording form is never swapped under the reader's hands: it says what was recorded
 * instead (sending the form would then explain the conflict).
 */
interface RecordedNotice {
  readonly type: string;
  readonly positionId?: string;
  readonly streamId: string;
}

const LABEL: Record<string, string> = {
  PositionAdded: 'an addition',
  PositionRevised: 'a revision',
  PositionEndorsed: 'an endorsement',
  PositionWithdrawn: 'a withdrawal',
  PositionRecordCorrected: 'a correction',
  SourceDocumentRegistered: 'a source document',
  CheckpointRecorded: 'a checkpoint',
};

/** The region a page swaps: its as-of view, a region marked for it, or the whole main. */
const REGION = '[data-as-of-view], [data-live-region]';

export function followLedger(doc: Document): void {
  if (doc.body.dataset.ledgerPosition === undefined || typeof EventSource === 'undefined') return;
  let source = connect(doc);
  // an open stream would keep the page out of the back/forward cache; going back to a form must
  // bring back that very form (its Idempotency-Key), so the stream closes on leaving and reopens on return
  window.addEventListener('pagehide', () => source.close());
  window.addEventListener('pageshow', (event) => {
    if (event.persisted) source = connect(doc);
  });
}

function connect(doc: Document): EventSource {
  const after = doc.body.dataset.ledgerPosition ?? '';
  const source = new EventSource(`/api/stream${after ? `?after=${encodeURIComponent(after)}` : ''}`);
  // a mark that the feed is connected (tests wait for it; a stylesheet could show it)
  source.addEventListener('open', () => (doc.body.dataset.liveFeed = 'open'));
  source.addEventListener('error', () => (doc.body.dataset.liveFeed = 'reconnecting'));
  const seen: RecordedNotice[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  // set while the server asked to wait (429: the auditors' page is still being computed for this reader)
  let waitingUntil = 0;
  const refreshIn = (ms: number) => {
    clearTimeout(timer);
    timer = setTimeout(
      () =>
        void refresh(doc, seen.splice(0), (notices, seconds) => {
          seen.unshift(...notices);
          waitingUntil = Date.now() + seconds * 1000;
          refreshIn(seconds * 1000);
        }),
      ms,
    );
  };

  source.addEventListener('recorded', (event) => {
    const notice = JSON.parse((event as MessageEvent<string>).data) as RecordedNotice;
    const form = doc.querySelector<HTMLFormElement>('form[data-record-form]');
    if (form) {
      const about = form.dataset.positionId;
      if (!about || notice.positionId === about) {
        liveRegion(doc).textContent =
          `Someone just recorded ${LABEL[notice.type] ?? 'a change'}${notice.positionId ? ` to ${notice.positionId}` : ''}. If you send this form, you will see what changed first.`;
      }
      return;
    }
    // checkpoints change nothing a reader sees, except on the auditors' page
    if (notice.type === 'CheckpointRecorded' && !doc.querySelector('[data-verify]')) return;
    seen.push(notice);
    // a refresh already waits its turn: it will show this too
    if (Date.now() < waitingUntil) return;
    refreshIn(250);
  });
  return source;
}

/**
 * Fetches the page again and swaps its view in. A server that asks to wait (429: the auditors'
 * page recomputes verify, one at a time per reader; 503) gets its wait: the page keeps showing
 * its last result, says so, and `later` tries again after Retry-After.
 */
async function refresh(doc: Document, notices: readonly RecordedNotice[], later: (notices: readonly RecordedNotice[], seconds: number) => void): Promise<void> {
  const res = await fetch(location.href, { headers: { Accept: 'text/html' }, credentials: 'same-origin' }).catch(() => undefined);
  if (!res || res.status === 429 || res.status === 503) {
    const seconds = Math.min(60, Math.max(1, Number(res?.headers.get('Retry-After')) || 5));
    liveRegion(doc).textContent =
      `${describe(notices)} The server is still busy with this page, so it shows what it showed before; it will refresh in ${seconds} s.`;
    doc.body.dataset.liveDeferred = String(Number(doc.body.dataset.liveDeferred ?? '0') + 1);
    later(notices, seconds);
    return;
  }
  if (!res.ok) return;
  const next = new DOMParser().parseFromString(await res.text(), 'text/html');
  const here = doc.querySelector(REGION) ?? doc.querySelector('main');
  const there = next.querySelector(REGION) ?? next.querySelector('main');
  if (!here || !there) return;
  // a reader typing in the view (a filter, the as-of field) keeps what they typed: only say it changed
  if (here.contains(doc.activeElement) && doc.activeElement?.matches('input, textarea, select')) {
    liveRegion(doc).textContent = `${describe(notices)} Reload the page to see it.`;
    return;
  }
  here.replaceWith(doc.importNode(there, true));
  for (const version of Array.from(doc.querySelectorAll('.ledger-version')))
    version.textContent = next.querySelector('.ledger-version')?.textContent ?? version.textContent;
  const position = next.body.dataset.ledgerPosition;
  if (position !== undefined) doc.body.dataset.ledgerPosition = position;
  doc.body.dataset.liveUpdates = String(Number(doc.body.dataset.liveUpdates ?? '0') + 1);
  liveRegion(doc).textContent = `${describe(notices)} This page now shows it.`;
}

function describe(notices: readonly RecordedNotice[]): string {
  const what = notices.map((n) => `${LABEL[n.type] ?? 'a change'}${n.positionId ? ` to ${n.positionId}` : ''}`);
  return `Just recorded: ${[...new Set(what)].join(', ')}.`;
}

function liveRegion(doc: Document): HTMLElement {
  const existing = doc.querySelector<HTMLElement>('[data-live-status]');
  if (existing) return existing;
  const region = doc.createElement('div');
  region.setAttribute('role', 'status');
  region.setAttribute('aria-live', 'polite');
  region.dataset.liveStatus = '';
  region.className = 'live-status';
  doc.querySelector('main')?.prepend(region);
  return region;
}
