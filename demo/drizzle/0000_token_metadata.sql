CREATE TABLE "token_metadata" (
	"id" serial PRIMARY KEY NOT NULL,
	"refresh_token_id" uuid,
	"session_id" uuid,
	"name" text,
	"device_name" text,
	"ip_address" text,
	"user_agent" text,
	CONSTRAINT "token_metadata_refresh_token_id_unique" UNIQUE("refresh_token_id"),
	CONSTRAINT "token_metadata_session_id_unique" UNIQUE("session_id"),
	CONSTRAINT "token_metadata_one_token" CHECK (num_nonnulls("token_metadata"."refresh_token_id", "token_metadata"."session_id") = 1)
);
--> statement-breakpoint
ALTER TABLE "token_metadata" ADD CONSTRAINT "token_metadata_refresh_token_id_auth_refresh_token_id_fk" FOREIGN KEY ("refresh_token_id") REFERENCES "public"."auth_refresh_token"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "token_metadata" ADD CONSTRAINT "token_metadata_session_id_auth_session_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."auth_session"("id") ON DELETE cascade ON UPDATE no action;