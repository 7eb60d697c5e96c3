/**
 * Owns TikTok's ad requests: media upload by URL (`/file/video/ad/upload/`,
 * `/file/image/ad/upload/` for the cover), `/ad/create/`, `/ad/update/`,
 * `/ad/status/update/`, and the review (`GET /ad/get/` `secondary_status`).
 */
import type { AdSpec, ReviewStatus } from "../domain/ad-model";
import { CREATIVE_LIMITS } from "../domain/creative-rules";
import {
  idField,
  isRecord,
  LOCAL_CODES,
  PlatformFailure,
  rejectedFailure,
  stringField,
  transientFailure,
} from "./http";
import { tiktokRequestId } from "./tiktok";
import type { AdAccountConnection, AdOperation, AdReview, DispatchContext, PlatformResult } from "./types";

/** What the ad requests need from the adapter: its JSON POST and GET. */
export interface TikTokApi {
  call(path: string, body: Record<string, unknown>, accessToken: string): Promise<unknown>;
  get(path: string, query: Record<string, unknown>, accessToken: string): Promise<unknown>;
}

/** `secondary_status` → our review status (third-party values, Unconfirmed: platforms.md). */
export function tiktokReview(ad: unknown): AdReview {
  const status = stringField(ad, "secondary_status") ?? "";
  let review: ReviewStatus = "approved";
  if (/NOT_APPROVED|REJECT|DENY/.test(status)) review = "disapproved";
  else if (status === "" || /AUDIT|REVIEW/.test(status)) review = "pending_review";
  const reason =
    review === "disapproved"
      ? (stringField(ad, "reject_reason") ?? `Not approved by TikTok's ad review (${status}).`)
      : null;
  return { status: review, reason };
}

/** A first element when `data` is a list (TikTok's upload answers vary: Unconfirmed). */
function first(data: unknown): unknown {
  if (Array.isArray(data)) return data[0];
  if (isRecord(data) && Array.isArray(data.list)) return data.list[0];
  return data;
}

export async function executeTikTokAd(
  api: TikTokApi,
  op: AdOperation,
  account: AdAccountConnection,
  context: DispatchContext,
  accessToken: string,
): Promise<PlatformResult> {
  const advertiser_id = account.externalId;
  const done = (extra: Record<string, unknown> = {}): PlatformResult => ({
    ok: true,
    platformCampaignId: op.platformCampaignId,
    ...extra,
  });
  switch (op.type) {
    case "create_ad": {
      const media = await uploadMedia(api, op.ad, account, accessToken);
      const data = await api.call(
        "/ad/create/",
        {
          advertiser_id,
          adgroup_id: op.platformAdsetId,
          creatives: [creativeBody(op.ad, account, media)],
          // Unconfirmed: `request_id` on /ad/create/ as on /campaign/create/ (same value = created once).
          request_id: await tiktokRequestId(`${context.idempotencyKey}:ad`),
        },
        accessToken,
      );
      const adIds = isRecord(data) ? data.ad_ids : undefined;
      const adId =
        Array.isArray(adIds) && adIds.length > 0 ? String(adIds[0]) : idField(first(data), "ad_id");
      if (!adId) throw new PlatformFailure(transientFailure("TikTok accepted the ad but returned no ad id"));
      return done({ platformAdId: adId, platformCreativeId: media.videoId });
    }
    case "replace_ad_creative": {
      const media = await uploadMedia(api, op.ad, account, accessToken);
      await api.call(
        "/ad/update/",
        {
          advertiser_id,
          adgroup_id: op.platformAdsetId,
          creatives: [{ ad_id: op.platformAdId, ...creativeBody(op.ad, account, media) }],
        },
        accessToken,
      );
      return done({ platformAdId: op.platformAdId, platformCreativeId: media.videoId });
    }
    case "pause_ad":
    case "resume_ad":
    case "prune_ad":
    case "delete_ad": {
      // TikTok has no archive: a pruned creative's ad is disabled (our choice).
      const operation_status = {
        pause_ad: "DISABLE",
        resume_ad: "ENABLE",
        prune_ad: "DISABLE",
        delete_ad: "DELETE",
      }[op.type];
      await api.call(
        "/ad/status/update/",
        { advertiser_id, ad_ids: [op.platformAdId], operation_status },
        accessToken,
      );
      return done({ platformAdId: op.platformAdId });
    }
    case "get_ad_review": {
      const data = await api.get(
        "/ad/get/",
        {
          advertiser_id,
          filtering: { ad_ids: [op.platformAdId] },
          fields: ["ad_id", "secondary_status", "operation_status"],
        },
        accessToken,
      );
      return done({ platformAdId: op.platformAdId, review: tiktokReview(first(data)) });
    }
  }
}

interface UploadedMedia {
  videoId: string;
  coverImageId: string | null;
}

/** The video by URL and its cover image by URL (TikTok in-feed ads are video). */
async function uploadMedia(
  api: TikTokApi,
  ad: AdSpec,
  account: AdAccountConnection,
  accessToken: string,
): Promise<UploadedMedia> {
  const c = ad.creative;
  if (c.format !== "video") {
    throw new PlatformFailure(
      rejectedFailure("TikTok in-feed ads need a video creative", LOCAL_CODES.invalidRequest),
    );
  }
  const video = await api.call(
    "/file/video/ad/upload/",
    { advertiser_id: account.externalId, upload_type: "UPLOAD_BY_URL", video_url: c.mediaUrl },
    accessToken,
  );
  const videoId = idField(first(video), "video_id");
  if (!videoId)
    throw new PlatformFailure(transientFailure("TikTok accepted the video but returned no video_id"));
  let coverImageId: string | null = null;
  if (c.thumbnailUrl) {
    const image = await api.call(
      "/file/image/ad/upload/",
      { advertiser_id: account.externalId, upload_type: "UPLOAD_BY_URL", image_url: c.thumbnailUrl },
      accessToken,
    );
    coverImageId = idField(first(image), "image_id") ?? null;
    if (!coverImageId)
      throw new PlatformFailure(transientFailure("TikTok accepted the cover image but returned no image_id"));
  }
  return { videoId, coverImageId };
}

/**
 * One entry of `creatives`. The identity the ad speaks as comes from the ad account's settings
 * (`identityId`, `identityType`, default `CUSTOMIZED_USER`); without one TikTok refuses the ad.
 */
function creativeBody(ad: AdSpec, account: AdAccountConnection, media: UploadedMedia) {
  const c = ad.creative;
  const identityId = account.settings.identityId;
  if (typeof identityId !== "string" || identityId === "") {
    throw new PlatformFailure(
      rejectedFailure(
        "TikTok ads need an identity: the ad account's settings lack identityId",
        LOCAL_CODES.invalidRequest,
      ),
    );
  }
  const identityType =
    typeof account.settings.identityType === "string" ? account.settings.identityType : "CUSTOMIZED_USER";
  return {
    ad_name: ad.name,
    ad_format: "SINGLE_VIDEO",
    video_id: media.videoId,
    ...(media.coverImageId ? { image_ids: [media.coverImageId] } : {}),
    ad_text: c.primaryText,
    call_to_action: CREATIVE_LIMITS.tiktok.callsToAction[c.callToAction] ?? "LEARN_MORE",
    landing_page_url: c.linkUrl,
    identity_id: identityId,
    identity_type: identityType,
    operation_status: "ENABLE",
  };
}
