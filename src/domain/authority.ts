/** Authority axes and modes: what each axis governs and how create-time modes map onto them. */
export const AXES = ["creative", "tactical", "structural"] as const;
export type Axis = (typeof AXES)[number];

export const MODES = ["off", "draft", "auto"] as const;
export type Mode = (typeof MODES)[number];

export type AuthorityBlock = Record<Axis, Mode>;

export const MANAGEMENT_MODES = ["manual", "draft", "autopilot"] as const;
export type ManagementMode = (typeof MANAGEMENT_MODES)[number];

export type ActorType = "partner" | "user";

/** Who did something; `system` for the platform's own transitions (dispatch, expiry). */
export interface ActorRef {
  actorType: ActorType | "system";
  actorOrganizationId: string | null;
  actorApiKeyId: string | null;
}

const RANK: Record<Mode, number> = { off: 0, draft: 1, auto: 2 };

/** Modes are ordered off < draft < auto. */
export function compareModes(a: Mode, b: Mode): number {
  return RANK[a] - RANK[b];
}

const MODE_FOR_MANAGEMENT: Record<ManagementMode, Mode> = {
  manual: "off",
  draft: "draft",
  autopilot: "auto",
};

/** `campaignManagementMode` sets tactical and structural; `creativeMode` sets creative. */
export function authorityFromModes(
  campaignManagementMode: ManagementMode,
  creativeMode: ManagementMode,
): AuthorityBlock {
  const management = MODE_FOR_MANAGEMENT[campaignManagementMode];
  return { creative: MODE_FOR_MANAGEMENT[creativeMode], tactical: management, structural: management };
}
