import { afterEach, describe, expect, it, vi } from "vitest";
import { dispatchAttemptFields, webhookDeliveryFields } from "../../src/observability/events";
import { formatLogLine, isSecretFieldName, logLine } from "../../src/observability/log";

afterEach(() => vi.restoreAllMocks());

describe("logLine", () => {
  it("prints exactly one JSON object per call through console.log", () => {
    const spy = vi.spyOn(console, "log").mockImplementation(() => {});
    logLine({ msg: "hello", requestId: "req_1", n: 3, nested: { ok: true } });
    expect(spy).toHaveBeenCalledTimes(1);
    const [line] = spy.mock.calls[0] ?? [];
    expect(typeof line).toBe("string");
    expect(String(line)).not.toContain("\n");
    expect(JSON.parse(String(line))).toEqual({
      msg: "hello",
      requestId: "req_1",
      n: 3,
      nested: { ok: true },
    });
  });

  it.each([
    "authorization",
    "Authorization",
    "accessToken",
    "refresh_token",
    "clientSecret",
    "password",
    "body",
    "requestBody",
    "key",
    "apiKey",
    "privateKey",
    "idempotencyKey",
    "cookie",
    "signature",
  ])("drops a field named %s", (name) => {
    expect(isSecretFieldName(name)).toBe(true);
    const line = JSON.parse(
      formatLogLine({ msg: "x", [name]: "s3cr3t-value", nested: { [name]: "s3cr3t-value" } }),
    );
    expect(line).toEqual({ msg: "x", nested: {} });
  });

  it.each(["apiKeyId", "keyId", "requestId", "verdictId", "route", "status", "platformCode", "errorCode"])(
    "keeps the metadata field %s",
    (name) => {
      expect(isSecretFieldName(name)).toBe(false);
      expect(JSON.parse(formatLogLine({ [name]: "v" }))).toEqual({ [name]: "v" });
    },
  );

  it("redacts values shaped like an API key, a bearer credential or a JWT, at any depth", () => {
    const apiKey = `lp_live_key_01JD9999999999999999999999_${"a".repeat(64)}`;
    const jwt = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
    const line = formatLogLine({
      message: `failed for ${apiKey}`,
      detail: ["Bearer abc.def", { note: `token ${jwt}` }],
    });
    expect(line).not.toContain("a".repeat(64));
    expect(line).not.toContain("abc.def");
    expect(line).not.toContain(jwt);
    expect(JSON.parse(line)).toEqual({
      message: "failed for [redacted]",
      detail: ["[redacted]", { note: "token [redacted]" }],
    });
  });

  it("never throws on values JSON cannot print", () => {
    const spy = vi.spyOn(console, "log").mockImplementation(() => {});
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    expect(() =>
      logLine({ circular, big: 10n, when: new Date("2026-01-01T00:00:00Z"), error: new Error("boom") }),
    ).not.toThrow();
    expect(JSON.parse(String(spy.mock.calls[0]?.[0]))).toEqual({
      circular: { a: 1, self: "[omitted]" },
      big: "10",
      when: "2026-01-01T00:00:00.000Z",
      error: { name: "Error", message: "boom" },
    });
  });
});

describe("line shapes for other rooms", () => {
  it("describes a dispatch attempt", () => {
    expect(
      dispatchAttemptFields({
        jobId: "job_1",
        campaignId: "cmp_1",
        platform: "meta",
        attempt: 2,
        outcome: "retrying",
        platformCode: "17",
        durationMs: 120,
        errorCode: "PLATFORM_ERROR",
      }),
    ).toEqual({
      level: "info",
      msg: "dispatch.attempt",
      jobId: "job_1",
      campaignId: "cmp_1",
      organizationId: null,
      platform: "meta",
      attempt: 2,
      outcome: "retrying",
      platformCode: "17",
      errorCode: "PLATFORM_ERROR",
      durationMs: 120,
    });
  });

  it("describes a webhook delivery and survives logLine unchanged", () => {
    const fields = webhookDeliveryFields({
      deliveryId: "whd_1",
      eventId: "evt_1",
      eventType: "job.completed",
      endpointId: "whe_1",
      organizationId: "org_1",
      attempt: 1,
      outcome: "failed",
      httpStatus: 500,
      durationMs: 30,
    });
    expect(fields).toMatchObject({
      level: "warn",
      msg: "webhook.delivery",
      outcome: "failed",
      httpStatus: 500,
    });
    expect(JSON.parse(formatLogLine(fields))).toEqual(fields);
  });
});
