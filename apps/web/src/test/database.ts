/**
 * Gives the app a test database (PGlite clone, or a fresh database on real Postgres
 * when GATEHOUSE_TEST_PG_URL is set) in place of its own, for the current test file.
 */
import { createTestDatabase, type TestDatabase } from "@gatehouse/db/testing";
import { afterAll, beforeAll } from "vitest";

export function setupTestDatabase(): { current: TestDatabase } {
  const handle = {} as { current: TestDatabase };
  beforeAll(async () => {
    handle.current = await createTestDatabase();
    (globalThis as { gatehouseDb?: Promise<unknown> }).gatehouseDb = Promise.resolve(handle.current);
  });
  afterAll(async () => {
    (globalThis as { gatehouseDb?: Promise<unknown> }).gatehouseDb = undefined;
    await handle.current?.cleanup();
  });
  return handle;
}
