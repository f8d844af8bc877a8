CREATE TABLE `auth_activity` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`type` text NOT NULL,
	`auth_user_id` text,
	`token_id` text,
	`detail` text NOT NULL,
	`ip_address` text,
	`user_agent` text,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `auth_activity_user_at` ON `auth_activity` (`auth_user_id`,`at`);--> statement-breakpoint
CREATE INDEX `auth_activity_token` ON `auth_activity` (`token_id`);