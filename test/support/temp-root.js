// Every temporary folder a test makes (mkdtemp under os.tmpdir(), SQLite's own temp files, child
// processes) lands in one folder per run, removed when the run ends, whatever each test forgot.
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

module.exports.setup = async () => {
  const root = mkdtempSync(join(tmpdir(), 'position-ledger-tests-'));
  process.env.LEDGER_TEST_TMP_ROOT = root;
  process.env.TMPDIR = root;
};

module.exports.teardown = async () => {
  const root = process.env.LEDGER_TEST_TMP_ROOT;
  if (root) rmSync(root, { recursive: true, force: true });
};
