/**
 * Owns the campaign object's copy of its layer policy, so a write on an existing campaign
 * is judged without asking the layer object: the route hands over a reference to the layer
 * (`{ layerId }`), the object answers from memory. The copy is filled by subscribing
 * (`LayerPolicyObject.subscribe`), then kept current by the layer object's pushes
 * (`objects/layer/fanout.ts`) before each policy change answers; the higher version always
 * wins. Memory only: an object that restarts subscribes again, so it never judges on a copy
 * older than the layer's policy at its start.
 */
import type { Env } from "../../env";
import type { LayerPush } from "../layer/fanout";
import { layerPolicyObject } from "../layer-policy";
import type { LayerSnapshot } from "./contract";

/** A route's pointer to the campaign's layer; the object resolves it from its cache. */
export interface LayerRef {
  layerId: string;
}

/** What a route may hand over: the policy it read (creates, approvals) or a reference. */
export type LayerInput = LayerSnapshot | LayerRef;

export const isLayerRef = (layer: LayerInput): layer is LayerRef => !("controls" in layer);

/**
 * Backstop for a push that never arrived (its retries failed): the copy is read afresh
 * after this long. Pushes, not this expiry, are what make a policy change act at once.
 */
const BACKSTOP_MS = 60_000;

interface Entry extends LayerPush {
  readAt: number;
}

export class LayerCache {
  private entry: Entry | null = null;
  private loading: Promise<void> | null = null;

  constructor(private readonly env: () => Env) {}

  /** The snapshot to judge by; null when the layer has no policy for the platform. */
  async resolve(
    layer: LayerInput,
    scope: { platform: string; campaignId: string; projectId: string },
  ): Promise<LayerSnapshot | null> {
    const { platform } = scope;
    if (!isLayerRef(layer)) return layer;
    const fresh = this.current(layer.layerId, platform);
    if (fresh) return fresh.snapshot;
    this.loading ??= this.subscribe(layer.layerId, scope).finally(() => {
      this.loading = null;
    });
    await this.loading;
    return this.current(layer.layerId, platform, true)?.snapshot ?? null;
  }

  /** A push from the layer object (or a subscription's answer): kept unless older than the copy. */
  apply(push: LayerPush): void {
    const held = this.entry;
    const same = held && held.layerId === push.layerId && held.platform === push.platform;
    // Policy and account status each only move forward: a push older in either is stale.
    if (
      same &&
      (held.snapshot.version > push.snapshot.version || held.accountsVersion > push.accountsVersion)
    )
      return;
    this.entry = { ...push, readAt: Date.now() };
  }

  /** The cached copy's version, for tests and operators. */
  version(): number | null {
    return this.entry?.snapshot.version ?? null;
  }

  private current(layerId: string, platform: string, anyAge = false): Entry | null {
    const held = this.entry;
    if (!held || held.layerId !== layerId || held.platform !== platform) return null;
    return anyAge || Date.now() - held.readAt < BACKSTOP_MS ? held : null;
  }

  private async subscribe(
    layerId: string,
    scope: { platform: string; campaignId: string; projectId: string },
  ): Promise<void> {
    const { platform, campaignId, projectId } = scope;
    const push = await layerPolicyObject(this.env(), layerId).subscribe(
      layerId,
      platform,
      campaignId,
      projectId,
    );
    if (push) this.apply(push);
  }
}
