import { TokenManagerNotFoundError } from './errors.ts'
import { noEvents, recognizesToken, type AuthEvents, type RecognizesTokens } from './event-delivery.ts'
import type {
  AuthSuccess, AuthenticationInfo, IssueTokenOptions, RevokeAllTokensOptions, RevokeTokenOptions, TokenFilter, TokenInfo, TokenManager,
  ValidateTokenOptions,
} from './types.ts'

/** A class of token manager, as passed to `getTokenManager`. */
export type TokenManagerType<T extends TokenManager> = abstract new (...args: any[]) => T

/**
 * Several managers behind one: issues with the primary, validates with each in order (first success
 * wins), and lists/revokes across all. `auth.tokenManager` is one of these.
 *
 * @example
 * ```ts
 * const info = await auth.tokenManager.validateToken(token) // JWT or session, whichever fits
 * await auth.tokenManager.revokeAllTokens({ authUserId, method: 'email' })
 * ```
 */
export class MultiTokenManager implements TokenManager {
  readonly primary: TokenManager
  readonly additional: readonly TokenManager[]
  readonly #events: AuthEvents

  /** `events`: where a token no manager recognises is reported as `malformed` (`initializeAuthServices` passes it). */
  constructor(primary: TokenManager, additional: readonly TokenManager[] = [], events: AuthEvents = noEvents) {
    this.primary = primary
    this.additional = additional
    this.#events = events
  }

  get managers(): readonly TokenManager[] {
    return [this.primary, ...this.additional]
  }

  issueToken(options: IssueTokenOptions): Promise<AuthSuccess> {
    return this.primary.issueToken(options)
  }

  validateToken(token: string, options?: ValidateTokenOptions): Promise<AuthenticationInfo | null> {
    // A token some manager recognises is that manager's to report: only the others need the wrapper.
    if (this.#events.enabled && !this.#recognized(token)) return this.#validateReporting(token, options)
    // One manager: its promise as is, without another async layer (two microtasks per request) around it.
    if (this.additional.length > 0) return this.#validateInTurn(token, options)
    try {
      return this.primary.validateToken(token, options)
    } catch (error) {
      return Promise.reject(error)
    }
  }

  #recognized(token: string): boolean {
    return this.managers.some((m) => (m as Partial<RecognizesTokens>)[recognizesToken]?.(token))
  }

  // Each manager reports failures of its own tokens; one nobody recognises is reported here, once.
  async #validateReporting(token: string, options?: ValidateTokenOptions): Promise<AuthenticationInfo | null> {
    const info = await (this.additional.length > 0 ? this.#validateInTurn(token, options) : this.primary.validateToken(token, options))
    if (info === null) this.#events.validationFailed(options, null, 'malformed')
    return info
  }

  async #validateInTurn(token: string, options?: ValidateTokenOptions): Promise<AuthenticationInfo | null> {
    for (const manager of this.managers) {
      const info = await manager.validateToken(token, options)
      if (info) return info
    }
    return null
  }

  async revokeToken(options: RevokeTokenOptions): Promise<void> {
    await Promise.all(this.managers.map((m) => m.revokeToken(options)))
  }

  async revokeAllTokens(options: RevokeAllTokensOptions): Promise<void> {
    await Promise.all(this.managers.map((m) => m.revokeAllTokens(options)))
  }

  /** Concatenated in manager order: primary first. */
  async listTokens(options: TokenFilter): Promise<TokenInfo[]> {
    return (await Promise.all(this.managers.map((m) => m.listTokens(options)))).flat()
  }

  /**
   * Deletes expired tokens in every manager that stores them; returns how many. Expired tokens never
   * validate, but their rows stay until presented again or until this runs: call it from a cron.
   *
   * @example
   * ```ts
   * // Workers: [triggers] crons = ["0 3 * * *"] in wrangler.toml
   * export default { scheduled: () => auth.tokenManager.deleteExpiredTokens() }
   * ```
   */
  async deleteExpiredTokens(): Promise<number> {
    const counts = await Promise.all(this.managers.map((m) => m.deleteExpiredTokens?.() ?? 0))
    return counts.reduce((sum, n) => sum + n, 0)
  }

  /**
   * The configured manager of a type, e.g. to refresh JWTs or update session scopes.
   * @throws TokenManagerNotFoundError
   */
  getTokenManager<T extends TokenManager>(type: TokenManagerType<T>): T {
    const found = this.managers.find((m): m is T => m instanceof type)
    if (!found) throw new TokenManagerNotFoundError(type.name)
    return found
  }
}
