const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A subject that is not a uuid cannot be a row id; answering early avoids a cast error. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
