import { exportLines, verifyExport } from '../../src/audit/export-file';
import type { VerifyProblem, VerifyReport } from '../../src/audit/verify';
import { computeCheckpoint } from '../../src/audit/checkpoint';
import { sha256Hex } from '../../src/integrity/event-hash';
import { recomputeHash } from '../../src/integrity/hash-chain';
import { recordHistory, rechain, type History } from './history';

/**
 * Every way to corrupt an export, in the manner of Certificate Transparency's verifier tests:
 * each probe must be detected offline (no store, no server) and reported at the exact event.
 */
type Line = { kind: string; [k: string]: unknown } & {
  id?: string;
  streamId?: string;
  revision?: number;
  position?: string;
  data?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
};
type EventLine = Line & { id: string; streamId: string; revision: number; type: string; data: Record<string, unknown>; metadata: Record<string, unknown> };

describe('an export proved offline', () => {
  let history: History;
  let text: string;
  beforeAll(async () => {
    history = await recordHistory();
    text = [...exportLines(history.events)].join('');
  });

  const lines = (): Line[] =>
    text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
  const toText = (ls: readonly unknown[]) => `${ls.map((l) => JSON.stringify(l)).join('\n')}\n`;
  const idOf = (streamId: string, revision: number) => history.events.find((e) => e.streamId === streamId && e.revision === revision)!.id;
  const keptRootA = () => ({ rootHash: history.checkpointA.checkpoint.rootHash });
  const checks = (r: VerifyReport) => r.problems.map((p) => p.check);
  const about = (r: VerifyReport, eventId: string) => r.problems.filter((p: VerifyProblem) => p.eventId === eventId);

  it('a clean export verifies clean, with every hash recomputed and both checkpoints checked', () => {
    const report = verifyExport(text, { kept: [keptRootA()] });
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, events: history.events.length, hashesVerified: history.events.length, checkpoints: 2, uncovered: 0 });
    expect(report.latestCheckpoint?.eventId).toBe(history.checkpointB.eventId);
  });

  it('a changed field of the data: the hash of that event', () => {
    const target = idOf('position-eu-4', 1);
    const ls = lines();
    const line = ls.find((l) => l.id === target)!;
    line.data = { ...line.data, statement: 'Cities should be consulted, sometimes.' };
    const report = verifyExport(toText(ls));
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      expect.objectContaining({ check: 'hash', eventId: target, streamId: 'position-eu-4', revision: 1, line: ls.indexOf(line) + 1 }),
    ]);
  });

  it('changed metadata (who recorded it): the hash of that event', () => {
    const target = idOf('position-cities-1', 0);
    const ls = lines();
    const line = ls.find((l) => l.id === target)!;
    line.metadata = { ...line.metadata, recordedBy: 'secretariat/someone-else' };
    const report = verifyExport(toText(ls));
    expect(report.problems).toEqual([expect.objectContaining({ check: 'hash', eventId: target })]);
  });

  it('an event re-linked: its prevHash rewritten and its own hash recomputed to match: the chain, at exactly that event', () => {
    const target = idOf('position-eu-4', 1);
    const ls = lines();
    const line = ls.find((l) => l.id === target)! as EventLine;
    line.metadata = { ...line.metadata, prevHash: sha256Hex('another past') };
    line.metadata = { ...line.metadata, hash: recomputeHash({ ...line, position: line.position ?? '' }) };
    const report = verifyExport(toText(ls));
    expect(report.ok).toBe(false);
    expect(about(report, target)).toEqual([expect.objectContaining({ check: 'chain', eventId: target, line: ls.indexOf(line) + 1 })]);
  });

  it('one bit flipped anywhere in an event line: that line', () => {
    const target = idOf('document-recommendations', 0);
    const bytes = Buffer.from(text, 'utf8');
    const at = bytes.indexOf('Political recommendations');
    bytes[at + 3] = bytes[at + 3]! ^ 0x01; // "Political" -> "Pomitical"
    const report = verifyExport(bytes.toString('utf8'));
    expect(report.problems).toEqual([expect.objectContaining({ check: 'hash', eventId: target, line: 1 })]);
  });

  it('a deleted event: the gap in its stream, at the event after it', () => {
    const deleted = idOf('position-eu-4', 1);
    const after = idOf('position-eu-4', 2);
    const report = verifyExport(toText(lines().filter((l) => l.id !== deleted)));
    expect(about(report, after)).toEqual([
      expect.objectContaining({ check: 'revision', revision: 2, problem: expect.stringContaining('revision 1 is missing') }),
    ]);
    expect(checks(report)).toContain('checkpoint');
    // the checkpoints are not blamed as inserted: they are what proves the deletion
    for (const c of [history.checkpointA, history.checkpointB]) expect(about(report, c.eventId).filter((p) => p.problem.includes('was inserted'))).toEqual([]);
  });

  it('an event appended after the final checkpoint, hash-chained like a real one: not vouched for by the export', () => {
    const ls = lines();
    const checkpointLineAt = ls.length - 1;
    const cities = ls.filter((l) => l.streamId === 'position-cities-1') as EventLine[];
    const last = cities.at(-1)!;
    const forged = rechain<EventLine>([
      ...cities,
      {
        kind: 'event',
        id: '7a1d1c9e-3c2b-4f6e-8d0a-5b4c3d2e1f00',
        streamId: 'position-cities-1',
        revision: cities.length,
        position: String(checkpointLineAt + 1),
        type: 'PositionWithdrawn',
        data: { positionId: 'cities-1', decidedOn: '2015', reason: 'never happened' },
        metadata: { ...last.metadata, schemaVersion: 1 },
      },
    ]).at(-1)!;
    ls.splice(checkpointLineAt, 0, forged as Line);
    const report = verifyExport(toText(ls));
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      expect.objectContaining({
        check: 'export',
        eventId: forged.id,
        line: checkpointLineAt + 1,
        problem: expect.stringContaining("follow the export's final checkpoint"),
      }),
    ]);
  });

  it('two events swapped: the global order at the exact events', () => {
    const ls = lines();
    const i = ls.findIndex((l) => l.id === idOf('position-cities-1', 0));
    [ls[i], ls[i + 1]] = [ls[i + 1]!, ls[i]!];
    const report = verifyExport(toText(ls));
    expect(report.problems).toEqual([
      expect.objectContaining({ check: 'order', eventId: idOf('position-cities-1', 0), problem: expect.stringContaining('reordered') }),
      ...report.problems.slice(1).map(() => expect.objectContaining({ check: 'checkpoint' })),
    ]);
    expect(report.problems.length).toBeGreaterThan(1); // both checkpoints cover that order: their events root differs
  });

  it('an inserted event, hash-chained like a real one, among what a checkpoint covers', () => {
    const ls = lines();
    const cities = ls.filter((l) => l.streamId === 'position-cities-1') as EventLine[];
    const last = cities.at(-1)!;
    const forged = rechain<EventLine>([
      ...cities,
      {
        kind: 'event',
        id: '0b6f8f0e-7d1c-4a55-9f0e-2f7d8a9b1c2d',
        streamId: 'position-cities-1',
        revision: cities.length,
        position: '0',
        type: 'PositionWithdrawn',
        data: { positionId: 'cities-1', decidedOn: '2015', reason: 'never happened' },
        metadata: { ...last.metadata, schemaVersion: 1 },
      },
    ]).at(-1)!;
    // placed right after the stream's last event, positions renumbered so that they still increase
    const at = ls.indexOf(last) + 1;
    ls.splice(at, 0, forged as Line);
    ls.forEach((l, i) => {
      if (l.kind === 'event') l.position = String(i + 1);
    });
    const report = verifyExport(toText(ls));
    expect(about(report, forged.id)).toEqual(
      expect.arrayContaining([expect.objectContaining({ check: 'checkpoint', problem: expect.stringContaining('it was inserted') })]),
    );
    expect(report.problems.every((p) => p.check === 'checkpoint')).toBe(true);
  });

  it('a truncated tail, the checkpoint line kept: the line names an event that is gone, and what it covered is missing', () => {
    const ls = lines();
    const cut = [...ls.slice(0, -4), ls.at(-1)!]; // the last three events and the checkpoint B event removed
    const report = verifyExport(toText(cut));
    expect(report.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ check: 'export', eventId: history.checkpointB.eventId, problem: expect.stringContaining('not in the export') }),
        expect.objectContaining({ check: 'kept-checkpoint', streamId: 'position-eu-7', problem: expect.stringContaining('missing') }),
      ]),
    );
  });

  it('a truncated tail with its checkpoint line: the export is cut short; with the root the auditor kept, exactly what is gone', () => {
    const ls = lines();
    const cut = ls.slice(0, -4);
    expect(verifyExport(toText(cut)).problems).toEqual([
      expect.objectContaining({ check: 'export', problem: expect.stringContaining('no final checkpoint line') }),
    ]);
    const kept = { checkpoint: history.checkpointB.checkpoint };
    const report = verifyExport(toText(cut), { kept: [kept] });
    expect(report.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ check: 'kept-checkpoint', streamId: 'position-eu-7', revision: 0 }),
        expect.objectContaining({ check: 'kept-checkpoint', streamId: 'position-eu-4', revision: 3 }),
      ]),
    );
  });

  it('a whole stream dropped: the checkpoints name it', () => {
    const report = verifyExport(toText(lines().filter((l) => l.streamId !== 'position-cities-1')));
    expect(report.problems.filter((p) => p.streamId === 'position-cities-1')).toEqual([
      expect.objectContaining({ check: 'checkpoint', problem: expect.stringContaining('stream position-cities-1 is missing') }),
      expect.objectContaining({ check: 'checkpoint', problem: expect.stringContaining('stream position-cities-1 is missing') }),
    ]);
  });

  it('a whole stream rewritten with freshly recomputed hashes: the older checkpoints still hold its true head', () => {
    const ls = lines();
    const stream = ls.filter((l) => l.streamId === 'position-cities-1') as EventLine[];
    stream[0]!.data = { ...stream[0]!.data, statement: 'Cities compete with each other.' };
    const rewritten = rechain(stream);
    const out = ls.map((l) => rewritten.find((r) => r.id === l.id) ?? l);
    const report = verifyExport(toText(out));
    expect(checks(report).filter((c) => c === 'hash' || c === 'chain')).toEqual([]);
    expect(about(report, stream[0]!.id)).toEqual(
      expect.arrayContaining([expect.objectContaining({ check: 'checkpoint', problem: expect.stringContaining('rewritten') })]),
    );
  });

  it('a stream and every checkpoint rewritten to match: only the checkpoint root the auditor kept catches it, and it does', () => {
    const ls = lines();
    const stream = ls.filter((l) => l.streamId === 'position-cities-1') as EventLine[];
    stream[0]!.data = { ...stream[0]!.data, statement: 'Cities compete with each other.' };
    const rewritten = rechain(stream);
    let out: Line[] = ls.map((l) => rewritten.find((r) => r.id === l.id) ?? l);
    // the forger recomputes each checkpoint over the forged ledger, and the checkpoint stream's chain, and the final line
    const events = () => out.filter((l) => l.kind === 'event').map((l) => ({ ...l, kind: undefined }) as never);
    for (const cp of [history.checkpointA, history.checkpointB]) {
      const index = out.findIndex((l) => l.id === cp.eventId);
      out[index] = { ...out[index]!, data: computeCheckpoint(events().slice(0, cp.checkpoint.eventCount), cp.checkpoint.recordedAt) };
      const chain = rechain(out.filter((l) => l.kind === 'event' && l.streamId === 'ledger-checkpoints') as EventLine[]);
      out = out.map((l) => chain.find((c) => c.id === l.id) ?? l);
    }
    const b = out.find((l) => l.id === history.checkpointB.eventId)!;
    out[out.length - 1] = { ...out.at(-1)!, hash: (b.metadata as { hash: string }).hash, checkpoint: b.data };
    expect(verifyExport(toText(out)).problems).toEqual([]); // a forgery this complete passes every self-check…
    const report = verifyExport(toText(out), { kept: [keptRootA()] });
    expect(report.problems).toEqual([
      expect.objectContaining({ check: 'kept-checkpoint', problem: expect.stringContaining(history.checkpointA.checkpoint.rootHash) }),
    ]);
  });

  it('lines that are not events are reported by line number', () => {
    const ls = text.trimEnd().split('\n');
    ls.splice(2, 0, '{"kind":"event"', 'not json at all');
    const report = verifyExport(`${ls.join('\n')}\n`);
    expect(report.problems).toEqual(
      expect.arrayContaining([expect.objectContaining({ check: 'format', line: 3 }), expect.objectContaining({ check: 'format', line: 4 })]),
    );
  });
});
