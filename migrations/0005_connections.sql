CREATE TABLE `ad_account_credentials` (
	`ad_account_id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`sealed` text NOT NULL,
	`key_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`ad_account_id`) REFERENCES `ad_accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `credentials_key_idx` ON `ad_account_credentials` (`key_id`);--> statement-breakpoint
CREATE TABLE `oauth_states` (
	`state_hash` text PRIMARY KEY NOT NULL,
	`organization_id` text NOT NULL,
	`project_id` text NOT NULL,
	`platform` text NOT NULL,
	`api_key_id` text NOT NULL,
	`env` text NOT NULL,
	`return_url` text NOT NULL,
	`client_state` text,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL,
	`used_at` text
);
--> statement-breakpoint
CREATE INDEX `oauth_states_expiry_idx` ON `oauth_states` (`expires_at`);--> statement-breakpoint
ALTER TABLE `ad_accounts` ADD `token_last_validated_at` text;--> statement-breakpoint
ALTER TABLE `ad_accounts` ADD `token_expires_at` text;--> statement-breakpoint
ALTER TABLE `ad_accounts` ADD `revoked_at` text;--> statement-breakpoint
ALTER TABLE `ad_accounts` ADD `last_synced_at` text;--> statement-breakpoint
CREATE UNIQUE INDEX `ad_accounts_external_idx` ON `ad_accounts` (`project_id`,`platform`,`external_id`);