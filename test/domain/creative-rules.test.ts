import { describe, expect, it } from "vitest";
import { type CreativeContent, platformCreativeIssues, textLength } from "../../src/domain/creative-rules";

const video: CreativeContent = {
  format: "video",
  thumbnailUrl: "https://cdn.example.com/cover.jpg",
  primaryText: "Spring sale: 20% off everything.",
  headline: "Spring sale",
  description: "Ends Sunday",
  callToAction: "shop_now",
};

const paths = (c: CreativeContent, platform: "meta" | "tiktok" | "apple") =>
  platformCreativeIssues(c, platform).map((i) => i.path);

describe("creative rules per platform", () => {
  it("a video with a cover fits Meta and TikTok; Apple has no creative ads", () => {
    expect(platformCreativeIssues(video, "meta")).toEqual([]);
    expect(platformCreativeIssues(video, "tiktok")).toEqual([]);
    expect(paths(video, "apple")).toEqual(["format"]);
  });

  it.each([
    ["image on TikTok", { ...video, format: "image" as const }, "tiktok", ["format"]],
    ["image on Meta", { ...video, format: "image" as const }, "meta", []],
    [
      "TikTok text over 100 characters",
      { ...video, primaryText: "a".repeat(101) },
      "tiktok",
      ["primaryText"],
    ],
    ["TikTok text of exactly 100 characters", { ...video, primaryText: "a".repeat(100) }, "tiktok", []],
    ["emoji on TikTok", { ...video, primaryText: "Sale 🎉" }, "tiktok", ["primaryText"]],
    ["emoji on Meta", { ...video, primaryText: "Sale 🎉" }, "meta", []],
    ["video without a cover on TikTok", { ...video, thumbnailUrl: null }, "tiktok", ["thumbnailUrl"]],
    ["video without a cover on Meta", { ...video, thumbnailUrl: null }, "meta", ["thumbnailUrl"]],
    ["Meta headline over 255", { ...video, headline: "h".repeat(256) }, "meta", ["headline"]],
    ["a long headline on TikTok is not sent", { ...video, headline: "h".repeat(256) }, "tiktok", []],
    ["a long Meta video description is not sent", { ...video, description: "d".repeat(300) }, "meta", []],
    [
      "a long Meta image description",
      { ...video, format: "image" as const, description: "d".repeat(300) },
      "meta",
      ["description"],
    ],
    [
      "get_offer has no TikTok call to action",
      { ...video, callToAction: "get_offer" as const },
      "tiktok",
      ["callToAction"],
    ],
  ] as const)("%s", (_name, creative, platform, expected) => {
    expect(paths(creative, platform)).toEqual(expected);
  });

  it("counts characters as a person does", () => {
    expect(textLength("👩‍👩‍👧")).toBe(1);
    expect(textLength("é")).toBe(1);
  });
});
