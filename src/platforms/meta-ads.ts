/**
 * Owns Meta's ad requests: media upload (`/act_{id}/adimages`, `/act_{id}/advideos`), the ad
 * creative (`/act_{id}/adcreatives`), the ad (`/act_{id}/ads`), its status and its review
 * (`GET /{ad_id}?fields=effective_status,ad_review_feedback`). Creatives are immutable on Meta:
 * a replace creates a new one and points the ad at it.
 */
import type { AdSpec, ReviewStatus } from "../domain/ad-model";
import { CREATIVE_LIMITS } from "../domain/creative-rules";
import {
  idField,
  isRecord,
  LOCAL_CODES,
  PlatformFailure,
  type PlatformResponse,
  rejectedFailure,
  sha256,
  stringField,
  toHex,
  transientFailure,
} from "./http";
import type { AdAccountConnection, AdOperation, AdReview, DispatchContext, PlatformResult } from "./types";

/** What the ad requests need from the adapter: its URLs and its classified sends. */
export interface MetaGraph {
  graphUrl(path: string, query?: URLSearchParams): string;
  send(url: string, init: RequestInit): Promise<PlatformResponse>;
  readonly timeoutMs: number;
}

/** Images are sent as `bytes`: Meta's upload by URL is not in its SDK (platforms.md). Our cap. */
export const META_IMAGE_MAX_BYTES = 8 * 1024 * 1024;

/** The ad's name tag, as for campaigns: a retried push finds the ad its lost answer created. */
export async function metaAdTag(idempotencyKey: string): Promise<string> {
  return `[lp:${toHex(await sha256(`meta-ad:${idempotencyKey}`)).slice(0, 12)}]`;
}

/** Meta's effective status → our review status (Unconfirmed beyond the documented values). */
export function metaReview(body: unknown): AdReview {
  const status = stringField(body, "effective_status") ?? "";
  const pending: ReadonlySet<string> = new Set(["PENDING_REVIEW", "IN_PROCESS", "PREAPPROVED"]);
  let review: ReviewStatus = "approved";
  if (status === "DISAPPROVED") review = "disapproved";
  else if (pending.has(status) || status === "") review = "pending_review";
  return { status: review, reason: review === "disapproved" ? feedbackText(body) : null };
}

/** `ad_review_feedback` is `{ global: { "<policy>": "<text>" }, placement_specific: … }`. */
function feedbackText(body: unknown): string {
  const feedback = isRecord(body) ? body.ad_review_feedback : undefined;
  const texts: string[] = [];
  const walk = (value: unknown) => {
    if (typeof value === "string") texts.push(value);
    else if (isRecord(value)) for (const v of Object.values(value)) walk(v);
  };
  walk(feedback);
  return texts.length > 0 ? texts.join(" ") : "Disapproved by Meta's ad review.";
}

export async function executeMetaAd(
  graph: MetaGraph,
  op: AdOperation,
  account: AdAccountConnection,
  context: DispatchContext,
  accessToken: string,
): Promise<PlatformResult> {
  const done = (extra: Record<string, unknown> = {}): PlatformResult => ({
    ok: true,
    platformCampaignId: op.platformCampaignId,
    ...extra,
  });
  const form = (fields: Record<string, string>) =>
    new URLSearchParams({ ...fields, access_token: accessToken });
  const post = (path: string, fields: Record<string, string>) =>
    graph.send(graph.graphUrl(path), { method: "POST", body: form(fields) });
  switch (op.type) {
    case "create_ad": {
      const tag = await metaAdTag(context.idempotencyKey);
      if (context.attempt > 1) {
        const found = await findAdByTag(graph, account, tag, accessToken);
        if (found) return done(found);
      }
      const creativeId = await createCreative(graph, op.ad, account, tag, accessToken);
      const response = await post(`act_${account.externalId}/ads`, {
        name: `${op.ad.name} ${tag}`,
        adset_id: op.platformAdsetId,
        creative: JSON.stringify({ creative_id: creativeId }),
        status: "ACTIVE",
      });
      const adId = idField(response.body, "id");
      if (adId === undefined)
        throw new PlatformFailure(transientFailure("Meta accepted the ad but returned no id"));
      return done({ platformAdId: adId, platformCreativeId: creativeId });
    }
    case "replace_ad_creative": {
      const tag = await metaAdTag(context.idempotencyKey);
      const creativeId = await createCreative(graph, op.ad, account, tag, accessToken);
      await post(encodeURIComponent(op.platformAdId), {
        creative: JSON.stringify({ creative_id: creativeId }),
      });
      return done({ platformAdId: op.platformAdId, platformCreativeId: creativeId });
    }
    case "pause_ad":
    case "resume_ad":
    case "prune_ad": {
      // A pruned creative's ad is archived: it stops delivering and stays readable for reports.
      const status = { pause_ad: "PAUSED", resume_ad: "ACTIVE", prune_ad: "ARCHIVED" }[op.type];
      await post(encodeURIComponent(op.platformAdId), { status });
      return done({ platformAdId: op.platformAdId });
    }
    case "delete_ad": {
      const query = new URLSearchParams({ access_token: accessToken });
      await graph.send(graph.graphUrl(encodeURIComponent(op.platformAdId), query), { method: "DELETE" });
      return done({ platformAdId: op.platformAdId });
    }
    case "get_ad_review": {
      const query = new URLSearchParams({
        fields: "effective_status,ad_review_feedback",
        access_token: accessToken,
      });
      const response = await graph.send(graph.graphUrl(encodeURIComponent(op.platformAdId), query), {
        method: "GET",
      });
      return done({ platformAdId: op.platformAdId, review: metaReview(response.body) });
    }
  }
}

async function findAdByTag(
  graph: MetaGraph,
  account: AdAccountConnection,
  tag: string,
  accessToken: string,
): Promise<{ platformAdId: string; platformCreativeId?: string } | undefined> {
  const query = new URLSearchParams({
    fields: "id,name,creative",
    filtering: JSON.stringify([{ field: "name", operator: "CONTAIN", value: tag }]),
    limit: "25",
    access_token: accessToken,
  });
  const response = await graph.send(graph.graphUrl(`act_${account.externalId}/ads`, query), {
    method: "GET",
  });
  const list = isRecord(response.body) ? response.body.data : undefined;
  if (!Array.isArray(list)) return undefined;
  const match = list.find((candidate) => stringField(candidate, "name")?.includes(tag));
  const id = match === undefined ? undefined : idField(match, "id");
  if (id === undefined) return undefined;
  const creativeId = idField(isRecord(match) ? match.creative : undefined, "id");
  return { platformAdId: id, ...(creativeId ? { platformCreativeId: creativeId } : {}) };
}

/** Uploads the media and creates the ad creative; returns its id. */
async function createCreative(
  graph: MetaGraph,
  ad: AdSpec,
  account: AdAccountConnection,
  tag: string,
  accessToken: string,
): Promise<string> {
  const c = ad.creative;
  const pageId = metaPageId(account);
  const callToAction = {
    type: CREATIVE_LIMITS.meta.callsToAction[c.callToAction] ?? "LEARN_MORE",
    value: { link: c.linkUrl },
  };
  let spec: Record<string, unknown>;
  if (c.format === "video") {
    const videoId = await uploadVideo(graph, account, c.mediaUrl, `${ad.name} ${tag}`, accessToken);
    spec = {
      page_id: pageId,
      video_data: {
        video_id: videoId,
        ...(c.thumbnailUrl ? { image_url: c.thumbnailUrl } : {}),
        message: c.primaryText,
        ...(c.headline ? { title: c.headline } : {}),
        call_to_action: callToAction,
      },
    };
  } else {
    const imageHash = await uploadImage(graph, account, c.mediaUrl, accessToken);
    spec = {
      page_id: pageId,
      link_data: {
        message: c.primaryText,
        link: c.linkUrl,
        ...(c.headline ? { name: c.headline } : {}),
        ...(c.description ? { description: c.description } : {}),
        image_hash: imageHash,
        call_to_action: callToAction,
      },
    };
  }
  const response = await graph.send(graph.graphUrl(`act_${account.externalId}/adcreatives`), {
    method: "POST",
    body: new URLSearchParams({
      name: `${c.name} ${tag}`,
      object_story_spec: JSON.stringify(spec),
      access_token: accessToken,
    }),
  });
  const id = idField(response.body, "id");
  if (id === undefined)
    throw new PlatformFailure(transientFailure("Meta accepted the ad creative but returned no id"));
  return id;
}

/** The Facebook Page the ad speaks as: the account's connection settings (as for Leads campaigns). */
function metaPageId(account: AdAccountConnection): string {
  const promoted = account.settings.promotedObject;
  const pageId = isRecord(promoted) ? idField(promoted, "page_id") : undefined;
  if (pageId) return pageId;
  throw new PlatformFailure(
    rejectedFailure(
      "Meta ads need a Facebook Page: the ad account's settings lack promotedObject.page_id",
      LOCAL_CODES.invalidRequest,
    ),
  );
}

async function uploadImage(
  graph: MetaGraph,
  account: AdAccountConnection,
  mediaUrl: string,
  accessToken: string,
): Promise<string> {
  const bytes = await downloadMedia(mediaUrl, graph.timeoutMs);
  const response = await graph.send(graph.graphUrl(`act_${account.externalId}/adimages`), {
    method: "POST",
    body: new URLSearchParams({ bytes: toBase64(bytes), access_token: accessToken }),
  });
  const images = isRecord(response.body) ? response.body.images : undefined;
  const first = isRecord(images) ? Object.values(images)[0] : undefined;
  const hash = stringField(first, "hash");
  if (!hash) throw new PlatformFailure(transientFailure("Meta accepted the image but returned no hash"));
  return hash;
}

/** Meta fetches the video itself from `file_url`. Its processing state is not awaited here. */
async function uploadVideo(
  graph: MetaGraph,
  account: AdAccountConnection,
  mediaUrl: string,
  name: string,
  accessToken: string,
): Promise<string> {
  const response = await graph.send(graph.graphUrl(`act_${account.externalId}/advideos`), {
    method: "POST",
    body: new URLSearchParams({ file_url: mediaUrl, name, access_token: accessToken }),
  });
  const id = idField(response.body, "id");
  if (id === undefined)
    throw new PlatformFailure(transientFailure("Meta accepted the video but returned no id"));
  return id;
}

async function downloadMedia(url: string, timeoutMs: number): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: "follow" });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PlatformFailure(transientFailure(`Could not download the creative's media: ${reason}`));
  }
  if (response.status >= 500) {
    throw new PlatformFailure(transientFailure(`The creative's media answered HTTP ${response.status}`));
  }
  if (!response.ok) {
    throw new PlatformFailure(
      rejectedFailure(`The creative's media answered HTTP ${response.status}`, LOCAL_CODES.invalidRequest),
    );
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.byteLength > META_IMAGE_MAX_BYTES) {
    throw new PlatformFailure(
      rejectedFailure(
        `The creative's image is larger than ${META_IMAGE_MAX_BYTES} bytes`,
        LOCAL_CODES.invalidRequest,
      ),
    );
  }
  return bytes;
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
