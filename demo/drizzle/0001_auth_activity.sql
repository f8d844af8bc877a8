CREATE TABLE "auth_activity" (
	"id" serial PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"auth_user_id" text,
	"token_id" text,
	"detail" jsonb NOT NULL,
	"ip_address" text,
	"user_agent" text,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "auth_activity_user_at" ON "auth_activity" USING btree ("auth_user_id","at");--> statement-breakpoint
CREATE INDEX "auth_activity_token" ON "auth_activity" USING btree ("token_id");