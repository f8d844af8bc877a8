// The part of Bun's built-in `bun:sqlite` that sqlite-entry.ts uses, for type checks under Node's types
// (Bun's own declarations are not installed). At run time Bun supplies the real module.
declare module 'bun:sqlite' {
  /**
   * A SQLite database file opened by Bun.
   *
   * @example
   * ```ts
   * const client = new Database('auth.db', { create: true })
   * client.run('pragma journal_mode = WAL')
   * ```
   */
  export class Database {
    constructor(filename?: string, options?: { readonly?: boolean; create?: boolean; readwrite?: boolean; strict?: boolean })
    run(sql: string, ...params: unknown[]): unknown
    close(throwOnError?: boolean): void
  }
}
