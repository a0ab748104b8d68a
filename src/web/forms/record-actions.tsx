import type { Viewer } from '../layout';
import type { Stance } from '../../projections/stance';
import { FORMS } from './form-pages';

/** On a position's page: the secretariat's forms for it; for anyone else, how to get them. */
export function RecordActions({ stance, viewer }: { stance: Stance; viewer?: Viewer }) {
  if (viewer?.role !== 'secretariat') {
    return viewer ? null : (
      <p class="muted record-actions">
        Secretariat? <a href={`/signin?next=${encodeURIComponent(`/positions/${stance.id}`)}`}>Sign in</a> to record a decision on this position.
      </p>
    );
  }
  const kinds = stance.status === 'withdrawn' ? (['correct'] as const) : (['revise', 'endorse', 'withdraw', 'correct'] as const);
  return (
    <nav class="record-actions" aria-label="Record a decision on this position">
      <ul>
        {kinds.map((kind) => (
          <li>
            <a class="button secondary" href={FORMS[kind].action(stance.id)}>
              {FORMS[kind].verb}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
