import { WholeLedgerWork } from '../../src/api/whole-ledger-work';

/** A job the test finishes by hand: what runs, waits or is refused does not depend on timing. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, job: async () => opened };
}
const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('whole-ledger work is limited per caller and in all', () => {
  it('one job per caller: a second from the same caller is 429 with Retry-After, while another caller is served', async () => {
    const work = new WholeLedgerWork({ running: 2, waiting: 2 });
    const first = gate();
    const running = work.run('auditor/a', 'verify', first.job);
    await expect(work.run('auditor/a', 'export', async () => 'no')).rejects.toMatchObject({
      status: 429,
      code: 'too-many-audits',
      retryAfterSeconds: 5,
      detail: expect.stringContaining('the verify you asked for is still running'),
    });
    await expect(work.run('auditor/b', 'export', async () => 'yes')).resolves.toBe('yes');
    first.open();
    await running;
    // done, the caller may ask again
    await expect(work.run('auditor/a', 'export', async () => 'again')).resolves.toBe('again');
  });

  it('a few run at once, the next ones wait their turn, and beyond the queue a caller is refused', async () => {
    const work = new WholeLedgerWork({ running: 2, waiting: 1 });
    const gates = [gate(), gate(), gate()];
    const started: number[] = [];
    const jobs = gates.map((g, i) => work.run(`caller-${i}`, 'verify', async () => (started.push(i), g.job())));
    await settled();
    expect(started).toEqual([0, 1]);
    await expect(work.run('caller-3', 'verify', async () => undefined)).rejects.toMatchObject({
      status: 429,
      detail: expect.stringContaining('busy with 3 whole-ledger jobs'),
    });
    gates[0]!.open();
    await jobs[0];
    await settled();
    expect(started).toEqual([0, 1, 2]);
    gates[1]!.open();
    gates[2]!.open();
    await Promise.all(jobs);
  });

  it('stopping ends the running jobs through their signal and does not start the waiting ones', async () => {
    const work = new WholeLedgerWork({ running: 1, waiting: 1 });
    let aborted = false;
    const running = work.run('a', 'verify', (signal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => ((aborted = true), resolve()))));
    const waiting = work.run('b', 'verify', async () => 'ran');
    work.stop();
    await running;
    expect(aborted).toBe(true);
    await expect(waiting).rejects.toMatchObject({ status: 503 });
  });
});
