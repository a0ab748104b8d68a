import { businessDate } from './business-date';
import type { DocumentCommand } from './commands';
import { errors } from './errors';
import type { EventDataOf } from './events';

export interface DocumentState {
  readonly registered?: EventDataOf<'SourceDocumentRegistered'>;
}
export const initialDocumentState: DocumentState = {};

export function evolveDocument(_state: DocumentState, event: { type: 'SourceDocumentRegistered'; data: EventDataOf<'SourceDocumentRegistered'> }): DocumentState {
  return { registered: event.data };
}

/** `today` is the business day of recording (Europe/Brussels), given by the caller: the domain reads no clock. */
export function decideDocument(command: DocumentCommand, state: DocumentState, today: string): { type: 'SourceDocumentRegistered'; data: EventDataOf<'SourceDocumentRegistered'> }[] {
  const { id, ...rest } = command.data;
  if (state.registered) throw errors.documentExists(id);
  const issued = businessDate(rest.issuedOn);
  if (issued.latest > today) throw errors.issuedInFuture(rest.issuedOn, issued.latest, today);
  return [{ type: 'SourceDocumentRegistered', data: { documentId: id, ...rest } }];
}
