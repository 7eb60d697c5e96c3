import { defaultTactics, type Platform } from "../../src/domain/platform-rules";
import type { AdAccountConnection, CampaignSpec, DispatchContext } from "../../src/platforms/types";

export function campaignSpec(platform: Platform, overrides: Partial<CampaignSpec> = {}): CampaignSpec {
  const tactics = defaultTactics(platform, ["US", "CA"]);
  return {
    campaignId: "cmp_01JD0000000000000000000000",
    name: "Spring sale",
    outcome: platform === "apple" ? "app_installs" : "conversions",
    dailyBudgetCents: 12_345,
    lifetimeBudgetCents: null,
    startTime: null,
    endTime: null,
    bidStrategy: { ...tactics.bidStrategy },
    targeting: { ...tactics.targeting },
    platformSettings: { ...tactics.platformSettings },
    ...overrides,
  };
}

const EXTERNAL_IDS: Record<Platform, string> = {
  meta: "1234567890",
  tiktok: "7000000000000000001",
  apple: "40669820",
};

export function adAccount(
  platform: Platform,
  overrides: Partial<AdAccountConnection> = {},
): AdAccountConnection {
  return {
    adAccountId: "aa_01JD0000000000000000000000",
    platform,
    externalId: EXTERNAL_IDS[platform],
    currency: "USD",
    connection: "live",
    settings: platform === "apple" ? { adamId: 1_234_567_890 } : {},
    ...overrides,
  };
}

export function dispatchContext(overrides: Partial<DispatchContext> = {}): DispatchContext {
  return { idempotencyKey: "job_01JD0000000000000000000000", attempt: 1, ...overrides };
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: Headers;
  body: string;
}

/** The parts of an intercepted request we record (msw's request type differs from workers-types'). */
interface InterceptedRequest {
  method: string;
  url: string;
  headers: Headers;
  clone(): { arrayBuffer(): Promise<ArrayBuffer> };
}

/** Collects what the adapter sent, so a test can assert the exact outbound request. */
export class RequestLog {
  readonly requests: RecordedRequest[] = [];

  async record(request: InterceptedRequest): Promise<void> {
    this.requests.push({
      method: request.method,
      url: request.url,
      headers: request.headers,
      // Decoded by hand: workerd warns when .text() reads a form-encoded body.
      body: new TextDecoder().decode(await request.clone().arrayBuffer()),
    });
  }

  only(): RecordedRequest {
    if (this.requests.length !== 1) {
      throw new Error(`expected exactly one request, got ${JSON.stringify(this.requests.map(describe))}`);
    }
    return this.requests[0] as RecordedRequest;
  }

  at(index: number): RecordedRequest {
    const request = this.requests[index];
    if (request === undefined) {
      throw new Error(`no request #${index}; got ${JSON.stringify(this.requests.map(describe))}`);
    }
    return request;
  }
}

function describe(request: RecordedRequest): string {
  return `${request.method} ${request.url}`;
}

export function formFields(body: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(body));
}

export function queryFields(url: string): Record<string, string> {
  return Object.fromEntries(new URL(url).searchParams);
}

export function urlWithoutQuery(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}
