/** Owns reading a layer policy from its D1 row (the first read of a platform seeds the object). */
import type { LayerPolicyRow } from "../../db/tenancy";
import type { LayerPolicy } from "../../domain/layer-policy";

export function fromRow(row: LayerPolicyRow): LayerPolicy {
  return {
    layerId: row.layerId,
    platform: row.platform,
    creative: row.creative as LayerPolicy["creative"],
    tactical: row.tactical as LayerPolicy["tactical"],
    structural: row.structural as LayerPolicy["structural"],
    killSwitchActive: row.killSwitchActive,
    partnerWritesEnabled: row.partnerWritesEnabled,
    partnerDefaultsChangesAllowed: row.partnerDefaultsChangesAllowed,
    partnerApprovalsEnabled: row.partnerApprovalsEnabled,
    version: row.version,
    lastModifiedAt: row.lastModifiedAt,
    lastModifiedBy: row.lastModifiedBy,
  };
}
