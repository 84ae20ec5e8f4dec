-- One round trip for a throttle's check-and-count (see src/auth-attempts.ts): the advisory
-- locks, the cleanup, the check and the insert used to be six to ten statements in a
-- transaction. Every statement in a VOLATILE PL/pgSQL function takes a new snapshot under READ
-- COMMITTED, so the checks below see what the previous holder of the locks committed.
-- budgets: [{"key": text, "limit": int, "windowMs": number}, ...], sorted by key (lock order).
-- Returns {"ids": [uuid, ...]} when counted, {"freeAt": timestamptz} when a budget is full.
CREATE FUNCTION "reserve_auth_attempts"("budgets" jsonb, "attempted_at" timestamptz) RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  budget jsonb;
  since timestamptz;
  blocking timestamptz;
  free_at timestamptz;
  ids jsonb;
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'reserve_auth_attempts needs READ COMMITTED (a snapshot taken before the lock would miss the previous attempt)';
  END IF;
  FOR budget IN SELECT value FROM jsonb_array_elements(budgets) LOOP
    PERFORM pg_advisory_xact_lock(1635021936, hashtext(budget->>'key'));
  END LOOP;
  FOR budget IN SELECT value FROM jsonb_array_elements(budgets) LOOP
    since := attempted_at - ((budget->>'windowMs')::float8 * interval '1 millisecond');
    DELETE FROM "auth_attempts" WHERE "key" = budget->>'key' AND "created_at" <= since;
    -- The limit-th newest attempt inside the window: the key is full until it leaves the window.
    SELECT "created_at" INTO blocking FROM "auth_attempts"
      WHERE "key" = budget->>'key' AND "created_at" > since
      ORDER BY "created_at" DESC OFFSET (budget->>'limit')::int - 1 LIMIT 1;
    IF FOUND THEN
      free_at := greatest(free_at, blocking + ((budget->>'windowMs')::float8 * interval '1 millisecond'));
    END IF;
  END LOOP;
  IF free_at IS NOT NULL THEN
    RETURN jsonb_build_object('freeAt', free_at);
  END IF;
  WITH inserted AS (
    INSERT INTO "auth_attempts" ("key", "created_at")
    SELECT value->>'key', attempted_at FROM jsonb_array_elements(budgets)
    RETURNING "id"
  )
  SELECT jsonb_agg("id") INTO ids FROM inserted;
  RETURN jsonb_build_object('ids', coalesce(ids, '[]'::jsonb));
END
$$;
