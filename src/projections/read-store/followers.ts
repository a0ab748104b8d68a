import { readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * How a rebuild knows whether a server follows a read-store directory, and so whether the
 * generation it replaces must stay on disk until that server switches away from it (the server
 * then deletes it), or can go at once (at a million events a generation is about 5 GB).
 *
 * A following server keeps a mark in the directory and touches it as it looks for a rebuilt
 * generation. A mark not touched for FOLLOWER_SILENT_MS is a server gone (killed, or on another
 * machine's clock): its generation is not kept for it. Deleting a generation under a server that
 * was only slow is harmless on POSIX: its open file stays readable until it switches.
 */
export const FOLLOWER_SILENT_MS = 30_000;
const PREFIX = 'follower-';

export interface FollowerMark {
  /** says the server still follows (called as it looks for a rebuilt generation) */
  touch(): void;
  remove(): void;
}

export function markFollowing(dir: string): FollowerMark {
  const path = join(dir, `${PREFIX}${hostname()}-${process.pid}-${Date.now()}`);
  writeFileSync(path, `${process.pid}\n`);
  return {
    touch: () => {
      const now = new Date();
      try {
        utimesSync(path, now, now);
      } catch {
        // removed by a rebuild that judged it silent: made again, so that the next rebuild keeps what this server reads
        writeFileSync(path, `${process.pid}\n`);
      }
    },
    remove: () => rmSync(path, { force: true }),
  };
}

/** Whether a server has said lately that it follows `dir`; silent marks are removed on the way. */
export function followedNow(dir: string, now = Date.now()): boolean {
  let followed = false;
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(PREFIX)) continue;
    const path = join(dir, name);
    try {
      if (now - statSync(path).mtimeMs < FOLLOWER_SILENT_MS) followed = true;
      else rmSync(path, { force: true });
    } catch {
      // removed meanwhile by its server
    }
  }
  return followed;
}
