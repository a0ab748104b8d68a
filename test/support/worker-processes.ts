import { readdirSync, readFileSync } from 'node:fs';

/** This process's children running the whole-ledger worker's entry (verify-worker). */
export function workerProcesses(): string[] {
  return readdirSync('/proc/self/task')
    .flatMap((task) => readFileSync(`/proc/self/task/${task}/children`, 'utf8').split(' ').filter(Boolean))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('verify-worker');
      } catch {
        return false; // ended meanwhile
      }
    });
}
