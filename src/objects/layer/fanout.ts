/**
 * Owns the push from a layer object to the campaign objects that cache its policy. A
 * campaign object subscribes the first time it needs the policy (`LayerPolicyObject.subscribe`);
 * from then on it judges writes from its own memory, and every change of the policy is
 * pushed to every subscriber of that platform before the change answers, so the kill switch
 * and partner-writes-off act on the very next write. Pushes carry the policy's version: a
 * campaign object keeps the highest it has seen, whatever order pushes and reads arrive in.
 */
import { type LayerPolicy, policyControls, policyDefaults } from "../../domain/layer-policy";
import type { Env } from "../../env";
import { logLine } from "../../observability/log";
import type { LayerSnapshot } from "../campaign/contract";
import type { AccountsView } from "./account-status";

/** What a campaign object caches of its layer. */
export interface LayerPush {
  layerId: string;
  platform: string;
  /** The policy, with the layer's lapsed ad accounts (`lapsedAccounts`). */
  snapshot: LayerSnapshot;
  /** The account status book's version: a status change is pushed with the same policy version. */
  accountsVersion: number;
}

export function layerSnapshot(policy: LayerPolicy): LayerSnapshot {
  return { defaults: policyDefaults(policy), controls: policyControls(policy), version: policy.version };
}

export function pushOf(policy: LayerPolicy, accounts: AccountsView): LayerPush {
  return {
    layerId: policy.layerId,
    platform: policy.platform,
    snapshot: { ...layerSnapshot(policy), lapsedAccounts: accounts.lapsed },
    accountsVersion: accounts.version,
  };
}

const KEY = "sub:";
/** Pushes in flight at once from one layer object. */
const PUSH_WIDTH = 32;

/** The campaign objects caching each platform's policy, in the layer object's storage. */
export class Subscribers {
  private readonly byPlatform = new Map<string, Set<string>>();

  constructor(private readonly kv: SyncKvStorage) {
    for (const [key] of kv.list({ prefix: KEY })) {
      const [platform, campaignId] = key.slice(KEY.length).split(":");
      if (platform && campaignId) this.set(platform).add(campaignId);
    }
  }

  add(platform: string, campaignId: string): void {
    const set = this.set(platform);
    if (set.has(campaignId)) return;
    this.kv.put(`${KEY}${platform}:${campaignId}`, 1);
    set.add(campaignId);
  }

  of(platform: string): string[] {
    return [...(this.byPlatform.get(platform) ?? [])];
  }

  private set(platform: string): Set<string> {
    let set = this.byPlatform.get(platform);
    if (!set) {
      set = new Set();
      this.byPlatform.set(platform, set);
    }
    return set;
  }
}

/**
 * Pushes to every subscriber, a bounded number at a time, each tried twice. A campaign
 * object that could not be reached keeps its copy only until its cache's backstop expiry
 * (`objects/campaign/layer-cache.ts`); an object that restarts reads the policy afresh.
 */
export async function pushToSubscribers(env: Env, campaignIds: string[], push: LayerPush): Promise<void> {
  const namespace = env.CAMPAIGNS;
  const failed: string[] = [];
  const one = async (id: string) => {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await namespace.get(namespace.idFromName(id)).applyLayerPolicy(push);
        return;
      } catch (error) {
        if (attempt === 1) failed.push(`${id}: ${String(error)}`);
      }
    }
  };
  for (let i = 0; i < campaignIds.length; i += PUSH_WIDTH) {
    await Promise.all(campaignIds.slice(i, i + PUSH_WIDTH).map(one));
  }
  if (failed.length > 0) {
    logLine({
      level: "error",
      msg: "layer policy push failed",
      layerId: push.layerId,
      platform: push.platform,
      version: push.snapshot.version,
      failed: failed.slice(0, 20),
    });
  }
}
