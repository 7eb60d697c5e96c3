/** Test helpers for keys: the key's guard object, and the audit rows D1 holds for an organization. */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { KeyGuardObject } from "../../src/objects/key-guard";
import { keyGuard } from "../../src/objects/key-guard";
import { defaultSinks, type KeySinks } from "../../src/objects/key-guard/outbox";

export function inGuard<T>(keyId: string, fn: (instance: KeyGuardObject) => T | Promise<T>): Promise<T> {
  return runInDurableObject(keyGuard(env, keyId), (instance: KeyGuardObject) => fn(instance));
}

/** Makes the named sinks of this key's guard fail until `restore` is called. */
export async function failSinks(keyId: string, failing: (keyof KeySinks)[]) {
  await inGuard(keyId, (g) => {
    g.outbox.sinks = {
      d1: failing.includes("d1") ? () => Promise.reject(new Error("D1 is down")) : defaultSinks.d1,
      audit: failing.includes("audit")
        ? () => Promise.reject(new Error("ledger is down"))
        : defaultSinks.audit,
    };
  });
  return {
    restore: () =>
      inGuard(keyId, async (g) => {
        g.outbox.sinks = defaultSinks;
        await g.outbox.deliver({ ignoreSchedule: true });
      }),
  };
}

export async function auditRows(organizationId: string, eventType: string) {
  const { results } = await env.DB.prepare(
    "SELECT event_type AS eventType, api_key_id AS apiKeyId, data FROM audit_events WHERE organization_id = ? AND event_type = ? ORDER BY seq",
  )
    .bind(organizationId, eventType)
    .all<{ eventType: string; apiKeyId: string | null; data: string }>();
  return results.map((r) => ({ ...r, data: JSON.parse(r.data) as Record<string, unknown> }));
}

export async function keyRow(keyId: string) {
  return env.DB.prepare("SELECT killed_at AS killedAt, revoked_at AS revokedAt FROM api_keys WHERE id = ?")
    .bind(keyId)
    .first<{ killedAt: string | null; revokedAt: string | null }>();
}
