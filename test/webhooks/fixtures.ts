/** Helpers for the webhook tests: register an endpoint, capture what the mocked receiver gets. */
import { HttpResponse, http } from "msw";
import type { setupServer } from "msw/node";
import { api } from "../helpers/http";
import { pollPause } from "../helpers/jobs";
import type { TestTenant } from "../helpers/tenant";

export interface Endpoint {
  endpointId: string;
  url: string;
  status: string;
  events: string[];
  secret: string;
  mode: string;
  consecutiveFailures: number;
  previousSecretExpiresAt: string | null;
}

export interface Delivery {
  deliveryId: string;
  eventId: string;
  eventType: string;
  status: string;
  attempts: number;
  lastResponseStatus: number | null;
  nextAttemptAt: string | null;
  replayOf: string | null;
}

export interface Received {
  headers: Record<string, string>;
  body: string;
  event: {
    id: string;
    type: string;
    createdAt: string;
    organizationId: string;
    projectId: string | null;
    data: Record<string, unknown>;
  };
}

let counter = 0;
/** A fresh receiver URL per test, so handlers never see another test's deliveries. */
export const receiverUrl = () => `https://hooks.example.com/r${++counter}-${Date.now()}`;

export async function registerEndpoint(
  tenant: TestTenant,
  body: Record<string, unknown>,
  key = tenant.keys.customer,
): Promise<Endpoint> {
  const res = await api<Endpoint>("POST", "/v1/webhook-endpoints", { key, body });
  if (res.status !== 201) throw new Error(`endpoint not created: ${res.status} ${res.text}`);
  return res.body;
}

/** Answers each POST to `url` with the next status of `statuses` (the last repeats); records what arrived. */
export function receiver(server: ReturnType<typeof setupServer>, url: string, statuses: number[] = [200]) {
  const received: Received[] = [];
  server.use(
    http.post(url, async ({ request }) => {
      const body = await request.text();
      received.push({
        headers: Object.fromEntries(request.headers.entries()),
        body,
        event: JSON.parse(body) as Received["event"],
      });
      const status = statuses[Math.min(received.length - 1, statuses.length - 1)] ?? 200;
      return new HttpResponse(null, { status });
    }),
  );
  return received;
}

export async function until<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    const value = await probe();
    if (value) return value;
    await pollPause(attempt);
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function deliveries(tenant: TestTenant, endpointId: string, query = ""): Promise<Delivery[]> {
  const res = await api<{ items: Delivery[] }>(
    "GET",
    `/v1/webhook-endpoints/${endpointId}/deliveries${query}`,
    {
      key: tenant.keys.customer,
    },
  );
  if (res.status !== 200) throw new Error(`${res.status} ${res.text}`);
  return res.body.items;
}
