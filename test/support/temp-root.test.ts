import { tmpdir } from 'node:os';

/** Tests used to leave ~40 temporary folders behind per run: now every one is inside the run's own folder. */
describe('temporary folders of a test run', () => {
  it('os.tmpdir() is the run folder that global teardown removes', () => {
    const root = process.env.LEDGER_TEST_TMP_ROOT;
    expect(root).toMatch(/position-ledger-tests-/);
    expect(tmpdir()).toBe(root);
  });
});
