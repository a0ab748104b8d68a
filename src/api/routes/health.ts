import { Router } from 'express';
import { z } from 'zod';
import type { ApiDeps } from '../deps';
import { json, mount, operation } from '../operation';
import { LedgerVersionSchema } from '../response-schemas';

const Health = z.object({
  status: z.enum(['ok', 'degraded']),
  reason: z.string().optional().meta({ description: 'why it is degraded' }),
  store: z.string().meta({ description: 'sqlite or esdb' }),
  storage: z.object({
    mode: z.enum(['read-write', 'read-only']),
    fault: z.object({ reason: z.string(), detail: z.string(), since: z.string() }).optional().meta({ description: 'set while the store cannot take writes' }),
  }),
  ledgerVersion: LedgerVersionSchema,
  unreadableEvents: z.number().int(),
});

export const getHealth = operation({
  method: 'get',
  path: '/health',
  summary: 'Liveness: the store, storage mode and fault, the read model',
  notRateLimited: true,
  responses: {
    200: json('ok', Health),
    503: json('degraded: the store cannot take writes, or the read model met events it cannot read (`reason` says which)', Health),
  },
});

/** ok, or degraded with the reason: events the read model cannot read, or storage that cannot take writes */
export function healthRoutes(deps: ApiDeps): Router {
  const router = Router();
  mount(router, '', getHealth, async (_input, _req, res) => {
    const unreadable = deps.projection.unreadableEvents().length;
    const storage = await deps.storage.status();
    const reasons = [
      ...(storage.fault
        ? [
            `storage ${storage.fault.reason}: ${storage.fault.detail} (since ${storage.fault.since}); every write is still tried, and answered 503 while this lasts`,
          ]
        : []),
      ...(unreadable ? [`${unreadable} events the read model cannot read`] : []),
    ];
    res.status(reasons.length ? 503 : 200).json({
      status: reasons.length ? 'degraded' : 'ok',
      ...(reasons.length ? { reason: reasons.join('; ') } : {}),
      store: deps.store.kind,
      storage,
      ledgerVersion: deps.projection.version(),
      unreadableEvents: unreadable,
    });
  });
  return router;
}
