/** The rows of a `db.execute` result: postgres.js hands back an array of rows, PGlite `{ rows }`. */
export function resultRows<Row>(result: unknown): Row[] {
  return (Array.isArray(result) ? result : (result as { rows: Row[] }).rows) as Row[];
}
