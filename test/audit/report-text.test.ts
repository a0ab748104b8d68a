import { reportLines } from '../../src/audit/report-text';
import type { VerifyReport } from '../../src/audit/verify';

describe('the verification report as text', () => {
  const report = (checkpoints: number, keptCheckpoints: number): VerifyReport =>
    ({
      ok: true,
      problems: [],
      events: 3,
      streams: 1,
      hashesVerified: 3,
      checkpoints,
      keptCheckpoints,
      projection: 'matches',
      uncovered: 0,
    }) as unknown as VerifyReport;

  it('counts checkpoints in words that agree with the number', () => {
    expect(reportLines(report(1, 1), 'x')[1]).toMatch(/1 checkpoint in the ledger and 1 kept checkpoint checked/);
    expect(reportLines(report(2, 0), 'x')[1]).toMatch(/2 checkpoints in the ledger and 0 kept checkpoints checked/);
  });
});
