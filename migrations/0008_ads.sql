CREATE TABLE `ads` (
	`id` text PRIMARY KEY NOT NULL,
	`organization_id` text NOT NULL,
	`project_id` text NOT NULL,
	`campaign_id` text NOT NULL,
	`adset_id` text NOT NULL,
	`platform` text NOT NULL,
	`creative_id` text NOT NULL,
	`name` text NOT NULL,
	`status` text NOT NULL,
	`review_status` text NOT NULL,
	`platform_reason` text,
	`platform_ad_id` text NOT NULL,
	`submitted_at` text NOT NULL,
	`decided_at` text,
	`state_version` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ads_project_idx` ON `ads` (`project_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `ads_adset_idx` ON `ads` (`adset_id`);--> statement-breakpoint
CREATE INDEX `ads_review_idx` ON `ads` (`project_id`,`platform`,`submitted_at`,`id`);