import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AuthorityBlock,
  AXES,
  authorityFromModes,
  compareModes,
  MANAGEMENT_MODES,
  MODES,
  type Mode,
} from "../../src/domain/authority";
import {
  evaluateAuthorityChange,
  evaluateCreate,
  evaluateDecision,
  evaluateDefaultsChange,
  evaluateWrite,
  type LayerControls,
  partnerCeiling,
} from "../../src/domain/gate";

const OPEN: LayerControls = {
  killSwitchActive: false,
  partnerWritesEnabled: true,
  partnerDefaultsChangesAllowed: true,
  partnerApprovalsEnabled: false,
};
const block = (creative: Mode, tactical: Mode, structural: Mode): AuthorityBlock => ({
  creative,
  tactical,
  structural,
});
const AUTO = block("auto", "auto", "auto");

describe("mode → axis mapping", () => {
  const expected = { manual: "off", draft: "draft", autopilot: "auto" } as const;
  const cases = MANAGEMENT_MODES.flatMap((management) =>
    MANAGEMENT_MODES.map((creative) => [management, creative] as const),
  );
  it("covers all nine combinations", () => expect(cases).toHaveLength(9));
  it.each(cases)("campaignManagementMode=%s creativeMode=%s", (management, creative) => {
    expect(authorityFromModes(management, creative)).toEqual({
      creative: expected[creative],
      tactical: expected[management],
      structural: expected[management],
    });
  });
  it("matches the seed's example", () => {
    expect(authorityFromModes("draft", "autopilot")).toEqual({
      tactical: "draft",
      structural: "draft",
      creative: "auto",
    });
  });
});

describe("evaluateWrite", () => {
  it.each([
    ["partner", "auto", OPEN, "dispatch", undefined],
    ["partner", "draft", OPEN, "queue", undefined],
    ["partner", "off", OPEN, "deny", "authority_axis_off"],
    ["user", "off", OPEN, "deny", "authority_axis_off"],
    ["partner", "auto", { ...OPEN, killSwitchActive: true }, "deny", "kill_switch_active"],
    ["user", "auto", { ...OPEN, killSwitchActive: true }, "deny", "kill_switch_active"],
    ["partner", "auto", { ...OPEN, partnerWritesEnabled: false }, "deny", "partner_writes_disabled"],
    ["user", "auto", { ...OPEN, partnerWritesEnabled: false }, "dispatch", undefined],
    [
      "partner",
      "off",
      { ...OPEN, killSwitchActive: true, partnerWritesEnabled: false },
      "deny",
      "kill_switch_active",
    ],
  ] as const)("%s on a %s axis with %o → %s (%s)", (actorType, mode, layer, decision, reason) => {
    const result = evaluateWrite({
      actorType,
      axis: "tactical",
      authority: block("auto", mode, "auto"),
      layer,
    });
    expect(result.decision).toBe(decision);
    expect(result.currentMode).toBe(mode);
    expect("reason" in result ? result.reason : undefined).toBe(reason);
  });

  it("judges only the governing axis (property)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...AXES),
        fc.record({
          creative: fc.constantFrom(...MODES),
          tactical: fc.constantFrom(...MODES),
          structural: fc.constantFrom(...MODES),
        }),
        (axis, authority) => {
          const result = evaluateWrite({ actorType: "partner", axis, authority, layer: OPEN });
          const expected = { off: "deny", draft: "queue", auto: "dispatch" }[authority[axis]];
          return result.decision === expected && result.axis === axis;
        },
      ),
    );
  });
});

describe("evaluateCreate", () => {
  it("denies when the layer's structural axis is off", () => {
    const r = evaluateCreate({
      actorType: "partner",
      layerDefaults: block("auto", "auto", "off"),
      layer: OPEN,
      requested: block("off", "off", "off"),
    });
    expect(r).toMatchObject({
      decision: "deny",
      axis: "structural",
      currentMode: "off",
      reason: "authority_axis_off",
    });
  });
  it("queues when the layer's structural axis is draft", () => {
    const r = evaluateCreate({
      actorType: "partner",
      layerDefaults: block("auto", "auto", "draft"),
      layer: OPEN,
      requested: block("auto", "draft", "draft"),
    });
    expect(r.decision).toBe("queue");
  });
  it("denies a partner asking for more than the layer defaults", () => {
    const r = evaluateCreate({
      actorType: "partner",
      layerDefaults: block("draft", "auto", "auto"),
      layer: OPEN,
      requested: AUTO,
    });
    expect(r).toMatchObject({
      decision: "deny",
      reason: "exceeds_customer_policy",
      axis: "creative",
      requestedMode: "auto",
      ceilingMode: "draft",
    });
  });
  it("lets a user ask for more than the layer defaults", () => {
    const r = evaluateCreate({
      actorType: "user",
      layerDefaults: block("draft", "off", "auto"),
      layer: OPEN,
      requested: AUTO,
    });
    expect(r.decision).toBe("dispatch");
  });
  it("puts the kill switch first, for users too", () => {
    const r = evaluateCreate({
      actorType: "user",
      layerDefaults: AUTO,
      layer: { ...OPEN, killSwitchActive: true },
      requested: AUTO,
    });
    expect(r).toMatchObject({ decision: "deny", reason: "kill_switch_active" });
  });
});

describe("evaluateAuthorityChange", () => {
  const ceiling = block("draft", "auto", "off");
  it("lets partners lower and stay at or below the ceiling", () => {
    expect(
      evaluateAuthorityChange({
        actorType: "partner",
        requested: { creative: "off", tactical: "auto" },
        ceiling,
        layer: OPEN,
      }).decision,
    ).toBe("allow");
  });
  it("denies a partner raising above the ceiling with its details", () => {
    expect(
      evaluateAuthorityChange({
        actorType: "partner",
        requested: { structural: "draft" },
        ceiling,
        layer: OPEN,
      }),
    ).toEqual({
      decision: "deny",
      reason: "exceeds_customer_policy",
      axis: "structural",
      requestedMode: "draft",
      ceilingMode: "off",
    });
  });
  it("denies partners under the kill switch, lets users through", () => {
    const layer = { ...OPEN, killSwitchActive: true };
    expect(
      evaluateAuthorityChange({
        actorType: "partner",
        requested: { creative: "off" },
        ceiling,
        layer,
      }),
    ).toMatchObject({ reason: "kill_switch_active" });
    expect(
      evaluateAuthorityChange({
        actorType: "user",
        requested: { structural: "auto" },
        ceiling,
        layer,
      }).decision,
    ).toBe("allow");
  });
  it("never lets a partner end above the ceiling on a requested axis (property)", () => {
    fc.assert(
      fc.property(
        fc.record({
          creative: fc.constantFrom(...MODES),
          tactical: fc.constantFrom(...MODES),
          structural: fc.constantFrom(...MODES),
        }),
        fc.record(
          {
            creative: fc.constantFrom(...MODES),
            tactical: fc.constantFrom(...MODES),
            structural: fc.constantFrom(...MODES),
          },
          { requiredKeys: [] },
        ),
        (layerDefaults, requested) => {
          const r = evaluateAuthorityChange({
            actorType: "partner",
            requested,
            ceiling: layerDefaults,
            layer: OPEN,
          });
          const within = AXES.every(
            (axis) =>
              requested[axis] === undefined || compareModes(requested[axis], layerDefaults[axis]) <= 0,
          );
          return (r.decision === "allow") === within;
        },
      ),
    );
  });
});

describe("evaluateDefaultsChange", () => {
  const current = block("auto", "draft", "auto");
  it("reserves the customer's switches to users", () => {
    for (const change of [
      { killSwitchActive: true },
      { partnerWritesEnabled: false },
      { partnerDefaultsChangesAllowed: false },
    ]) {
      expect(evaluateDefaultsChange({ actorType: "partner", change, current, layer: OPEN })).toMatchObject({
        reason: "user_only_control",
      });
      expect(evaluateDefaultsChange({ actorType: "user", change, current, layer: OPEN }).decision).toBe(
        "allow",
      );
    }
  });
  it("lets partners only lower, and only when allowed", () => {
    expect(
      evaluateDefaultsChange({
        actorType: "partner",
        change: { defaults: { creative: "draft" } },
        current,
        layer: OPEN,
      }).decision,
    ).toBe("allow");
    expect(
      evaluateDefaultsChange({
        actorType: "partner",
        change: { defaults: { tactical: "auto" } },
        current,
        layer: OPEN,
      }),
    ).toMatchObject({ reason: "exceeds_customer_policy", axis: "tactical" });
    expect(
      evaluateDefaultsChange({
        actorType: "partner",
        change: { defaults: { creative: "off" } },
        current,
        layer: { ...OPEN, partnerDefaultsChangesAllowed: false },
      }),
    ).toMatchObject({ reason: "partner_defaults_locked" });
    expect(
      evaluateDefaultsChange({
        actorType: "partner",
        change: { defaults: { creative: "off" } },
        current,
        layer: { ...OPEN, killSwitchActive: true },
      }),
    ).toMatchObject({ reason: "kill_switch_active" });
  });
});

describe("evaluateDecision", () => {
  const base = {
    decision: "approve" as const,
    actorApiKeyId: "key_b",
    requestedByApiKeyId: "key_a",
    axis: "tactical" as const,
    authority: block("auto", "draft", "auto"),
    layer: OPEN,
  };
  it.each([
    ["a user approves a draft write", { actorType: "user" }, { decision: "allow" }],
    ["a user approves its own request", { actorType: "user", actorApiKeyId: "key_a" }, { decision: "allow" }],
    [
      "a partner while partner approvals are off",
      { actorType: "partner" },
      { reason: "partner_approvals_disabled" },
    ],
    [
      "a partner with approvals on, another key's request",
      { actorType: "partner", layer: { ...OPEN, partnerApprovalsEnabled: true } },
      { decision: "allow" },
    ],
    [
      "a partner with approvals on, its own request",
      { actorType: "partner", actorApiKeyId: "key_a", layer: { ...OPEN, partnerApprovalsEnabled: true } },
      { reason: "own_request" },
    ],
    [
      "a partner rejecting its own request",
      {
        actorType: "partner",
        decision: "reject",
        actorApiKeyId: "key_a",
        layer: { ...OPEN, partnerApprovalsEnabled: true },
      },
      { reason: "own_request" },
    ],
    [
      "a user, the axis now off",
      { actorType: "user", authority: block("auto", "off", "auto") },
      { reason: "authority_axis_off", currentMode: "off" },
    ],
    [
      "a user rejecting, the axis now off",
      { actorType: "user", decision: "reject", authority: block("auto", "off", "auto") },
      { decision: "allow" },
    ],
    [
      "a user under the kill switch",
      { actorType: "user", layer: { ...OPEN, killSwitchActive: true } },
      { reason: "kill_switch_active" },
    ],
    [
      "a partner with approvals on, partner writes off",
      {
        actorType: "partner",
        layer: { ...OPEN, partnerApprovalsEnabled: true, partnerWritesEnabled: false },
      },
      { reason: "partner_writes_disabled" },
    ],
    [
      "a user, the axis now auto",
      { actorType: "user", authority: AUTO },
      { decision: "allow", currentMode: "auto" },
    ],
  ] as const)("%s", (_label, override, expected) => {
    expect(evaluateDecision({ ...base, ...override })).toMatchObject(expected);
  });
});

describe("partnerCeiling", () => {
  it("takes the customer's mode where set, else the layer default", () => {
    expect(partnerCeiling({ tactical: "off" }, block("draft", "auto", "auto"))).toEqual(
      block("draft", "off", "auto"),
    );
    expect(partnerCeiling({ creative: "auto" }, block("draft", "draft", "draft"))).toEqual(
      block("auto", "draft", "draft"),
    );
  });
});
