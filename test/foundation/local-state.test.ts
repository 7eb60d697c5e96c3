// The local scripts' wrangler arguments: `npm run dev` must serve the database the seed wrote.
import { describe, expect, it } from "vitest";
import { devArgs, localD1Args, persistArgs } from "../../scripts/local-state.mjs";

describe("WRANGLER_PERSIST_TO", () => {
  const env = { WRANGLER_PERSIST_TO: "/tmp/ads-state" };

  it("reaches wrangler dev as well as the seed's D1 commands", () => {
    const dev = devArgs({ port: 8803, extra: ["--inspector-port", "9230"], env });
    expect(dev.slice(0, 1)).toEqual(["dev"]);
    expect(dev.join(" ")).toContain("--persist-to /tmp/ads-state");
    expect(dev.join(" ")).toContain("--port 8803");
    expect(dev.slice(-2)).toEqual(["--inspector-port", "9230"]);
    expect(localD1Args(["migrations", "apply", "DB"], env).join(" ")).toBe(
      "d1 migrations apply DB --local --persist-to /tmp/ads-state",
    );
  });

  it("leaves wrangler's default state alone when unset", () => {
    expect(persistArgs({})).toEqual([]);
    expect(devArgs({ port: 8787, env: {} }).join(" ")).not.toContain("--persist-to");
  });
});
