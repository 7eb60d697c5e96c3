CREATE TABLE `adsets` (
	`id` text PRIMARY KEY NOT NULL,
	`organization_id` text NOT NULL,
	`project_id` text NOT NULL,
	`campaign_id` text NOT NULL,
	`platform` text NOT NULL,
	`ad_account_id` text NOT NULL,
	`name` text NOT NULL,
	`status` text NOT NULL,
	`optimization_goal` text NOT NULL,
	`billing_event` text NOT NULL,
	`bid_strategy` text NOT NULL,
	`daily_budget_cents` integer,
	`lifetime_budget_cents` integer,
	`targeting` text NOT NULL,
	`schedule` text NOT NULL,
	`platform_adset_id` text,
	`state_version` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `adsets_project_idx` ON `adsets` (`project_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `adsets_campaign_idx` ON `adsets` (`campaign_id`);