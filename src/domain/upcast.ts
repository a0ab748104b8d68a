import { EVENT_SCHEMA_VERSION, type EventType } from './events';

type Data = Record<string, unknown>;

/** For each event type, how data stored at version N becomes data of version N + 1. */
export type Upcasters = { readonly [T in EventType]?: Readonly<Record<number, (data: Data) => Data>> };

/**
 * The ledger's upcasters. Version 2 of these events added the optional `relatesTo` (relations
 * between positions): data written at version 1 is valid version 2 data as it is, so each step is
 * the identity, said here so that a version-1 event is read as what it is rather than by chance.
 */
export const UPCASTERS: Upcasters = {
  PositionAdded: { 1: (data) => data },
  PositionRevised: { 1: (data) => data },
  PositionRecordCorrected: { 1: (data) => data },
};

export class UnknownSchemaVersionError extends Error {
  override name = 'UnknownSchemaVersionError';
}

/**
 * Brings data stored at `version` up to the current version of its type, one step at a time,
 * keyed on the version stored with the event (the stored event itself, and so its hash, is never
 * touched). A version this ledger does not know yet (written by a newer one) is refused.
 */
export function upcast(
  type: EventType,
  version: number,
  data: Data,
  upcasters: Upcasters = UPCASTERS,
  current: Readonly<Record<EventType, number>> = EVENT_SCHEMA_VERSION,
): Data {
  const target = current[type];
  if (version > target)
    throw new UnknownSchemaVersionError(`${type} schema version ${version} is newer than this ledger knows (${target}): upgrade the ledger to read it`);
  let out = data;
  for (let v = version; v < target; v += 1) {
    const step = upcasters[type]?.[v];
    if (!step) throw new UnknownSchemaVersionError(`${type}: no upcaster from schema version ${v} to ${v + 1}`);
    out = step(out);
  }
  return out;
}
