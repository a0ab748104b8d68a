/** Who waits for which event to reach a read model (read-your-writes after an append), and their release. */
export class EventWaiters {
  private readonly waiting = new Map<string, Array<() => void>>();

  /** resolves true once `release` names the event, false after `timeoutMs` */
  wait(eventId: string, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      const list = this.waiting.get(eventId) ?? [];
      list.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
      this.waiting.set(eventId, list);
    });
  }

  release(eventIds: Iterable<string>): void {
    if (this.waiting.size === 0) return;
    for (const id of eventIds) {
      const list = this.waiting.get(id);
      if (!list) continue;
      this.waiting.delete(id);
      for (const resolve of list) resolve();
    }
  }
}
