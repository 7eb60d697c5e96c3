/**
 * D1 copies of campaign-object state, written only by the campaign object. Each row carries
 * the object's state version; an older write never overwrites a newer row, so replays after
 * a failure are harmless.
 */
import { type Column, getTableColumns, sql, type Table } from "drizzle-orm";
import type { drizzle } from "drizzle-orm/d1";
import type { AdsetRecord } from "../domain/adset-model";
import type { AuthorityState, CampaignRecord, JobRecord, PendingRecord } from "../domain/campaign-model";
import { adsets, campaigns, jobs, pendingActions } from "./schema";

type Orm = ReturnType<typeof drizzle>;

const newerOnly = (table: string) => sql.raw(`excluded.state_version > ${table}.state_version`);

/** `SET column = excluded.column` for these properties of a table. */
function excludedSet<T extends Table>(table: T, properties: (keyof T["_"]["columns"] & string)[]) {
  const columns = getTableColumns(table);
  return Object.fromEntries(
    properties.map((property) => [property, sql.raw(`excluded.${(columns[property] as Column).name}`)]),
  );
}

export function campaignUpsert(orm: Orm, c: CampaignRecord, authority: AuthorityState, stateVersion: number) {
  const row = {
    id: c.id,
    organizationId: c.organizationId,
    projectId: c.projectId,
    platform: c.platform,
    adAccountId: c.adAccountId,
    name: c.name,
    outcome: c.outcome,
    status: c.status,
    dailyBudgetCents: c.dailyBudgetCents,
    lifetimeBudgetCents: c.lifetimeBudgetCents,
    startTime: c.startTime,
    endTime: c.endTime,
    bidStrategy: c.bidStrategy,
    targeting: c.targeting,
    platformSettings: c.platformSettings,
    metadata: c.metadata,
    authority: authority.block,
    authorityVersion: authority.version,
    platformCampaignId: c.platformCampaignId,
    stateVersion,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
  return orm
    .insert(campaigns)
    .values(row)
    .onConflictDoUpdate({
      target: campaigns.id,
      set: excludedSet(campaigns, [
        "name",
        "status",
        "dailyBudgetCents",
        "lifetimeBudgetCents",
        "bidStrategy",
        "targeting",
        "platformSettings",
        "authority",
        "authorityVersion",
        "platformCampaignId",
        "stateVersion",
        "updatedAt",
      ]),
      setWhere: newerOnly("campaigns"),
    });
}

export function jobUpsert(orm: Orm, campaign: CampaignRecord, j: JobRecord, stateVersion: number) {
  return orm
    .insert(jobs)
    .values({
      id: j.id,
      organizationId: campaign.organizationId,
      projectId: campaign.projectId,
      campaignId: campaign.id,
      platform: campaign.platform,
      kind: j.kind,
      status: j.status,
      stage: j.stage,
      attempts: j.attempts,
      pendingId: j.pendingId,
      result: j.result,
      error: j.error ? { ...j.error } : null,
      startedAt: j.startedAt,
      finishedAt: j.finishedAt,
      updatedAt: j.updatedAt,
      stateVersion,
    })
    .onConflictDoUpdate({
      target: jobs.id,
      set: excludedSet(jobs, [
        "status",
        "stage",
        "attempts",
        "result",
        "error",
        "finishedAt",
        "updatedAt",
        "stateVersion",
      ]),
      setWhere: newerOnly("jobs"),
    });
}

export function pendingUpsert(orm: Orm, campaign: CampaignRecord, p: PendingRecord, stateVersion: number) {
  return orm
    .insert(pendingActions)
    .values({
      id: p.id,
      organizationId: campaign.organizationId,
      projectId: campaign.projectId,
      campaignId: campaign.id,
      jobId: p.jobId,
      platform: campaign.platform,
      actionType: p.actionType,
      entityType: p.entityType,
      entityId: p.entityId,
      entityName: p.entityName,
      currentValue: p.currentValue,
      newValue: p.newValue,
      status: p.status,
      requestedBy: p.requestedBy,
      decidedBy: p.decidedBy,
      decisionNote: p.decisionNote,
      createdAt: p.createdAt,
      expiresAt: p.expiresAt,
      decidedAt: p.decidedAt,
      dispatchedAt: p.dispatchedAt,
      dispatchFailureReason: p.dispatchFailureReason,
      stateVersion,
    })
    .onConflictDoUpdate({
      target: pendingActions.id,
      set: excludedSet(pendingActions, [
        "status",
        "entityName",
        "decidedBy",
        "decisionNote",
        "decidedAt",
        "dispatchedAt",
        "dispatchFailureReason",
        "stateVersion",
      ]),
      setWhere: newerOnly("pending_actions"),
    });
}

export function adsetUpsert(orm: Orm, campaign: CampaignRecord, a: AdsetRecord, stateVersion: number) {
  return orm
    .insert(adsets)
    .values({
      id: a.id,
      organizationId: campaign.organizationId,
      projectId: campaign.projectId,
      campaignId: campaign.id,
      platform: campaign.platform,
      adAccountId: campaign.adAccountId,
      name: a.name,
      status: a.status,
      optimizationGoal: a.optimizationGoal,
      billingEvent: a.billingEvent,
      bidStrategy: a.bidStrategy,
      dailyBudgetCents: a.dailyBudgetCents,
      lifetimeBudgetCents: a.lifetimeBudgetCents,
      targeting: a.targeting,
      schedule: { ...a.schedule },
      platformAdsetId: a.platformAdsetId,
      stateVersion,
      createdAt: a.createdAt,
      updatedAt: a.updatedAt,
    })
    .onConflictDoUpdate({
      target: adsets.id,
      set: excludedSet(adsets, [
        "name",
        "status",
        "optimizationGoal",
        "billingEvent",
        "bidStrategy",
        "dailyBudgetCents",
        "lifetimeBudgetCents",
        "targeting",
        "schedule",
        "platformAdsetId",
        "stateVersion",
        "updatedAt",
      ]),
      setWhere: newerOnly("adsets"),
    });
}
