/** Owns the ad reads: the project's list (D1 copies), one ad (its campaign object), a platform's reviews. */
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { findAdOwner, listAds, listReviews } from "../../db/ads";
import { AD_STATUSES, REVIEW_STATUSES } from "../../domain/ad-model";
import { isId } from "../../domain/ids";
import type { AppEnv } from "../../http/context";
import { decodeCursor, nextCursor } from "../../http/cursor";
import { notFound } from "../../http/errors";
import { defineRoute } from "../../http/route";
import { readAd } from "../../objects/campaign";
import { requireProject, unwrap } from "../lookups";
import {
  cursorParam,
  limitParam,
  ProjectParams,
  ProjectPlatformParams,
  pageSchema,
  platformsParam,
  statusesQueryParam,
} from "../schemas";
import { AdParams, AdSchema, adFields, presentAd, presentReview, ReviewSchema } from "./schemas";

const CursorSchema = z.object({ createdAt: z.string(), id: z.string() });
const ReviewCursorSchema = z.object({ submittedAt: z.string(), id: z.string() });
const idQuery = (name: string) =>
  z
    .string()
    .max(64)
    .optional()
    .openapi({ param: { name, in: "query" } });

export const listAdsRoute = defineRoute(
  { scope: "ads:read", endpointClass: "read", errors: ["NOT_FOUND", "VALIDATION"] },
  {
    method: "get",
    operationId: "listAds",
    path: "/v1/projects/{projectId}/ads/ads",
    tags: ["Ads"],
    summary: "List the project's ads (Meta, TikTok), newest first",
    description: "Apple has no ads: `platforms=apple` answers an empty page.",
    request: {
      params: ProjectParams,
      query: z.object({
        adsetId: idQuery("adsetId"),
        campaignId: idQuery("campaignId"),
        platforms: platformsParam,
        status: statusesQueryParam(AD_STATUSES),
        cursor: cursorParam,
        limit: limitParam(200, 100),
      }),
    },
    responses: {
      200: {
        description: "A page of ads.",
        content: { "application/json": { schema: pageSchema(AdSchema, "AdPage") } },
      },
    },
  },
);

export const getAdRoute = defineRoute(
  { scope: "ads:read", endpointClass: "read", errors: ["NOT_FOUND"] },
  {
    method: "get",
    operationId: "getAd",
    path: "/v1/projects/{projectId}/ads/{platform}/ads/{adId}",
    tags: ["Ads"],
    summary: "Read an ad",
    description:
      "An ad exists once its push completed on the platform (`platformAdId` set); `reviewStatus` follows the platform's review. Apple has no ads: 404.",
    request: { params: AdParams },
    responses: { 200: { description: "The ad.", content: { "application/json": { schema: AdSchema } } } },
  },
);

export const listReviewsRoute = defineRoute(
  { scope: "ads:read", endpointClass: "read", errors: ["NOT_FOUND", "VALIDATION"] },
  {
    method: "get",
    operationId: "listAdReviews",
    path: "/v1/projects/{projectId}/ads/{platform}/reviews",
    tags: ["Ads"],
    summary: "List the platform's ad reviews, latest submission first",
    description:
      "One entry per ad: its current creative's review. Apple has no ads: an empty page. After a push or replace the campaign object looks the review up with backoff (about a minute, then longer, for at most about four and a half days) until the platform decides; sandbox reviews settle within seconds.",
    request: {
      params: ProjectPlatformParams,
      query: z.object({
        status: statusesQueryParam(REVIEW_STATUSES),
        cursor: cursorParam,
        limit: limitParam(200, 100),
      }),
    },
    responses: {
      200: {
        description: "A page of reviews.",
        content: { "application/json": { schema: pageSchema(ReviewSchema, "AdReviewPage") } },
      },
    },
  },
);

export function registerAdReads(app: OpenAPIHono<AppEnv>) {
  app.openapi(listAdsRoute, async (c) => {
    const { projectId } = c.req.valid("param");
    const query = c.req.valid("query");
    const project = await requireProject(c.env.DB, c.get("caller"), projectId);
    const after = query.cursor ? decodeCursor(query.cursor, CursorSchema) : undefined;
    const { rows, hasMore } = await listAds(c.env.DB, {
      projectId: project.id,
      adsetId: query.adsetId,
      campaignId: query.campaignId,
      platforms: query.platforms,
      statuses: query.status,
      after,
      limit: query.limit,
    });
    return c.json(
      {
        items: rows.map(presentAd),
        nextCursor: nextCursor(rows, hasMore, (last) => ({ createdAt: last.createdAt, id: last.id })),
      },
      200,
    );
  });

  app.openapi(getAdRoute, async (c) => {
    const { projectId, platform, adId } = c.req.valid("param");
    const caller = c.get("caller");
    if (!isId("ad", adId)) throw notFound("Ad");
    const project = await requireProject(c.env.DB, caller, projectId);
    const owner = await findAdOwner(c.env.DB, project.id, platform, adId);
    if (!owner) throw notFound("Ad");
    // From the campaign object, not D1's copy: a read right after a write sees it.
    const scope = { organizationId: caller.organizationId, projectId: project.id, platform };
    const { ad } = unwrap(await readAd(c.env, owner.campaignId, scope, adId));
    return c.json(presentAd(adFields(ad)), 200);
  });

  app.openapi(listReviewsRoute, async (c) => {
    const { projectId, platform } = c.req.valid("param");
    const query = c.req.valid("query");
    const project = await requireProject(c.env.DB, c.get("caller"), projectId);
    const after = query.cursor ? decodeCursor(query.cursor, ReviewCursorSchema) : undefined;
    const { rows, hasMore } = await listReviews(c.env.DB, {
      projectId: project.id,
      platform,
      statuses: query.status,
      after,
      limit: query.limit,
    });
    return c.json(
      {
        items: rows.map(presentReview),
        nextCursor: nextCursor(rows, hasMore, (last) => ({ submittedAt: last.submittedAt, id: last.id })),
      },
      200,
    );
  });
}
