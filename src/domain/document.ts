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

export function decideDocument(command: DocumentCommand, state: DocumentState): { type: 'SourceDocumentRegistered'; data: EventDataOf<'SourceDocumentRegistered'> }[] {
  const { id, ...rest } = command.data;
  if (state.registered) throw errors.documentExists(id);
  return [{ type: 'SourceDocumentRegistered', data: { documentId: id, ...rest } }];
}
