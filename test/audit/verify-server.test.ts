import type { Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeLedger, type LedgerApp } from '../../src/app/compose';
import { loadConfig } from '../../src/app/config';
import type { VerifyReport } from '../../src/audit/verify';
import { runVerify } from '../../src/cli/commands/verify';
import { cliDependencies } from '../../src/app/compose-cli';
import { LedgerProjection } from '../../src/projections/ledger-projection';
import { ReadStoreTables } from '../../src/projections/read-store/tables';

/**
 * `ledger verify --server`: the CLI reads the store itself and holds the read model a running
 * server serves (its public API) to the projections rebuilt from event one.
 */
describe('ledger verify --server', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'ledger-verify-server-')), 'ledger.db');
  const env = { LEDGER_SQLITE_PATH: path };
  let ledger: LedgerApp;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    ledger = await composeLedger(
      loadConfig({
        ...env,
        LEDGER_RATE_LIMIT_PER_MINUTE: '0',
        LEDGER_SEED_DIR: join(__dirname, '../../events'),
        LEDGER_SOURCES_DIR: join(__dirname, '../../sources'),
      }),
    );
    server = await new Promise<Server>((resolve) => {
      const s = ledger.app.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await ledger.close();
  });

  const verify = async (server?: string, more: NodeJS.ProcessEnv = {}): Promise<{ code: number; report: VerifyReport }> => {
    let out = '';
    const code = await runVerify({ json: true, server }, cliDependencies({ out: (t) => (out += t), err: () => undefined, env: { ...env, ...more } }));
    return { code, report: JSON.parse(out) as VerifyReport };
  };

  it('without --server every projection is rebuilt beside the read store, once, from every event: never again in memory', async () => {
    const inMemory = jest.spyOn(LedgerProjection.prototype, 'apply');
    const beside = jest.spyOn(ReadStoreTables.prototype, 'applyBatch');
    const appliedBeside = () => beside.mock.calls.reduce((n, [events]) => n + events.length, 0);
    try {
      const { code, report } = await verify();
      expect([code, report.projection]).toEqual([0, 'rebuilt from event one']);
      expect(appliedBeside()).toBe(report.events);
      // with no read store on disk to compare with, they are rebuilt all the same
      beside.mockClear();
      const none = await verify(undefined, { LEDGER_READ_MODEL_DIR: mkdtempSync(join(tmpdir(), 'ledger-verify-no-read-store-')) });
      expect([none.code, none.report.projection]).toEqual([0, 'rebuilt from event one']);
      expect(appliedBeside()).toBe(none.report.events);
      expect(inMemory).not.toHaveBeenCalled();
    } finally {
      inMemory.mockRestore();
      beside.mockRestore();
    }
  });

  it('without --server the projections are rebuilt, and the report says no more than that', async () => {
    const { code, report } = await verify();
    expect([code, report.ok, report.projection]).toEqual([0, true, 'rebuilt from event one']);
  });

  it('without --server the read store on disk is compared table by table with one rebuilt from the same events: a changed row is named, exit 1', async () => {
    const clean = await verify();
    expect([clean.code, clean.report.problems]).toEqual([0, []]);
    expect((clean.report as VerifyReport & { readStore?: string }).readStore).toMatch(
      /^the read store on disk compared table by table with one rebuilt from its \d+ events$/,
    );
    const db = ledger.projection.currentTables().db;
    const row = db.prepare("SELECT id, status FROM stances WHERE position_id = 'eu-4' AND rec_to IS NULL AND biz_to IS NULL").get() as {
      id: number;
      status: string;
    };
    db.prepare("UPDATE stances SET status = 'withdrawn' WHERE id = ?").run(row.id);
    try {
      const { code, report } = await verify();
      expect(code).toBe(1);
      expect(report.problems[0]).toEqual(
        expect.objectContaining({
          check: 'projection',
          problem: expect.stringMatching(/^read store table stances, row \d+: live .*"eu-4".*"withdrawn".*, from the events .*"endorsed"/),
        }),
      );
      // and the counts the triggers keep beside it
      expect(report.problems.every((p) => p.check === 'projection' && /^read store table (stances|current_counts),/.test(p.problem))).toBe(true);
    } finally {
      db.prepare('UPDATE stances SET status = ? WHERE id = ?').run(row.status, row.id);
    }
  });

  it('the seeded server shows what the events give', async () => {
    const { code, report } = await verify(url);
    expect(report.problems).toEqual([]);
    expect(report.events).toBeGreaterThan(60);
    expect([code, report.projection]).toEqual([0, 'rebuilt and compared with the live read model']);
  });

  it('a server whose read model drifted from the events: the position and field named, exit 1', async () => {
    const [added] = await ledger.store.readStream('position-eu-4');
    ledger.projection.apply({
      ...added!,
      id: '6a0e1f7c-2d3b-4c5a-9e8f-7d6c5b4a3f21',
      revision: 99,
      position: `${added!.position}-drift`,
      type: 'PositionWithdrawn',
      data: { positionId: 'eu-4', decidedOn: '2015', reason: 'nobody decided this' },
      metadata: { ...added!.metadata, schemaVersion: 1 },
    });
    const { code, report } = await verify(url);
    expect(code).toBe(1);
    expect(report.problems).toEqual(
      expect.arrayContaining([expect.objectContaining({ check: 'projection', streamId: 'position-eu-4', problem: expect.stringContaining('status') })]),
    );
  });

  it('a server that cannot be reached is a usage error, not a clean report', async () => {
    await expect(verify('http://127.0.0.1:9')).rejects.toThrow('--server http://127.0.0.1:9: cannot reach');
  });
});
