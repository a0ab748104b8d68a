/**
 * The open live-feed connections (GET /api/stream). An event stream never ends by itself, so a
 * server that is stopping must end them, or `server.close()` would wait for them forever.
 */
export class LiveStreams {
  private readonly open = new Set<() => void>();
  private closed = false;

  constructor(readonly heartbeatMs: number) {}

  get size(): number {
    return this.open.size;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Registers how to end one stream; returns how to forget it once it ended by itself. */
  add(end: () => void): () => void {
    this.open.add(end);
    return () => this.open.delete(end);
  }

  /** Ends every open stream and refuses new ones. */
  closeAll(): void {
    this.closed = true;
    for (const end of [...this.open]) end();
    this.open.clear();
  }
}
