CREATE TABLE `keywords` (
	`id` text PRIMARY KEY NOT NULL,
	`organization_id` text NOT NULL,
	`project_id` text NOT NULL,
	`campaign_id` text NOT NULL,
	`adset_id` text NOT NULL,
	`platform` text NOT NULL,
	`text` text NOT NULL,
	`match_type` text NOT NULL,
	`bid_amount_cents` integer,
	`status` text NOT NULL,
	`platform_keyword_id` text NOT NULL,
	`state_version` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `keywords_adset_idx` ON `keywords` (`adset_id`,`created_at`,`id`);