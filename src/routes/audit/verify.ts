import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { chainPage } from "../../db/audit";
import { chainHash, GENESIS_HASH } from "../../domain/audit-chain";
import type { AppEnv } from "../../http/context";
import { defineRoute } from "../../http/route";

const CHAIN_PAGE_SIZE = 500;

export const AuditChainVerificationSchema = z
  .object({
    valid: z.boolean().openapi({ description: "Whether every stored event still links to its predecessor." }),
    events: z.number().int().openapi({ description: "How many events the organization's chain holds." }),
    headHash: z.string().openapi({
      description:
        "The stored hash of the newest event (the all-zero genesis hash when there are none). Keep it: deleting the newest events cannot be detected from the chain alone, but changes this value.",
      example: GENESIS_HASH,
    }),
    firstBrokenEventId: z.string().optional().openapi({
      description:
        "Present when `valid` is false: the first event (in chain order) that was altered, or that follows a removed event.",
    }),
  })
  .openapi("AuditChainVerification");
export type AuditChainVerification = z.infer<typeof AuditChainVerificationSchema>;

/**
 * Walks the organization's chain from genesis: each event must sit at the next position,
 * name the previous event's hash, and hash to what it stores.
 */
export async function verifyAuditChain(
  db: D1Database,
  organizationId: string,
): Promise<AuditChainVerification> {
  let events = 0;
  let expectedSeq = 1;
  let previousHash = GENESIS_HASH;
  let firstBrokenEventId: string | undefined;
  let afterSeq = 0;
  let page: Awaited<ReturnType<typeof chainPage>>;
  do {
    page = await chainPage(db, organizationId, afterSeq, CHAIN_PAGE_SIZE);
    for (const { seq, prevHash, hash, ...event } of page) {
      if (
        !firstBrokenEventId &&
        (seq !== expectedSeq || prevHash !== previousHash || hash !== (await chainHash(event, seq, prevHash)))
      ) {
        firstBrokenEventId = event.eventId;
      }
      events += 1;
      expectedSeq = seq + 1;
      previousHash = hash;
      afterSeq = seq;
    }
  } while (page.length === CHAIN_PAGE_SIZE);
  return {
    valid: firstBrokenEventId === undefined,
    events,
    headHash: previousHash,
    ...(firstBrokenEventId ? { firstBrokenEventId } : {}),
  };
}

export const verifyAuditLogRoute = defineRoute(
  { scope: "audit:read", endpointClass: "long_running" },
  {
    method: "get",
    operationId: "verifyAuditLog",
    path: "/v1/audit-log/verify",
    tags: ["Audit log"],
    summary: "Recompute the organization's audit hash chain",
    description:
      "Each audit event stores the hash of the event before it; this recomputes every hash from the first event on and reports the first place the stored chain no longer matches.",
    responses: {
      200: {
        description: "The result of the check.",
        content: { "application/json": { schema: AuditChainVerificationSchema } },
      },
    },
  },
);

export function registerVerifyAuditLog(app: OpenAPIHono<AppEnv>) {
  app.openapi(verifyAuditLogRoute, async (c) => {
    return c.json(await verifyAuditChain(c.env.DB, c.get("caller").organizationId), 200);
  });
}
