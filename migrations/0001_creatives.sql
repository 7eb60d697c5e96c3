CREATE TABLE `creatives` (
	`id` text PRIMARY KEY NOT NULL,
	`organization_id` text NOT NULL,
	`project_id` text NOT NULL,
	`name` text NOT NULL,
	`format` text NOT NULL,
	`media_url` text NOT NULL,
	`thumbnail_url` text,
	`primary_text` text NOT NULL,
	`headline` text,
	`description` text,
	`call_to_action` text NOT NULL,
	`link_url` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `creatives_project_created_idx` ON `creatives` (`project_id`,`created_at`,`id`);