/** The rows of an UPDATE or DELETE … RETURNING: TypeORM answers those with `[rows, count]` (an INSERT with the rows alone). */
export function returned<T>(result: unknown): T[] {
  return (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as T[];
}
