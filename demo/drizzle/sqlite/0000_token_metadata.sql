CREATE TABLE `token_metadata` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`refresh_token_id` text,
	`session_id` text,
	`name` text,
	`device_name` text,
	`ip_address` text,
	`user_agent` text,
	FOREIGN KEY (`refresh_token_id`) REFERENCES `auth_refresh_token`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`session_id`) REFERENCES `auth_session`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "token_metadata_one_token" CHECK(("token_metadata"."refresh_token_id" is null) <> ("token_metadata"."session_id" is null))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `token_metadata_refresh_token_id_unique` ON `token_metadata` (`refresh_token_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `token_metadata_session_id_unique` ON `token_metadata` (`session_id`);