export { KurrentDbProtocolFake } from './server';
export { FakeLog, DELETED_STREAM, type LogRecord } from './log';
