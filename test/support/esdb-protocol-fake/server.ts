import * as grpc from '@grpc/grpc-js';
import { Empty, StreamIdentifier, UUID } from '@eventstore/db-client/generated/shared_pb';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import {
  AppendReq,
  AppendResp,
  DeleteReq,
  DeleteResp,
  ReadReq,
  ReadResp,
  TombstoneReq,
  TombstoneResp,
} from '@eventstore/db-client/generated/streams_pb';
import { comparePositions, FakeLog, type Expected, type LogRecord, type Proposed } from './log';

/**
 * A KurrentDB protocol fake: an in-process gRPC server that speaks the Streams service of
 * KurrentDB (EventStoreDB) through the client's own generated definitions, over an in-memory log
 * (./log.ts). It exists because no real KurrentDB can run where the tests run. It proves that the
 * adapter speaks the protocol as the client sends and reads it; it does not prove clustering,
 * durability, performance, ACLs or TLS. Answers the Read (streams and $all, both directions,
 * from start, end, a revision or a position, with a count; catch-up subscriptions: confirmation,
 * catch-up, caught-up, live), Append, Delete and Tombstone calls; everything else, ServerFeatures
 * and Gossip included, is UNIMPLEMENTED, as on a server that does not offer it. Listens on
 * 127.0.0.1 only.
 */
export class KurrentDbProtocolFake {
  private server: grpc.Server | undefined;
  private readonly subscriptions = new Set<grpc.ServerWritableStream<ReadReq, ReadResp>>();
  port = 0;

  constructor(readonly log: FakeLog = new FakeLog()) {}

  static async start(): Promise<KurrentDbProtocolFake> {
    const fake = new KurrentDbProtocolFake();
    await fake.listen(0);
    return fake;
  }

  get connectionString(): string {
    return `esdb://127.0.0.1:${this.port}?tls=false`;
  }

  /** Drops every connection as a crashed node would, then comes back on the same port with the same log. */
  async restart(downForMs = 0): Promise<void> {
    this.server?.forceShutdown();
    this.server = undefined;
    this.subscriptions.clear();
    if (downForMs > 0) await new Promise((r) => setTimeout(r, downForMs));
    await this.listen(this.port);
  }

  get liveSubscriptions(): number {
    return this.subscriptions.size;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const call of this.subscriptions) call.end();
    this.subscriptions.clear();
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    server.forceShutdown();
  }

  private async listen(port: number): Promise<void> {
    const server = new grpc.Server();
    server.addService(StreamsService, {
      read: (call: grpc.ServerWritableStream<ReadReq, ReadResp>) => this.read(call),
      append: (call: grpc.ServerReadableStream<AppendReq, AppendResp>, callback: grpc.sendUnaryData<AppendResp>) => this.append(call, callback),
      delete: (call: grpc.ServerUnaryCall<DeleteReq, DeleteResp>, callback: grpc.sendUnaryData<DeleteResp>) => this.remove(call, callback, 'delete'),
      tombstone: (call: grpc.ServerUnaryCall<TombstoneReq, TombstoneResp>, callback: grpc.sendUnaryData<TombstoneResp>) =>
        this.remove(call, callback, 'tombstone'),
      // batchAppend has no implementation: grpc-js answers UNIMPLEMENTED (the client only uses it when ServerFeatures lists it).
    });
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    this.server = server;
  }

  // ---- Append ---------------------------------------------------------------------------------

  private append(call: grpc.ServerReadableStream<AppendReq, AppendResp>, callback: grpc.sendUnaryData<AppendResp>): void {
    let options: AppendReq.Options | undefined;
    const proposed: Proposed[] = [];
    let failed = false;
    call.on('data', (req: AppendReq) => {
      if (failed) return;
      if (req.hasOptions()) options = req.getOptions();
      else if (req.hasProposedMessage()) {
        const m = req.getProposedMessage()!;
        const meta = m.getMetadataMap();
        const type = meta.get('type');
        const contentType = meta.get('content-type');
        if (!type || !contentType) {
          failed = true;
          callback(serverError(grpc.status.INVALID_ARGUMENT, 'missing-required-metadata-property', 'type and content-type are required', {
            'required-metadata-properties': 'type,content-type',
          }));
          return;
        }
        try {
          proposed.push({ id: uuidOf(m.getId()), type, contentType, data: m.getData_asU8(), metadata: m.getCustomMetadata_asU8() });
        } catch (error) {
          failed = true;
          callback(error as grpc.StatusObject & Error);
        }
      }
    });
    call.on('error', () => {
      failed = true;
    });
    call.on('end', () => {
      if (failed) return;
      if (!options) return callback(serverError(grpc.status.INVALID_ARGUMENT, undefined, 'the first message of an append carries its options'));
      const streamId = streamName(options.getStreamIdentifier());
      const expected = expectedOf(options);
      const outcome = this.log.append(streamId, expected, proposed);
      const resp = new AppendResp();
      switch (outcome.kind) {
        case 'stream-deleted':
          return callback(streamDeletedError(streamId));
        case 'wrong-expected-version': {
          // Since 20.6 the server answers a wrong expected version in the body, not as an error.
          const w = new AppendResp.WrongExpectedVersion();
          if (outcome.current === 'no-stream') {
            w.setCurrentNoStream(new Empty());
            w.setNoStream2060(new Empty());
          } else {
            w.setCurrentRevision(outcome.current.toString());
            w.setCurrentRevision2060(Number(outcome.current));
          }
          setExpected(w, expected);
          resp.setWrongExpectedVersion(w);
          return callback(null, resp);
        }
        case 'success': {
          const s = new AppendResp.Success();
          if (outcome.currentRevision === 'no-stream') s.setNoStream(new Empty());
          else s.setCurrentRevision(outcome.currentRevision.toString());
          if (outcome.position) {
            const p = new AppendResp.Position();
            p.setCommitPosition(outcome.position.commit.toString());
            p.setPreparePosition(outcome.position.prepare.toString());
            s.setPosition(p);
          } else s.setNoPosition(new Empty());
          resp.setSuccess(s);
          return callback(null, resp);
        }
      }
    });
  }

  // ---- Delete, Tombstone ----------------------------------------------------------------------

  private remove(
    call: grpc.ServerUnaryCall<DeleteReq | TombstoneReq, DeleteResp | TombstoneResp>,
    callback: grpc.sendUnaryData<DeleteResp | TombstoneResp>,
    how: 'delete' | 'tombstone',
  ): void {
    const options = call.request.getOptions()!;
    const streamId = streamName(options.getStreamIdentifier());
    const expected = expectedOf(options);
    const outcome = how === 'delete' ? this.log.softDelete(streamId, expected) : this.log.tombstone(streamId, expected);
    if (outcome.kind === 'stream-deleted') return callback(streamDeletedError(streamId));
    if (outcome.kind === 'wrong-expected-version') {
      const trailers: Record<string, string> = { 'stream-name': streamId, 'expected-version': legacyExpectedVersion(expected) };
      if (outcome.current !== 'no-stream') trailers['actual-version'] = outcome.current.toString();
      return callback(
        serverError(grpc.status.FAILED_PRECONDITION, 'wrong-expected-version', `Append failed due to WrongExpectedVersion. Stream: ${streamId}`, trailers),
      );
    }
    const resp = how === 'delete' ? new DeleteResp() : new TombstoneResp();
    const p = how === 'delete' ? new DeleteResp.Position() : new TombstoneResp.Position();
    p.setCommitPosition(outcome.position.commit.toString());
    p.setPreparePosition(outcome.position.prepare.toString());
    (resp as DeleteResp).setPosition(p as DeleteResp.Position);
    callback(null, resp);
  }

  // ---- Read and subscriptions ------------------------------------------------------------------

  private read(call: grpc.ServerWritableStream<ReadReq, ReadResp>): void {
    const options = call.request.getOptions();
    if (!options) return failRead(call, serverError(grpc.status.INVALID_ARGUMENT, undefined, 'read options are required'));
    if (options.hasFilter()) {
      return failRead(call, serverError(grpc.status.UNIMPLEMENTED, undefined, 'server-side filters are not implemented by the protocol fake'));
    }
    const structured = options.getUuidOption()?.hasStructured() ?? false;
    const backwards = options.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS;
    const subscribe = options.hasSubscription();
    const count = options.hasCount() ? Number(BigInt(options.getCount())) : Number.POSITIVE_INFINITY;

    if (options.hasStream()) {
      const so = options.getStream()!;
      const streamId = streamName(so.getStreamIdentifier());
      if (this.log.isTombstoned(streamId)) return failRead(call, streamDeletedError(streamId));
      if (subscribe) {
        const from = so.hasRevision() ? BigInt(so.getRevision()) : so.hasEnd() ? 'end' : 'start';
        return this.subscribe(call, structured, false, (r) => r.streamId === streamId && this.isVisible(r), (records) => {
          const visible = records.filter((r) => r.streamId === streamId && this.isVisible(r));
          if (from === 'start') return 0;
          if (from === 'end') return records.length;
          const after = visible.find((r) => r.revision > from);
          return after ? records.indexOf(after) : records.length;
        });
      }
      const stream = this.log.readableStream(streamId);
      if (!stream) {
        const resp = new ReadResp();
        const nf = new ReadResp.StreamNotFound();
        nf.setStreamIdentifier(identifier(streamId));
        resp.setStreamNotFound(nf);
        call.write(resp);
        call.end();
        return;
      }
      let selected: LogRecord[];
      if (backwards) {
        const upTo = so.hasRevision() ? BigInt(so.getRevision()) : so.hasEnd() ? undefined : -1n;
        selected = stream.filter((r) => upTo === undefined || r.revision <= upTo).reverse();
      } else {
        const from = so.hasRevision() ? BigInt(so.getRevision()) : so.hasEnd() ? undefined : 0n;
        selected = from === undefined ? [] : stream.filter((r) => r.revision >= from);
      }
      return this.writeAll(call, selected.slice(0, count), structured, false);
    }

    const ao = options.getAll()!;
    const position = ao.hasPosition() ? { commit: BigInt(ao.getPosition()!.getCommitPosition()), prepare: BigInt(ao.getPosition()!.getPreparePosition()) } : undefined;
    if (position && position.commit < position.prepare) {
      return failRead(call, serverError(grpc.status.INVALID_ARGUMENT, undefined, `invalid position C:${position.commit}/P:${position.prepare}`));
    }
    if (subscribe) {
      // From a position a subscription is exclusive; from the start it includes the first record.
      return this.subscribe(call, structured, true, () => true, (records) => {
        if (ao.hasEnd()) return records.length;
        if (!position) return 0;
        const i = records.findIndex((r) => comparePositions(r, position) > 0);
        return i < 0 ? records.length : i;
      });
    }
    const records = this.log.records;
    let selected: LogRecord[];
    if (backwards) {
      // Backwards from a position: the records before it.
      selected = ao.hasStart() ? [] : records.filter((r) => !position || comparePositions(r, position) < 0).reverse();
    } else {
      // Forwards from a position: that record and the ones after it.
      selected = ao.hasEnd() ? [] : records.filter((r) => !position || comparePositions(r, position) >= 0);
    }
    this.writeAll(call, selected.slice(0, count), structured, true);
  }

  private isVisible(r: LogRecord): boolean {
    const readable = this.log.readableStream(r.streamId);
    return readable?.includes(r) ?? false;
  }

  private writeAll(call: grpc.ServerWritableStream<ReadReq, ReadResp>, records: readonly LogRecord[], structured: boolean, all: boolean): void {
    for (const r of records) call.write(eventResp(r, structured, all));
    call.end();
  }

  private subscribe(
    call: grpc.ServerWritableStream<ReadReq, ReadResp>,
    structured: boolean,
    all: boolean,
    matches: (r: LogRecord) => boolean,
    startIndex: (records: readonly LogRecord[]) => number,
  ): void {
    this.subscriptions.add(call);
    const confirmation = new ReadResp();
    const c = new ReadResp.SubscriptionConfirmation();
    c.setSubscriptionId(`fake-${Math.random().toString(16).slice(2)}`);
    confirmation.setConfirmation(c);
    call.write(confirmation);
    let next = startIndex(this.log.records);
    let caughtUp = false;
    let waiting = false;
    const pump = () => {
      if (waiting || call.cancelled || call.destroyed) return;
      const records = this.log.records;
      while (next < records.length) {
        const r = records[next]!;
        next += 1;
        if (!matches(r)) continue;
        if (!call.write(eventResp(r, structured, all))) {
          waiting = true;
          call.once('drain', () => {
            waiting = false;
            pump();
          });
          return;
        }
      }
      if (!caughtUp) {
        caughtUp = true;
        const resp = new ReadResp();
        resp.setCaughtUp(new ReadResp.CaughtUp());
        call.write(resp);
      }
    };
    const unlisten = this.log.onAppended(pump);
    const done = () => {
      unlisten();
      this.subscriptions.delete(call);
    };
    call.on('cancelled', done);
    call.on('close', done);
    call.on('error', done);
    pump();
  }
}

function failRead(call: grpc.ServerWritableStream<ReadReq, ReadResp>, error: grpc.StatusObject & Error): void {
  call.emit('error', error);
}

function eventResp(r: LogRecord, structured: boolean, all: boolean): ReadResp {
  const recorded = new ReadResp.ReadEvent.RecordedEvent();
  recorded.setId(uuidMessage(r.id, structured));
  recorded.setStreamIdentifier(identifier(r.streamId));
  recorded.setStreamRevision(r.revision.toString());
  recorded.setCommitPosition(r.commit.toString());
  recorded.setPreparePosition(r.prepare.toString());
  const meta = recorded.getMetadataMap();
  meta.set('type', r.type);
  meta.set('content-type', r.contentType);
  meta.set('created', r.created.toString());
  recorded.setData(r.data);
  recorded.setCustomMetadata(r.metadata);
  const event = new ReadResp.ReadEvent();
  event.setEvent(recorded);
  if (all) event.setCommitPosition(r.commit.toString());
  else event.setNoPosition(new Empty());
  const resp = new ReadResp();
  resp.setEvent(event);
  return resp;
}

function identifier(streamId: string): StreamIdentifier {
  const id = new StreamIdentifier();
  id.setStreamName(Uint8Array.from(Buffer.from(streamId, 'utf8')));
  return id;
}

function streamName(id: StreamIdentifier | undefined): string {
  if (!id) throw new Error('a stream identifier is required');
  return Buffer.from(id.getStreamName_asU8()).toString('utf8');
}

function uuidOf(id: UUID | undefined): string {
  if (!id) throw new Error('an event id is required');
  if (id.hasStructured()) {
    const s = id.getStructured()!;
    const buf = Buffer.alloc(16);
    buf.writeBigInt64BE(BigInt(s.getMostSignificantBits()), 0);
    buf.writeBigInt64BE(BigInt(s.getLeastSignificantBits()), 8);
    const hex = buf.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  // The server parses the id as a Guid: any other string is refused, and it answers in lowercase.
  const text = id.getString();
  if (!/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(text)) {
    throw serverError(grpc.status.INVALID_ARGUMENT, undefined, `Could not parse event id "${text}" as a Guid`);
  }
  return text.toLowerCase();
}

function uuidMessage(id: string, structured: boolean): UUID {
  const uuid = new UUID();
  if (!structured) {
    uuid.setString(id);
    return uuid;
  }
  const buf = Buffer.from(id.replace(/-/g, ''), 'hex');
  const s = new UUID.Structured();
  s.setMostSignificantBits(buf.readBigInt64BE(0).toString());
  s.setLeastSignificantBits(buf.readBigInt64BE(8).toString());
  uuid.setStructured(s);
  return uuid;
}

type WithExpected = {
  hasRevision(): boolean;
  getRevision(): string;
  hasNoStream(): boolean;
  hasStreamExists(): boolean;
};

function expectedOf(options: WithExpected): Expected {
  if (options.hasRevision()) return { kind: 'revision', revision: BigInt(options.getRevision()) };
  if (options.hasNoStream()) return { kind: 'no-stream' };
  if (options.hasStreamExists()) return { kind: 'stream-exists' };
  return { kind: 'any' };
}

function setExpected(w: AppendResp.WrongExpectedVersion, expected: Expected): void {
  switch (expected.kind) {
    case 'any':
      w.setExpectedAny(new Empty());
      w.setAny2060(new Empty());
      break;
    case 'no-stream':
      w.setExpectedNoStream(new Empty());
      break;
    case 'stream-exists':
      w.setExpectedStreamExists(new Empty());
      w.setStreamExists2060(new Empty());
      break;
    case 'revision':
      w.setExpectedRevision(expected.revision.toString());
      w.setExpectedRevision2060(Number(expected.revision));
      break;
  }
}

/** The numbers the server puts in the "expected-version" trailer: -2 any, -1 no stream, -4 stream exists. */
function legacyExpectedVersion(expected: Expected): string {
  switch (expected.kind) {
    case 'any':
      return '-2';
    case 'no-stream':
      return '-1';
    case 'stream-exists':
      return '-4';
    case 'revision':
      return expected.revision.toString();
  }
}

function streamDeletedError(streamId: string): grpc.StatusObject & Error {
  return serverError(grpc.status.FAILED_PRECONDITION, 'stream-deleted', `Event stream '${streamId}' is deleted.`, { 'stream-name': streamId });
}

/** The server's errors: a status, and in the trailers an "exception" naming it plus its details. */
function serverError(code: grpc.status, exception: string | undefined, details: string, extra: Record<string, string> = {}): grpc.StatusObject & Error {
  const metadata = new grpc.Metadata();
  if (exception) metadata.set('exception', exception);
  for (const [k, v] of Object.entries(extra)) metadata.set(k, v);
  return Object.assign(new Error(details), { code, details, metadata });
}
