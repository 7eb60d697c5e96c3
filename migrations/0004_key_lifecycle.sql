DROP INDEX `api_keys_org_idx`;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `secret_last_four` text;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `previous_secret_hash` text;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `previous_secret_expires_at` text;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `expires_at` text;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `last_used_at` text;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `return_url_allowlist` text;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `created_by_api_key_id` text;--> statement-breakpoint
CREATE INDEX `api_keys_org_idx` ON `api_keys` (`organization_id`,`created_at`,`id`);