import type { VerifyProblem, VerifyReport } from './verify';

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** The verification report as an auditor reads it: one line per problem, naming the event. */
export function reportLines(report: VerifyReport, source: string): string[] {
  const out = [`verify ${source}: ${report.ok ? 'OK' : `${report.problems.length} PROBLEM${report.problems.length === 1 ? '' : 'S'}`}`];
  out.push(
    `  ${report.events} events in ${report.streams} streams; ${report.hashesVerified} hashes recomputed and chained; ` +
      `${count(report.checkpoints, 'checkpoint')} in the ledger and ${count(report.keptCheckpoints, 'kept checkpoint')} checked; projections ${report.projection}`,
  );
  if (report.latestCheckpoint) {
    out.push(
      `  latest checkpoint ${report.latestCheckpoint.rootHash} (event ${report.latestCheckpoint.eventId}, ${report.latestCheckpoint.eventCount} events, recorded ${report.latestCheckpoint.recordedAt})`,
    );
  } else out.push('  no checkpoint recorded: a truncated tail or a dropped stream could not be detected');
  if (report.uncovered > 0) out.push(`  ${report.uncovered} events after the latest checkpoint are protected by their hash chain only`);
  for (const p of report.problems) out.push(`  - ${problemLine(p)}`);
  return out;
}

export function problemLine(p: VerifyProblem): string {
  const at = [p.line !== undefined ? `line ${p.line}` : undefined, p.position !== undefined ? `position ${p.position}` : undefined].filter(Boolean).join(', ');
  return `[${p.check}]${at ? ` (${at})` : ''} ${p.problem}`;
}
