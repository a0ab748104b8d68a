import { businessDate } from './business-date';
import type { DocumentCommand } from './commands';
import type { Decider } from './decider';
import { errors } from './errors';
import type { EventDataOf } from './events';

export interface DocumentState {
  readonly registered?: EventDataOf<'SourceDocumentRegistered'>;
}
export const initialDocumentState: DocumentState = {};

export function evolveDocument(
  _state: DocumentState,
  event: { type: 'SourceDocumentRegistered'; data: EventDataOf<'SourceDocumentRegistered'> },
): DocumentState {
  return { registered: event.data };
}

/** `today` is the business day of recording (Europe/Brussels), given by the caller: the domain reads no clock. */
export function decideDocument(
  command: DocumentCommand,
  state: DocumentState,
  today: string,
): { type: 'SourceDocumentRegistered'; data: EventDataOf<'SourceDocumentRegistered'> }[] {
  const { id, ...rest } = command.data;
  if (state.registered) throw errors.documentExists(id);
  const issued = businessDate(rest.issuedOn);
  if (issued.latest > today) throw errors.issuedInFuture(rest.issuedOn, issued.latest, today);
  return [{ type: 'SourceDocumentRegistered', data: { documentId: id, ...rest } }];
}

export type DocumentEvent = { type: 'SourceDocumentRegistered'; data: EventDataOf<'SourceDocumentRegistered'> };

/** What registering a document depends on besides its stream: the business day of recording. */
export interface DocumentContext {
  readonly today: string;
}

/** The source-document aggregate as a value: stream `document-<id>`. */
export const documentDecider: Decider<DocumentState, DocumentCommand, DocumentEvent, DocumentContext> = {
  initialState: initialDocumentState,
  decide: (command, state, ctx) => decideDocument(command, state, ctx.today),
  evolve: (state, e) => evolveDocument(state, e),
};
