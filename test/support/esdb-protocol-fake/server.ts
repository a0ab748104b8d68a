import * as grpc from '@grpc/grpc-js';
import { Code } from '@eventstore/db-client/generated/code_pb';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import { SupportedMethod, SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb';
import {
  AllStreamPosition,
  Empty,
  MaximumAppendSizeExceeded,
  StreamDeleted,
  StreamIdentifier,
  Timeout,
  UUID,
  WrongExpectedVersion,
} from '@eventstore/db-client/generated/shared_pb';
import { Status } from '@eventstore/db-client/generated/status_pb';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import {
  AppendReq,
  AppendResp,
  BatchAppendReq,
  BatchAppendResp,
  DeleteReq,
  DeleteResp,
  ReadReq,
  ReadResp,
  TombstoneReq,
  TombstoneResp,
} from '@eventstore/db-client/generated/streams_pb';
import { Any } from 'google-protobuf/google/protobuf/any_pb';
import { comparePositions, FakeLog, type AppendOutcome, type Expected, type LogRecord, type Proposed } from './log';

export interface FakeOptions {
  /** advertise BatchAppend in ServerFeatures, as KurrentDB 25 does (default); false: a server without it */
  readonly batchAppend?: boolean;
  /** a follower of this leader: serves reads from its own (stale) copy, forwards writes, answers NotLeader to requires-leader */
  readonly leader?: KurrentDbProtocolFake;
}

/** One call the fake fails on purpose: the next `times` calls of `method` end with this status. */
export interface Fault {
  readonly method: 'read' | 'subscribe' | 'append';
  readonly code: grpc.status;
  readonly details: string;
  times: number;
}

/**
 * A KurrentDB protocol fake: an in-process gRPC server that speaks the Streams service of
 * KurrentDB (EventStoreDB) through the client's own generated definitions, over an in-memory log
 * (./log.ts). It exists because no real KurrentDB can run where the tests run. It proves that the
 * adapter speaks the protocol as the client sends and reads it; it does not prove clustering,
 * durability, performance, ACLs or TLS. Answers the Read (streams and $all, both directions,
 * from start, end, a revision or a position, with a count; catch-up subscriptions: confirmation,
 * catch-up, caught-up, live; server-side stream and event-type filters), Append, BatchAppend
 * (advertised in ServerFeatures, as KurrentDB 25 does, so the client's batch path is the one that
 * runs), Delete and Tombstone; everything else, Gossip included, is UNIMPLEMENTED, as on a server
 * that does not offer it. A follower (options.leader) serves stale reads from its own copy,
 * forwards writes to the leader, and answers requires-leader calls with NotLeader naming the
 * leader. `faults` fails chosen calls. Listens on 127.0.0.1 only.
 */
export class KurrentDbProtocolFake {
  private server: grpc.Server | undefined;
  private readonly subscriptions = new Set<grpc.ServerWritableStream<ReadReq, ReadResp>>();
  readonly faults: Fault[] = [];
  /** appends received, by the call the client chose (BatchAppend when ServerFeatures lists it) */
  readonly calls = { append: 0, batchAppend: 0 };
  port = 0;

  constructor(
    readonly log: FakeLog = new FakeLog(),
    private readonly options: FakeOptions = {},
  ) {}

  static async start(options: FakeOptions & { log?: FakeLog } = {}): Promise<KurrentDbProtocolFake> {
    const fake = new KurrentDbProtocolFake(options.log ?? (options.leader ? new FakeLog({ replica: true }) : new FakeLog()), options);
    if (options.leader) fake.log.replicateFrom(options.leader.log);
    await fake.listen(0);
    return fake;
  }

  /** A follower catches up with its leader (on a real cluster: replication, here: when told). */
  replicate(): void {
    if (this.options.leader) this.log.replicateFrom(this.options.leader.log);
  }

  /** the log that writes go to: the leader's, for a follower (the server forwards them) */
  private get writeLog(): FakeLog {
    return this.options.leader?.log ?? this.log;
  }

  /** The answer of a follower to a call that requires the leader; undefined on the leader or when not required. */
  private notLeader(metadata: grpc.Metadata): (grpc.StatusObject & Error) | undefined {
    const leader = this.options.leader;
    if (!leader || metadata.get('requires-leader')[0] !== 'true') return undefined;
    return serverError(grpc.status.NOT_FOUND, 'not-leader', 'Leader info available', {
      'leader-endpoint-host': '127.0.0.1',
      'leader-endpoint-port': String(leader.port),
    });
  }

  private fault(method: Fault['method']): (grpc.StatusObject & Error) | undefined {
    const f = this.faults.find((x) => x.method === method && x.times > 0);
    if (!f) return undefined;
    f.times -= 1;
    return serverError(f.code, undefined, f.details);
  }

  get connectionString(): string {
    return `esdb://127.0.0.1:${this.port}?tls=false`;
  }

  /** Drops every connection as a crashed node would, then comes back on the same port with the same log. */
  async restart(downForMs = 0): Promise<void> {
    this.server?.forceShutdown();
    this.server = undefined;
    this.subscriptions.clear();
    this.log.forgetRecentIds();
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
      batchAppend: (call: grpc.ServerDuplexStream<BatchAppendReq, BatchAppendResp>) => this.batchAppend(call),
    });
    server.addService(ServerFeaturesService, {
      getSupportedMethods: (_call: grpc.ServerUnaryCall<Empty, SupportedMethods>, callback: grpc.sendUnaryData<SupportedMethods>) => {
        const methods = new SupportedMethods();
        methods.setEventStoreServerVersion('25.0.1');
        const names = ['read', 'append', 'delete', 'tombstone', ...(this.options.batchAppend === false ? [] : ['batchappend'])];
        methods.setMethodsList(
          names.map((name) => {
            const m = new SupportedMethod();
            m.setServiceName('event_store.client.streams.streams');
            m.setMethodName(name);
            if (name === 'read') m.setFeaturesList(['position', 'events', 'filtered']);
            return m;
          }),
        );
        callback(null, methods);
      },
    });
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    this.server = server;
  }

  // ---- Append ---------------------------------------------------------------------------------

  private append(call: grpc.ServerReadableStream<AppendReq, AppendResp>, callback: grpc.sendUnaryData<AppendResp>): void {
    this.calls.append += 1;
    const refused = this.notLeader(call.metadata) ?? this.fault('append');
    if (refused) {
      call.on('data', () => undefined);
      return callback(refused);
    }
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
          callback(
            serverError(grpc.status.INVALID_ARGUMENT, 'missing-required-metadata-property', 'type and content-type are required', {
              'required-metadata-properties': 'type,content-type',
            }),
          );
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
      const outcome = this.writeLog.append(streamId, expected, proposed);
      const resp = new AppendResp();
      switch (outcome.kind) {
        case 'not-ready':
          return; // dropped: the client's deadline ends the call
        case 'too-large':
          return callback(
            serverError(grpc.status.INVALID_ARGUMENT, 'maximum-append-size-exceeded', `Maximum Append Size of ${outcome.maxAppendSize} Exceeded.`, {
              'maximum-append-size': String(outcome.maxAppendSize),
            }),
          );
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
          // A write still replicating is answered once it is committed, if the client still waits.
          return afterVisible(outcome, () => callback(null, resp));
        }
      }
    });
  }

  // ---- BatchAppend: one long-lived stream, requests and answers matched by correlation id ----

  private batchAppend(call: grpc.ServerDuplexStream<BatchAppendReq, BatchAppendResp>): void {
    const refused = this.notLeader(call.metadata);
    if (refused) {
      // The server ends the whole stream with NotLeader (every append pending on it fails).
      call.on('data', () => undefined);
      call.emit('error', refused);
      return;
    }
    const pending = new Map<string, { options: BatchAppendReq.Options; proposed: Proposed[] }>();
    const answered = new Set<string>();
    const answer = (correlation: UUID, streamId: string, fill: (r: BatchAppendResp) => void) => {
      const key = uuidOf(correlation);
      if (answered.has(key) || call.destroyed || call.cancelled) return;
      answered.add(key);
      const resp = new BatchAppendResp();
      resp.setCorrelationId(correlation);
      resp.setStreamIdentifier(identifier(streamId));
      fill(resp);
      call.write(resp);
    };
    const error = (code: Code, message: string, detail?: { type: string; bytes: Uint8Array }) => (r: BatchAppendResp) => {
      const status = new Status();
      status.setCode(code);
      status.setMessage(message);
      const any = new Any();
      if (detail) any.pack(detail.bytes, detail.type);
      else any.pack(new Empty().serializeBinary(), 'google.protobuf.Empty');
      status.setDetails(any);
      r.setError(status);
    };
    const timeout = error(Code.DEADLINE_EXCEEDED, 'Timeout', { type: 'event_store.client.Timeout', bytes: new Timeout().serializeBinary() });
    call.on('data', (req: BatchAppendReq) => {
      const correlation = req.getCorrelationId()!;
      const key = uuidOf(correlation);
      if (req.hasOptions()) pending.set(key, { options: req.getOptions()!, proposed: [] });
      const write = pending.get(key);
      if (!write) return;
      const streamId = streamName(write.options.getStreamIdentifier());
      try {
        for (const m of req.getProposedMessagesList()) {
          const meta = m.getMetadataMap();
          write.proposed.push({
            id: uuidOf(m.getId()),
            type: meta.get('type') ?? '',
            contentType: meta.get('content-type') ?? '',
            data: m.getData_asU8(),
            metadata: m.getCustomMetadata_asU8(),
          });
        }
      } catch (e) {
        pending.delete(key);
        return answer(correlation, streamId, error(Code.INVALID_ARGUMENT, (e as Error).message));
      }
      if (!req.getIsFinal()) return;
      pending.delete(key);
      this.calls.batchAppend += 1;
      const deadline = write.options.getDeadline()?.toDate().getTime() ?? Number.POSITIVE_INFINITY;
      const atDeadline = () => setTimeout(() => answer(correlation, streamId, timeout), Math.max(0, deadline - Date.now())).unref();
      const fault = this.fault('append');
      if (fault) return answer(correlation, streamId, error(Code.INTERNAL, fault.details));
      const expected = batchExpectedOf(write.options);
      const outcome = this.writeLog.append(streamId, expected, write.proposed);
      switch (outcome.kind) {
        case 'not-ready':
          return atDeadline(); // dropped; the server's own timer answers Timeout at the deadline
        case 'too-large': {
          const m = new MaximumAppendSizeExceeded();
          m.setMaxappendsize(outcome.maxAppendSize);
          return answer(
            correlation,
            streamId,
            error(Code.INVALID_ARGUMENT, 'Maximum Append Size Exceeded', { type: 'event_store.client.MaximumAppendSizeExceeded', bytes: m.serializeBinary() }),
          );
        }
        case 'stream-deleted': {
          const d = new StreamDeleted();
          d.setStreamIdentifier(identifier(streamId));
          return answer(
            correlation,
            streamId,
            error(Code.FAILED_PRECONDITION, 'Stream Deleted', { type: 'event_store.client.StreamDeleted', bytes: d.serializeBinary() }),
          );
        }
        case 'wrong-expected-version': {
          const w = new WrongExpectedVersion();
          if (outcome.current === 'no-stream') w.setCurrentNoStream(new Empty());
          else w.setCurrentStreamRevision(outcome.current.toString());
          if (expected.kind === 'revision') w.setExpectedStreamPosition(expected.revision.toString());
          else if (expected.kind === 'any') w.setExpectedAny(new Empty());
          else if (expected.kind === 'stream-exists') w.setExpectedStreamExists(new Empty());
          else w.setExpectedNoStream(new Empty());
          return answer(
            correlation,
            streamId,
            error(Code.FAILED_PRECONDITION, 'Wrong Expected Version', { type: 'event_store.client.WrongExpectedVersion', bytes: w.serializeBinary() }),
          );
        }
        case 'success': {
          const ok = (r: BatchAppendResp) => {
            const s = new BatchAppendResp.Success();
            if (outcome.currentRevision === 'no-stream') s.setNoStream(new Empty());
            else s.setCurrentRevision(outcome.currentRevision.toString());
            if (outcome.position) {
              const p = new AllStreamPosition();
              p.setCommitPosition(outcome.position.commit.toString());
              p.setPreparePosition(outcome.position.prepare.toString());
              s.setPosition(p);
            } else s.setNoPosition(new Empty());
            r.setSuccess(s);
          };
          if (outcome.visibleAt !== undefined && outcome.visibleAt > deadline) return atDeadline();
          return afterVisible(outcome, () => answer(correlation, streamId, ok));
        }
      }
    });
    call.on('end', () => call.end());
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
    const outcome = how === 'delete' ? this.writeLog.softDelete(streamId, expected) : this.writeLog.tombstone(streamId, expected);
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
    const refused = this.notLeader(call.metadata) ?? this.fault(options.hasSubscription() ? 'subscribe' : 'read');
    if (refused) return failRead(call, refused);
    const filter = filterOf(options);
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
        return this.subscribe(
          call,
          structured,
          false,
          (r) => r.streamId === streamId && this.isVisible(r),
          (records) => {
            const visible = records.filter((r) => r.streamId === streamId && this.isVisible(r));
            if (from === 'start') return 0;
            if (from === 'end') return records.length;
            const after = visible.find((r) => r.revision > from);
            return after ? records.indexOf(after) : records.length;
          },
        );
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
    const position = ao.hasPosition()
      ? { commit: BigInt(ao.getPosition()!.getCommitPosition()), prepare: BigInt(ao.getPosition()!.getPreparePosition()) }
      : undefined;
    // A position inside a record: a subscription is refused with InvalidArgument, a one-shot read
    // with the "unexpected result" Unknown the server's enumerator reports.
    if (position && this.log.locate(position) === 'invalid') {
      return failRead(
        call,
        subscribe
          ? serverError(grpc.status.INVALID_ARGUMENT, undefined, 'Trying to read from an invalid position.')
          : serverError(grpc.status.UNKNOWN, undefined, `Unexpected ${filter ? 'FilteredReadAllResult' : 'ReadAllResult'}: InvalidPosition`),
      );
    }
    const matches = (r: LogRecord) => !filter || filter(r);
    if (subscribe) {
      // From a position a subscription is exclusive; from the start it includes the first record.
      // From beyond the end it sees only what is written after that position (nothing before it).
      return this.subscribe(
        call,
        structured,
        true,
        matches,
        (records) => {
          if (ao.hasEnd()) return records.length;
          if (!position) return 0;
          const i = records.findIndex((r) => comparePositions(r, position) > 0);
          return i < 0 ? records.length : i;
        },
        position,
      );
    }
    const records = this.log.committed();
    let selected: LogRecord[];
    if (backwards) {
      // Backwards from a position: the records before it.
      selected = ao.hasStart() ? [] : records.filter((r) => !position || comparePositions(r, position) < 0).reverse();
    } else {
      // Forwards from a position: that record and the ones after it.
      selected = ao.hasEnd() ? [] : records.filter((r) => !position || comparePositions(r, position) >= 0);
    }
    this.writeAll(call, selected.filter(matches).slice(0, count), structured, true);
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
    after?: { commit: bigint; prepare: bigint },
  ): void {
    this.subscriptions.add(call);
    const confirmation = new ReadResp();
    const c = new ReadResp.SubscriptionConfirmation();
    c.setSubscriptionId(`fake-${Math.random().toString(16).slice(2)}`);
    confirmation.setConfirmation(c);
    call.write(confirmation);
    let next = startIndex(this.log.committed());
    let caughtUp = false;
    let waiting = false;
    const pump = () => {
      if (waiting || call.cancelled || call.destroyed) return;
      const records = this.log.committed();
      while (next < records.length) {
        const r = records[next]!;
        next += 1;
        if (!matches(r) || (after && comparePositions(r, after) <= 0)) continue;
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

/** Runs `answer` once the write is readable (replicated): at once for an ordinary write. */
function afterVisible(outcome: AppendOutcome & { kind: 'success' }, answer: () => void): void {
  const wait = outcome.visibleAt === undefined ? 0 : outcome.visibleAt - Date.now();
  if (wait <= 0) answer();
  else setTimeout(answer, wait).unref();
}

/** The server-side filter of a read: stream name or event type, by prefixes or a regex. */
function filterOf(options: ReadReq.Options): ((r: LogRecord) => boolean) | undefined {
  if (!options.hasFilter()) return undefined;
  const f = options.getFilter()!;
  const on = f.hasStreamIdentifier() ? 'stream' : 'type';
  const expr = f.hasStreamIdentifier() ? f.getStreamIdentifier()! : f.getEventType()!;
  const prefixes = expr.getPrefixList();
  const regex = expr.getRegex() ? new RegExp(expr.getRegex()) : undefined;
  return (r) => {
    const value = on === 'stream' ? r.streamId : r.type;
    return (prefixes.length === 0 || prefixes.some((p) => value.startsWith(p))) && (!regex || regex.test(value));
  };
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

function batchExpectedOf(options: BatchAppendReq.Options): Expected {
  if (options.hasStreamPosition()) return { kind: 'revision', revision: BigInt(options.getStreamPosition()) };
  if (options.hasNoStream()) return { kind: 'no-stream' };
  if (options.hasStreamExists()) return { kind: 'stream-exists' };
  return { kind: 'any' };
}

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
