CREATE TABLE `auth_refresh_token` (
	`id` text PRIMARY KEY NOT NULL,
	`auth_user_id` text NOT NULL,
	`method` text NOT NULL,
	`scope_names` text NOT NULL,
	`extra_claims` text,
	`fixed_secret_hash` blob NOT NULL,
	`rotating_secret_hash` blob NOT NULL,
	`previous_rotating_secret_hash` blob,
	`created_at` integer NOT NULL,
	`last_updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `auth_refresh_token_auth_user_id_idx` ON `auth_refresh_token` (`auth_user_id`,`method`);--> statement-breakpoint
CREATE TABLE `auth_session` (
	`id` text PRIMARY KEY NOT NULL,
	`auth_user_id` text NOT NULL,
	`method` text NOT NULL,
	`scope_names` text NOT NULL,
	`secret_hash` blob NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer NOT NULL,
	`expires_at` integer,
	`expire_after_unused_for_ms` integer
);
--> statement-breakpoint
CREATE INDEX `auth_session_auth_user_id_idx` ON `auth_session` (`auth_user_id`,`method`);