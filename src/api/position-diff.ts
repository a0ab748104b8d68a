import { diffWords } from 'diff';
import { errors } from '../domain/errors';
import type { ReadModel } from '../projections/read-model';
import type { Stance } from '../projections/stance';
import { versionOfView } from './ledger-version';
import { ProblemError } from './problem';
import { viewOf } from './queries';
import { z } from 'zod';
import { AddresseeId, ThemeId } from '../domain/themes';
import { Status } from '../projections/stance';

const DiffSide = z.object({
  asOf: z.string().nullable(),
  revision: z.number().int(),
  decidedOn: z.string(),
  title: z.string(),
  statement: z.string(),
  themes: z.array(ThemeId).readonly(),
  addressees: z.array(AddresseeId).readonly(),
  status: Status,
});
const WordChanges = z.array(z.object({ op: z.enum(['added', 'removed', 'same']), text: z.string() }));
const SetChange = <T extends z.ZodType>(item: T) => z.object({ added: z.array(item), removed: z.array(item) });

/** What GET /api/positions/{id}/diff answers: the two sides and what changed between them. */
export const PositionDiff = z
  .object({
    positionId: z.string(),
    from: DiffSide,
    to: DiffSide,
    changed: z.boolean().meta({ description: 'whether the text revision in force differs' }),
    statement: WordChanges,
    title: WordChanges,
    themes: SetChange(ThemeId),
    addressees: SetChange(AddresseeId),
    status: z.object({ from: Status, to: Status }),
  })
  .meta({ id: 'PositionDiff' });

export interface DiffPart {
  readonly op: 'added' | 'removed' | 'same';
  readonly text: string;
}

const side = (s: Stance, asOf?: string) => ({
  asOf: asOf ?? null,
  revision: s.revision,
  decidedOn: s.decidedOn,
  title: s.title,
  statement: s.statement,
  themes: s.themes,
  addressees: s.addressees,
  status: s.status,
});

const words = (a: string, b: string): DiffPart[] =>
  diffWords(a, b).map(({ value, added, removed }) => ({ op: added ? 'added' : removed ? 'removed' : 'same', text: value }));

function setChange<T>(from: readonly T[], to: readonly T[]): { added: T[]; removed: T[] } {
  return { added: to.filter((x) => !from.includes(x)), removed: from.filter((x) => !to.includes(x)) };
}

/** How a position changed between two business dates: word diffs of statement and title, and what changed in themes, addressees and status. Used by the API and the diff page alike. */
export function positionDiff(projection: ReadModel, id: string, q: { from: string; to?: string; recordedAsOf?: string; version?: number }) {
  const { recordedAsOf, version } = viewOf(q);
  versionOfView(projection, version);
  const from = projection.position(id, { asOf: q.from, recordedAsOf, version });
  const to = projection.position(id, { asOf: q.to, recordedAsOf, version });
  if (!to) {
    const e = errors.positionNotFound(id);
    throw new ProblemError(404, e.code, 'Not found', q.to ? `${e.message} as of ${q.to}` : e.message, q.to ? 'to' : undefined);
  }
  if (!from) throw new ProblemError(404, 'not-found', 'Not found', `position "${id}" did not exist on ${q.from}: it was added on ${to.addedOn}`, 'from');
  return {
    positionId: id,
    from: side(from, q.from),
    to: side(to, q.to),
    changed: from.revision !== to.revision,
    statement: words(from.statement, to.statement),
    title: words(from.title, to.title),
    themes: setChange(from.themes, to.themes),
    addressees: setChange(from.addressees, to.addressees),
    status: { from: from.status, to: to.status },
  };
}
export type PositionDiff = z.infer<typeof PositionDiff>;
