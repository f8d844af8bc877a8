/**
 * Keeps the app's database out of every printout of the store (and of AuthServices): the driver's config
 * can hold the database password. `db` is a prototype getter over a private field, so neither JSON,
 * `Object.entries` nor `getOwnPropertyDescriptors` reach it; callbacks still get `store.db`.
 *
 * @example
 * ```ts
 * const store = Object.assign(new DrizzleTokenStore(db), operations)
 * ```
 */
export class DrizzleTokenStore<TDb> {
  readonly #db: TDb
  constructor(db: TDb) {
    this.#db = db
  }

  get db(): TDb {
    return this.#db
  }

  // Node's and Bun's util.inspect list prototype getters with `showHidden` (and call them with `getters`):
  // print the operations only.
  [Symbol.for('nodejs.util.inspect.custom')](): object {
    return { ...this }
  }
}
