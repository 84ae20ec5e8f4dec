CREATE TABLE "access_revocations" (
	"kind" text NOT NULL,
	"subject" text NOT NULL,
	"revoked_at" timestamp with time zone NOT NULL,
	CONSTRAINT "access_revocations_kind_subject_pk" PRIMARY KEY("kind","subject")
);
--> statement-breakpoint
CREATE INDEX "access_revocations_revoked_at_idx" ON "access_revocations" USING btree ("revoked_at");