CREATE TABLE "auth_event_chain" (
	"id" smallint PRIMARY KEY NOT NULL,
	"head_id" bigint NOT NULL,
	"head_hash" text NOT NULL,
	"head_signature" text,
	"checkpoint_id" bigint NOT NULL,
	"checkpoint_hash" text NOT NULL,
	"checkpoint_signature" text,
	"checkpoint_at" timestamp with time zone,
	CONSTRAINT "auth_event_chain_one_row" CHECK ("auth_event_chain"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "auth_events" (
	"id" bigint PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"type" text NOT NULL,
	"user_id" uuid,
	"subject" text,
	"address" text,
	"user_agent" text,
	"detail" text,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "auth_events_user_id_id_idx" ON "auth_events" USING btree ("user_id","id");--> statement-breakpoint
CREATE INDEX "auth_events_subject_id_idx" ON "auth_events" USING btree ("subject","id");--> statement-breakpoint
CREATE INDEX "auth_events_created_at_idx" ON "auth_events" USING btree ("created_at");--> statement-breakpoint
-- Hand-written: the empty chain's head row (genesis hash = 64 zeros), so appends only ever lock and update it.
INSERT INTO "auth_event_chain" ("id", "head_id", "head_hash", "checkpoint_id", "checkpoint_hash") VALUES (1, 0, repeat('0', 64), 0, repeat('0', 64));
