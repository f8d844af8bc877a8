CREATE TABLE "auth_refresh_token" (
	"id" uuid PRIMARY KEY NOT NULL,
	"auth_user_id" text NOT NULL,
	"method" text NOT NULL,
	"scope_names" text[] NOT NULL,
	"extra_claims" jsonb,
	"fixed_secret_hash" "bytea" NOT NULL,
	"rotating_secret_hash" "bytea" NOT NULL,
	"previous_rotating_secret_hash" "bytea",
	"created_at" timestamp (3) with time zone NOT NULL,
	"last_updated_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "auth_session" (
	"id" uuid PRIMARY KEY NOT NULL,
	"auth_user_id" text NOT NULL,
	"method" text NOT NULL,
	"scope_names" text[] NOT NULL,
	"secret_hash" "bytea" NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"last_used_at" timestamp (3) with time zone NOT NULL,
	"expires_at" timestamp (3) with time zone,
	"expire_after_unused_for_ms" bigint
);
--> statement-breakpoint
CREATE INDEX "auth_refresh_token_auth_user_id_idx" ON "auth_refresh_token" USING btree ("auth_user_id","method");--> statement-breakpoint
CREATE INDEX "auth_session_auth_user_id_idx" ON "auth_session" USING btree ("auth_user_id","method");