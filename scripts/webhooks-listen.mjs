// `npm run webhooks:listen`: a local webhook receiver, like `stripe listen`. Starts a loopback
// HTTP server, registers it as a (test-mode) webhook endpoint of the demo tenant with the
// customer key from .dev-tenant.json, and prints every event whose Standard Webhooks
// signature verifies. The endpoint and its secret are kept in .dev-webhook.json, so a
// restarted receiver gets the deliveries that were retried while it was down.
//
//   API_URL      the API (default http://localhost:$PORT, PORT default 8787)
//   LISTEN_PORT  the receiver's port (default 8790)
//   --events a,b subscribe to these events only (default "*")
//   --reset      forget the saved endpoint and register a new one
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { Webhook } from "standardwebhooks";

const API = process.env.API_URL ?? `http://localhost:${process.env.PORT ?? 8787}`;
const LISTEN_PORT = Number(process.env.LISTEN_PORT ?? 8790);
const STATE_FILE = ".dev-webhook.json";
const args = process.argv.slice(2);
const eventsArg = args.includes("--events") ? args[args.indexOf("--events") + 1] : undefined;
const events = eventsArg ? eventsArg.split(",").map((e) => e.trim()) : ["*"];

if (!existsSync(".dev-tenant.json")) {
  console.error("No .dev-tenant.json: run `npm run dev` (or `npm run seed`) first.");
  process.exit(1);
}
const tenant = JSON.parse(readFileSync(".dev-tenant.json", "utf8"));
const key = tenant.keys.customer;
const url = `http://localhost:${LISTEN_PORT}/webhooks`;

async function call(method, path, body) {
  const res = await fetch(`${API}${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** The saved endpoint if it still exists (active again if it was paused), else a new one. */
async function endpoint() {
  if (args.includes("--reset")) rmSync(STATE_FILE, { force: true });
  if (existsSync(STATE_FILE)) {
    const saved = JSON.parse(readFileSync(STATE_FILE, "utf8"));
    const found = await call("GET", `/v1/webhook-endpoints/${saved.endpointId}`);
    if (found.status === 200 && found.body.url === url && saved.organizationId === tenant.organizationId) {
      if (found.body.status !== "active" || JSON.stringify(found.body.events) !== JSON.stringify(events)) {
        await call("PATCH", `/v1/webhook-endpoints/${saved.endpointId}`, { status: "active", events });
      }
      return saved;
    }
  }
  const created = await call("POST", "/v1/webhook-endpoints", {
    url,
    events,
    description: "npm run webhooks:listen",
  });
  if (created.status !== 201) {
    throw new Error(`could not register ${url}: ${created.status} ${JSON.stringify(created.body)}`);
  }
  const saved = {
    organizationId: tenant.organizationId,
    endpointId: created.body.endpointId,
    secret: created.body.secret,
  };
  writeFileSync(STATE_FILE, `${JSON.stringify(saved, null, 2)}\n`, { mode: 0o600 });
  return saved;
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    const stamp = new Date().toISOString().slice(11, 19);
    try {
      const event = active.webhook.verify(body, req.headers);
      res.writeHead(200).end();
      const data = JSON.stringify(event.data);
      console.log(
        `${stamp} ✔ ${event.type} ${event.id}  ${data.length > 300 ? `${data.slice(0, 300)}…` : data}`,
      );
    } catch (error) {
      res.writeHead(400).end();
      console.log(
        `${stamp} ✘ signature did not verify (${error.message}); webhook-id ${req.headers["webhook-id"]}`,
      );
    }
  });
});

const active = {};
try {
  const saved = await endpoint();
  active.webhook = new Webhook(saved.secret);
  server.listen(LISTEN_PORT, "127.0.0.1", () => {
    console.log(`Listening on ${url} as ${saved.endpointId} (events: ${events.join(", ")}); Ctrl+C stops.`);
    console.log("Deliveries made while this receiver is stopped are retried and arrive once it is back.");
  });
} catch (error) {
  console.error(
    `${error.message}\nIs the API running at ${API}? (npm run dev; API_URL or PORT point elsewhere)`,
  );
  process.exit(1);
}
process.on("SIGINT", () => server.close(() => process.exit(0)));
