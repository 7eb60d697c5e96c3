/**
 * Owns the bench-only throughput probe (#18 item 4): serialized authority changes sent
 * straight to one campaign object from inside workerd, each one durable (the object's answer
 * waits for its storage commit) and with its verdict. Served only with SERVER_TIMING=1 outside
 * production, like the Server-Timing header; anywhere else it does not exist (404). Not in
 * the OpenAPI document: no partner ever calls it.
 */
import type { Hono } from "hono";
import { isId, newId } from "../../domain/ids";
import type { AppEnv } from "../../http/context";
import { notFound } from "../../http/errors";
import { campaignObject } from "../../objects/campaign";

const MAX_CHANGES = 10_000;

interface ProbeInput {
  organizationId: string;
  projectId: string;
  layerId: string;
  campaignId: string;
  apiKeyId: string;
  count: number;
}

function probeInput(body: unknown): ProbeInput | null {
  const b = (body ?? {}) as Record<string, unknown>;
  const strings = ["organizationId", "projectId", "layerId", "campaignId", "apiKeyId"] as const;
  if (!strings.every((k) => typeof b[k] === "string")) return null;
  const count = Number(b.count ?? 1000);
  if (!Number.isInteger(count) || count < 1 || count > MAX_CHANGES) return null;
  if (!isId("campaign", b.campaignId as string)) return null;
  return { ...(b as unknown as ProbeInput), count };
}

export function registerBenchProbe(app: Hono<AppEnv>) {
  app.post("/healthz/bench/authority-serial", async (c) => {
    if (c.env.SERVER_TIMING !== "1" || c.env.ENVIRONMENT === "production") throw notFound();
    const input = probeInput(await c.req.json().catch(() => null));
    if (!input) return c.json({ error: "bad probe input" }, 400);
    const stub = campaignObject(c.env, input.campaignId);
    const scope = { organizationId: input.organizationId, projectId: input.projectId, platform: "meta" };
    const meta = {
      actor: {
        actorType: "user" as const,
        actorOrganizationId: input.organizationId,
        actorApiKeyId: input.apiKeyId,
      },
      requestId: c.get("requestId"),
      sandbox: true,
    };
    let verdicts = 0;
    const started = Date.now();
    for (let i = 0; i < input.count; i++) {
      const verdictId = newId("verdict");
      const answer = await stub.patchAuthority({
        scope,
        requested: { tactical: i % 2 === 0 ? "draft" : "auto" },
        ifMatch: null,
        layer: { layerId: input.layerId },
        verdictId,
        meta,
      });
      if (!answer.ok || !("verdictId" in answer) || answer.verdictId !== verdictId)
        return c.json({ error: "change refused", answer }, 409);
      verdicts += 1;
    }
    // Workers' clock advances across I/O: each change is an object call, so this is wall time.
    const ms = Date.now() - started;
    return c.json({ count: input.count, verdicts, ms, perSecond: ms > 0 ? (input.count * 1000) / ms : null });
  });
}
