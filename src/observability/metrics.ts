/**
 * Owns the per-request metric: one Workers Analytics Engine data point per request, written
 * without awaiting (`writeDataPoint` is synchronous and buffered by the runtime). The column
 * layout below is what the README's SQL queries read; append new columns, never reorder.
 */

export interface RequestMetric {
  route: string | null;
  method: string;
  status: number;
  endpointClass: string | null;
  organizationId: string | null;
  apiKeyId: string | null;
  errorCode: string | null;
  decision: string | null;
  durationMs: number;
}

/** Analytics Engine takes one index per data point (≤ 96 bytes): organization and key together. */
export function metricIndex(organizationId: string | null, apiKeyId: string | null): string {
  return `${organizationId ?? "anonymous"}/${apiKeyId ?? "anonymous"}`;
}

export function requestDataPoint(metric: RequestMetric): AnalyticsEngineDataPoint {
  return {
    indexes: [metricIndex(metric.organizationId, metric.apiKeyId)],
    blobs: [
      metric.route ?? "unmatched", // blob1
      String(metric.status), // blob2
      metric.endpointClass ?? "none", // blob3
      metric.organizationId ?? "", // blob4
      metric.apiKeyId ?? "", // blob5
      metric.method, // blob6
      metric.errorCode ?? "", // blob7
      metric.decision ?? "", // blob8
    ],
    doubles: [
      metric.durationMs, // double1
      metric.status, // double2
    ],
  };
}

/**
 * Writes the request's data point if the dataset is bound. A metrics failure never fails
 * the request; it is logged instead.
 */
export function recordRequestMetric(
  dataset: AnalyticsEngineDataset | undefined,
  metric: RequestMetric,
): void {
  if (!dataset) return;
  try {
    dataset.writeDataPoint(requestDataPoint(metric));
  } catch (error) {
    console.log(JSON.stringify({ level: "warn", msg: "metric write failed", error: String(error) }));
  }
}
