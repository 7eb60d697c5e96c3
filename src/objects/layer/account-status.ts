/**
 * Owns ad account status inside the layer object, its single writer: `valid`, `expired` or
 * `revoked` per account of the layer's project. A change is staged in the object's storage
 * transaction together with its audit event and an outbox entry that projects the status to
 * D1 (`ad_accounts.token_status`, `revoked_at`), so the change and its audit row land
 * together or not at all. Writes are judged from this memory: D1 is read once per project to
 * seed it (accounts created by seeding SQL), and from then on is a projection.
 */
import type { AuditEventInput } from "../audit-ledger";

export type TokenStatus = "valid" | "expired" | "revoked";

export interface AccountState {
  adAccountId: string;
  projectId: string;
  tokenStatus: TokenStatus;
  revokedAt: string | null;
}

export interface AccountStatusChange {
  account: { id: string; organizationId: string; projectId: string };
  status: TokenStatus;
  /** Change only from one of these states (a token goes invalid only while it was valid). */
  onlyFrom?: TokenStatus[];
  /** The audit event committed with the change. */
  event: AuditEventInput;
}

const STATE = "account:";
const SEEDED = "accounts-seeded:";
const VERSION = "accounts-version";

/** What campaign objects cache: every lapsed account the layer knows, and the book's version. */
export interface AccountsView {
  lapsed: Record<string, TokenStatus>;
  version: number;
}

export class AccountStatusBook {
  private readonly states = new Map<string, AccountState>();
  private readonly seeding = new Map<string, Promise<void>>();

  constructor(
    private readonly kv: SyncKvStorage,
    private readonly db: () => D1Database,
  ) {
    for (const [, s] of kv.list<AccountState>({ prefix: STATE })) this.states.set(s.adAccountId, s);
    this.changes = kv.get<number>(VERSION) ?? 0;
  }

  /** Status changes committed so far: a campaign object keeps the newest view it was pushed. */
  private changes: number;

  /**
   * Every known account that takes no writes (all the layer's projects: ids are unique), with
   * the book's version. Pushed to the campaign objects with the policy.
   */
  view(): AccountsView {
    const lapsed: Record<string, TokenStatus> = {};
    for (const s of this.states.values())
      if (s.tokenStatus !== "valid") lapsed[s.adAccountId] = s.tokenStatus;
    return { lapsed, version: this.changes };
  }

  /** Makes sure every account of the project is known (one D1 read per project, ever). */
  async known(projectId: string): Promise<void> {
    if (this.kv.get<boolean>(SEEDED + projectId)) return;
    let load = this.seeding.get(projectId);
    if (!load) {
      load = this.seed(projectId).finally(() => this.seeding.delete(projectId));
      this.seeding.set(projectId, load);
    }
    await load;
  }

  statusOf(adAccountId: string): AccountState | undefined {
    return this.states.get(adAccountId);
  }

  /** The current state of each of these accounts (once each): what their D1 copies must say. */
  current(adAccountIds: string[]): AccountState[] {
    return [...new Set(adAccountIds)].flatMap((id) => {
      const state = this.states.get(id);
      return state ? [state] : [];
    });
  }

  /** The state a change leads to, or null when it changes nothing (call after `known`). */
  next(change: AccountStatusChange, now: string): AccountState | null {
    const current = this.states.get(change.account.id);
    const from = current?.tokenStatus ?? "valid";
    if (change.onlyFrom && !change.onlyFrom.includes(from)) return null;
    if (current && from === change.status && change.status !== "valid") return null;
    return {
      adAccountId: change.account.id,
      projectId: change.account.projectId,
      tokenStatus: change.status,
      revokedAt: change.status === "revoked" ? now : null,
    };
  }

  /** Stores the new state; call inside the storage transaction that records its audit event. */
  stage(state: AccountState): void {
    this.kv.put(STATE + state.adAccountId, state);
    this.kv.put(VERSION, this.changes + 1);
  }

  /** After the transaction committed: serve the new state. */
  remember(state: AccountState): void {
    this.states.set(state.adAccountId, state);
    this.changes += 1;
  }

  private async seed(projectId: string): Promise<void> {
    const { results } = await this.db()
      .prepare("SELECT id, token_status, revoked_at FROM ad_accounts WHERE project_id = ?")
      .bind(projectId)
      .all<{ id: string; token_status: TokenStatus; revoked_at: string | null }>();
    for (const row of results) {
      // A change committed while D1 answered wins over the older row.
      if (this.states.has(row.id)) continue;
      const state: AccountState = {
        adAccountId: row.id,
        projectId,
        tokenStatus: row.token_status,
        revokedAt: row.revoked_at,
      };
      this.kv.put(STATE + row.id, state);
      this.states.set(row.id, state);
    }
    this.kv.put(SEEDED + projectId, true);
  }
}
