/**
 * Creative rules: our call-to-action vocabulary and each platform's limits on a creative's
 * format and copy. A creative is stored once for the project and checked against a platform
 * when it is used there (push / replace answer 422 with these issues).
 *
 * Sources: ../shared/platforms.md "ads and creatives". Limits marked Unconfirmed have no
 * primary source; they live in CREATIVE_LIMITS so they can be corrected in one place.
 */
import type { Platform } from "./platform-rules";

export const CREATIVE_FORMATS = ["image", "video"] as const;
export type CreativeFormat = (typeof CREATIVE_FORMATS)[number];

/** Our call-to-action vocabulary; each platform maps the ones it supports. */
export const CALLS_TO_ACTION = [
  "learn_more",
  "shop_now",
  "sign_up",
  "download",
  "install_app",
  "contact_us",
  "subscribe",
  "get_offer",
  "get_quote",
  "apply_now",
  "book_now",
  "order_now",
  "watch_more",
  "play_game",
] as const;
export type CallToAction = (typeof CALLS_TO_ACTION)[number];

export interface CreativeContent {
  format: CreativeFormat;
  thumbnailUrl: string | null;
  primaryText: string;
  headline: string | null;
  description: string | null;
  callToAction: CallToAction;
}

export interface CreativeIssue {
  path: string;
  message: string;
}

interface PlatformCreativeLimits {
  /** Formats the platform's ads accept; null = the platform has no creative ads. */
  formats: readonly CreativeFormat[] | null;
  primaryTextMax: number;
  headlineMax: number | null;
  descriptionMax: number | null;
  /** Formats whose ads carry no description on this platform (it is not sent). */
  noDescriptionFor: readonly CreativeFormat[];
  /** Formats that need a cover / thumbnail image. */
  thumbnailRequiredFor: readonly CreativeFormat[];
  emojiAllowed: boolean;
  /** Our call to action → the platform's value. */
  callsToAction: Partial<Record<CallToAction, string>>;
}

export const CREATIVE_LIMITS: Record<Platform, PlatformCreativeLimits> = {
  meta: {
    formats: ["image", "video"],
    primaryTextMax: 2200, // Unconfirmed: Meta truncates in feed after ~125 characters.
    headlineMax: 255, // Unconfirmed.
    descriptionMax: 255, // Unconfirmed.
    noDescriptionFor: ["video"], // video_data has no description field.
    thumbnailRequiredFor: ["video"], // video_data needs image_hash | image_url.
    emojiAllowed: true,
    callsToAction: {
      learn_more: "LEARN_MORE",
      shop_now: "SHOP_NOW",
      sign_up: "SIGN_UP",
      download: "DOWNLOAD",
      install_app: "INSTALL_MOBILE_APP",
      contact_us: "CONTACT_US",
      subscribe: "SUBSCRIBE",
      get_offer: "GET_OFFER",
      get_quote: "GET_QUOTE",
      apply_now: "APPLY_NOW",
      book_now: "BOOK_TRAVEL",
      order_now: "ORDER_NOW",
      watch_more: "WATCH_MORE",
      play_game: "PLAY_GAME",
    },
  },
  tiktok: {
    formats: ["video"], // In-feed ads need SINGLE_VIDEO; a single image is refused (40002).
    primaryTextMax: 100, // ad_text 1–100 characters, no emoji.
    headlineMax: null, // Not sent: TikTok shows the identity's display name instead.
    descriptionMax: null,
    noDescriptionFor: [],
    thumbnailRequiredFor: ["video"], // image_ids carries the video's cover.
    emojiAllowed: false,
    // Unconfirmed: TikTok's call_to_action enum beyond LEARN_MORE / SHOP_NOW / DOWNLOAD.
    callsToAction: {
      learn_more: "LEARN_MORE",
      shop_now: "SHOP_NOW",
      sign_up: "SIGN_UP",
      download: "DOWNLOAD_NOW",
      install_app: "INSTALL_NOW",
      contact_us: "CONTACT_US",
      subscribe: "SUBSCRIBE",
      get_quote: "GET_QUOTE",
      apply_now: "APPLY_NOW",
      book_now: "BOOK_NOW",
      order_now: "ORDER_NOW",
      watch_more: "WATCH_NOW",
      play_game: "PLAY_GAME",
    },
  },
  apple: {
    formats: null, // Apple bids on keywords; its creative-axis object is the keyword.
    primaryTextMax: 0,
    headlineMax: null,
    descriptionMax: null,
    noDescriptionFor: [],
    thumbnailRequiredFor: [],
    emojiAllowed: true,
    callsToAction: {},
  },
};

const EMOJI = /\p{Extended_Pictographic}/u;

/** Length as a person counts it: user-perceived characters, not UTF-16 units. */
export function textLength(text: string): number {
  return [...new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(text)].length;
}

/** Everything that keeps this creative from being used on `platform`; empty when it fits. */
export function platformCreativeIssues(creative: CreativeContent, platform: Platform): CreativeIssue[] {
  const limits = CREATIVE_LIMITS[platform];
  if (!limits.formats) {
    return [
      { path: "format", message: `${platform} has no creative ads; its creative axis governs keywords.` },
    ];
  }
  const issues: CreativeIssue[] = [];
  if (!limits.formats.includes(creative.format)) {
    issues.push({
      path: "format",
      message: `${platform} ads take ${limits.formats.join(" or ")} creatives.`,
    });
  }
  if (textLength(creative.primaryText) > limits.primaryTextMax) {
    issues.push({
      path: "primaryText",
      message: `${platform} allows at most ${limits.primaryTextMax} characters.`,
    });
  }
  if (!limits.emojiAllowed && EMOJI.test(creative.primaryText)) {
    issues.push({ path: "primaryText", message: `${platform} ad text may not contain emoji.` });
  }
  const capped = [
    ["headline", creative.headline, limits.headlineMax],
    ["description", creative.description, limits.descriptionMax],
  ] as const;
  // Copy a platform does not carry (TikTok headlines, Meta video descriptions) is not sent, so
  // one creative can serve every platform; only copy that is sent must fit.
  for (const [path, value, max] of capped) {
    if (value === null || max === null) continue;
    if (path === "description" && limits.noDescriptionFor.includes(creative.format)) continue;
    if (textLength(value) > max)
      issues.push({ path, message: `${platform} allows at most ${max} characters.` });
  }
  if (creative.thumbnailUrl === null && limits.thumbnailRequiredFor.includes(creative.format)) {
    issues.push({
      path: "thumbnailUrl",
      message: `${platform} ${creative.format} ads need a thumbnail image.`,
    });
  }
  if (!limits.callsToAction[creative.callToAction]) {
    issues.push({
      path: "callToAction",
      message: `${platform} has no "${creative.callToAction}" call to action.`,
    });
  }
  return issues;
}
