// Where the local D1 and Durable Object state live: wrangler's default (.wrangler/state), or
// WRANGLER_PERSIST_TO when set (the bench points it at tmpfs; see scripts/bench.mjs).
export function persistArgs() {
  const dir = process.env.WRANGLER_PERSIST_TO;
  return dir ? ["--persist-to", dir] : [];
}
