import type { Command } from '../../src/domain/commands';
import { Ledger } from '../../src/command-handling/ledger';
import { LedgerProjection } from '../../src/projections/ledger-projection';
import { SqliteEventStore } from '../../src/store/sqlite-store';
import type { EventStore } from '../../src/store/event-store';

export const SECRETARIAT = { id: 'secretariat/test' };

/** A ledger on an in-memory store with a clock the test moves, so recordedAt is under control. */
export function ledgerFixture(store: EventStore = new SqliteEventStore(':memory:')) {
  let clock = new Date('2020-01-01T09:00:00.000Z');
  const ledger = new Ledger(store, { historyStart: '2006-01-01', now: () => clock });
  return {
    store,
    ledger,
    setClock: (iso: string) => {
      clock = new Date(iso);
    },
    /** records the command at the given instant */
    at: async (iso: string, command: Command) => {
      clock = new Date(iso);
      return ledger.execute(command, SECRETARIAT);
    },
    rebuild: () => LedgerProjection.rebuild(store),
  };
}

export const documents = {
  recommendations: {
    type: 'RegisterDocument',
    data: { id: 'recommendations', title: 'Political recommendations', publisher: 'EUROCITIES', issuedOn: '1999-10/2007-03-01', language: 'en' },
  },
  contribution: {
    type: 'RegisterDocument',
    data: {
      id: 'contribution',
      title: 'Informal contribution',
      publisher: 'EUROCITIES working group on migrant integration',
      issuedOn: '2011-07-20/2014-01-21',
      language: 'en',
    },
  },
} satisfies Record<string, Command>;
