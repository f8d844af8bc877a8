ALTER TABLE `auth_refresh_token` ADD `dpop_jkt` text;--> statement-breakpoint
ALTER TABLE `auth_session` ADD `dpop_jkt` text;