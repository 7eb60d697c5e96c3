CREATE TABLE `ad_accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`organization_id` text NOT NULL,
	`project_id` text NOT NULL,
	`platform` text NOT NULL,
	`external_id` text NOT NULL,
	`name` text NOT NULL,
	`currency` text NOT NULL,
	`timezone` text NOT NULL,
	`token_status` text NOT NULL,
	`connection` text DEFAULT 'sandbox' NOT NULL,
	`settings` text NOT NULL,
	`connected_at` text NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `ad_accounts_project_idx` ON `ad_accounts` (`project_id`,`platform`);--> statement-breakpoint
CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`organization_id` text NOT NULL,
	`name` text NOT NULL,
	`secret_hash` text NOT NULL,
	`env` text NOT NULL,
	`actor_type` text NOT NULL,
	`scopes` text NOT NULL,
	`rate_limit_tier` text NOT NULL,
	`killed_at` text,
	`revoked_at` text,
	`created_at` text NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `api_keys_org_idx` ON `api_keys` (`organization_id`);--> statement-breakpoint
CREATE TABLE `audit_events` (
	`id` text PRIMARY KEY NOT NULL,
	`organization_id` text NOT NULL,
	`seq` integer NOT NULL,
	`event_type` text NOT NULL,
	`occurred_at` text NOT NULL,
	`request_id` text,
	`project_id` text,
	`api_key_id` text,
	`actor_type` text,
	`verdict_id` text,
	`data` text NOT NULL,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `audit_chain_idx` ON `audit_events` (`organization_id`,`seq`);--> statement-breakpoint
CREATE INDEX `audit_feed_idx` ON `audit_events` (`organization_id`,`occurred_at`,`id`);--> statement-breakpoint
CREATE INDEX `audit_verdict_idx` ON `audit_events` (`verdict_id`);--> statement-breakpoint
CREATE TABLE `campaigns` (
	`id` text PRIMARY KEY NOT NULL,
	`organization_id` text NOT NULL,
	`project_id` text NOT NULL,
	`platform` text NOT NULL,
	`ad_account_id` text NOT NULL,
	`name` text NOT NULL,
	`outcome` text NOT NULL,
	`status` text NOT NULL,
	`daily_budget_cents` integer,
	`lifetime_budget_cents` integer,
	`start_time` text,
	`end_time` text,
	`bid_strategy` text NOT NULL,
	`targeting` text NOT NULL,
	`platform_settings` text NOT NULL,
	`metadata` text,
	`authority` text,
	`authority_version` integer DEFAULT 0 NOT NULL,
	`platform_campaign_id` text,
	`state_version` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `campaigns_project_idx` ON `campaigns` (`project_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `campaigns_org_idx` ON `campaigns` (`organization_id`);--> statement-breakpoint
CREATE TABLE `dead_letters` (
	`id` text PRIMARY KEY NOT NULL,
	`job_id` text,
	`campaign_id` text,
	`body` text NOT NULL,
	`reason` text NOT NULL,
	`received_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `idempotency_records` (
	`api_key_id` text NOT NULL,
	`method` text NOT NULL,
	`path` text NOT NULL,
	`idempotency_key` text NOT NULL,
	`request_hash` text NOT NULL,
	`state` text NOT NULL,
	`response_status` integer,
	`response_headers` text,
	`response_body` text,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL,
	PRIMARY KEY(`api_key_id`, `method`, `path`, `idempotency_key`)
);
--> statement-breakpoint
CREATE INDEX `idempotency_expiry_idx` ON `idempotency_records` (`expires_at`);--> statement-breakpoint
CREATE TABLE `jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`organization_id` text NOT NULL,
	`project_id` text NOT NULL,
	`campaign_id` text NOT NULL,
	`platform` text NOT NULL,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`stage` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`pending_id` text,
	`result` text,
	`error` text,
	`started_at` text NOT NULL,
	`finished_at` text,
	`updated_at` text NOT NULL,
	`state_version` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `jobs_campaign_idx` ON `jobs` (`campaign_id`);--> statement-breakpoint
CREATE INDEX `jobs_org_idx` ON `jobs` (`organization_id`);--> statement-breakpoint
CREATE TABLE `layer_policies` (
	`layer_id` text NOT NULL,
	`platform` text NOT NULL,
	`creative` text NOT NULL,
	`tactical` text NOT NULL,
	`structural` text NOT NULL,
	`kill_switch_active` integer DEFAULT false NOT NULL,
	`partner_writes_enabled` integer DEFAULT true NOT NULL,
	`partner_defaults_changes_allowed` integer DEFAULT false NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`last_modified_at` text NOT NULL,
	`last_modified_by` text NOT NULL,
	PRIMARY KEY(`layer_id`, `platform`),
	FOREIGN KEY (`layer_id`) REFERENCES `layers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `layers` (
	`id` text PRIMARY KEY NOT NULL,
	`organization_id` text NOT NULL,
	`project_id` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `layers_project_id_unique` ON `layers` (`project_id`);--> statement-breakpoint
CREATE TABLE `organizations` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `pending_actions` (
	`id` text PRIMARY KEY NOT NULL,
	`organization_id` text NOT NULL,
	`project_id` text NOT NULL,
	`campaign_id` text NOT NULL,
	`job_id` text NOT NULL,
	`platform` text NOT NULL,
	`action_type` text NOT NULL,
	`entity_type` text NOT NULL,
	`entity_id` text NOT NULL,
	`entity_name` text NOT NULL,
	`current_value` text,
	`new_value` text,
	`status` text NOT NULL,
	`requested_by` text NOT NULL,
	`decided_by` text,
	`decision_note` text,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL,
	`decided_at` text,
	`dispatched_at` text,
	`dispatch_failure_reason` text,
	`state_version` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `pending_project_idx` ON `pending_actions` (`project_id`,`platform`,`status`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `pending_expiry_idx` ON `pending_actions` (`status`,`expires_at`);--> statement-breakpoint
CREATE TABLE `projects` (
	`id` text PRIMARY KEY NOT NULL,
	`organization_id` text NOT NULL,
	`name` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `projects_org_idx` ON `projects` (`organization_id`);