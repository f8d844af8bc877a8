ALTER TABLE "auth_refresh_token" ADD COLUMN "dpop_jkt" text;--> statement-breakpoint
ALTER TABLE "auth_session" ADD COLUMN "dpop_jkt" text;