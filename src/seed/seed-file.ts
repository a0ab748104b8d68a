import { z } from 'zod';
import {
  AddPositionBody,
  EndorsePositionBody,
  RegisterDocumentBody,
  RevisePositionBody,
  WithdrawPositionBody,
  CorrectRecordBody,
  type Command,
} from '../domain/commands';
import { Slug } from '../domain/primitives';

/**
 * A seed file is a reviewed JSON array of commands, applied in file-name then array order. Each
 * entry has a stable `entry` id, which is its idempotency key: importing twice records nothing new.
 */
const entry = z.string().min(1).max(200);
export const SeedEntry = z.discriminatedUnion('command', [
  z.strictObject({ entry, command: z.literal('RegisterDocument'), body: RegisterDocumentBody }),
  z.strictObject({ entry, command: z.literal('AddPosition'), body: AddPositionBody }),
  z.strictObject({ entry, command: z.literal('RevisePosition'), positionId: Slug, body: RevisePositionBody }),
  z.strictObject({ entry, command: z.literal('EndorsePosition'), positionId: Slug, body: EndorsePositionBody }),
  z.strictObject({ entry, command: z.literal('WithdrawPosition'), positionId: Slug, body: WithdrawPositionBody }),
  z.strictObject({ entry, command: z.literal('CorrectRecord'), positionId: Slug, body: CorrectRecordBody }),
]);
export type SeedEntry = z.infer<typeof SeedEntry>;
export const SeedFile = z.array(SeedEntry);

export function commandOf(e: SeedEntry): Command {
  switch (e.command) {
    case 'RegisterDocument':
    case 'AddPosition':
      return { type: e.command, data: e.body } as Command;
    default:
      return { type: e.command, positionId: e.positionId, data: e.body } as Command;
  }
}
