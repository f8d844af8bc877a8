// A test-only reference of Serverpod 3.4's token handling, written from its Dart source so the tests can
// play "the Serverpod server" against the same database. It talks SQL to Serverpod's tables directly.
// Citations: serverpod/serverpod at tag 3.4.12 (commit 0f9139d6bf4f52dcdda0a706be2f1d044b4c718e), paths under
// modules/serverpod_auth/serverpod_auth_core/serverpod_auth_core_server/lib/src/ (abbreviated `…/`).
import { argon2id } from '@noble/hashes/argon2.js'
import { jwtVerify, SignJWT } from 'jose'

type Query = (text: string, params?: unknown[]) => Promise<Record<string, unknown>[]>

export interface ReferenceConfig {
  jwtHmacSha512PrivateKey: string
  refreshTokenHashPepper: string
  sessionKeyHashPepper: string
  /** Argon2HashParameters.lanes defaults to Platform.numberOfProcessors (…/common/utils/argon2_hash_util.dart:352-357). */
  lanes?: number
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64') // Dart base64Encode: padded, standard
const unb64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'))
const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url').padEnd(Math.ceil((bytes.length * 4) / 3 / 4) * 4, '=') // Dart base64Url.encode pads
const random = (n: number) => crypto.getRandomValues(new Uint8Array(n))
const utf8 = (text: string) => new TextEncoder().encode(text)
const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]))
const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i])
const uuidBytes = (id: string) => new Uint8Array(Buffer.from(id.replaceAll('-', ''), 'hex'))
const uuidText = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5')
const sha512 = async (bytes: Uint8Array) => new Uint8Array(await crypto.subtle.digest('SHA-512', new Uint8Array(bytes)))
const utcText = (date: Date) => date.toISOString().replace('Z', '') // Serverpod stores UTC in timestamp without time zone

export class ServerpodError extends Error {}

export class ServerpodReference {
  readonly query: Query
  readonly config: ReferenceConfig
  constructor(query: Query, config: ReferenceConfig) {
    this.query = query
    this.config = config
  }

  // --- users (…/auth_user/business/auth_users.dart; table from the migration) ----------------------
  async createUser(options: { scopes?: string[]; blocked?: boolean } = {}): Promise<string> {
    const [row] = await this.query(`insert into serverpod_auth_core_user ("createdAt", "scopeNames", blocked) values ($1, $2::json, $3) returning id`,
      [utcText(new Date()), JSON.stringify(options.scopes ?? []), options.blocked ?? false])
    return row!.id as string
  }

  async setBlocked(userId: string, blocked: boolean) {
    await this.query('update serverpod_auth_core_user set blocked = $2 where id = $1', [userId, blocked])
  }

  async deleteUser(userId: string) {
    await this.query('delete from serverpod_auth_core_user where id = $1', [userId])
  }

  // --- Argon2id PHC (…/common/utils/argon2_hash_util.dart) -------------------------------------------
  // Lines 178-208: Argon2id, the pepper as Argon2's secret; 247-252: the PHC string, base64Encode (padded).
  argon2Hash(secret: Uint8Array): string {
    const [m, t, p, salt] = [4096, 3, this.config.lanes ?? 2, random(16)] // 352-357: m=1<<12, t=3, dkLen 32; Jwt salt 16 (jwt_config.dart:179)
    const hash = argon2id(secret, salt, { m, t, p, dkLen: 32, key: utf8(this.config.refreshTokenHashPepper) })
    return `$argon2id$v=19$m=${m},t=${t},p=${p}$${b64(salt)}$${b64(hash)}`
  }

  // Lines 133-160 and 273-331: parse the PHC string, recompute with its parameters and hash length.
  argon2Verify(secret: Uint8Array, phc: string): boolean {
    const parts = phc.split('$')
    if (parts.length !== 6 || parts[0] !== '' || parts[1] !== 'argon2id') return false
    const [m, t, p] = parts[3]!.split(',').map((kv) => Number(kv.slice(2)))
    const salt = unb64(parts[4]!), hash = unb64(parts[5]!)
    return equal(argon2id(secret, salt, { m: m!, t: t!, p: p!, dkLen: hash.length, key: utf8(this.config.refreshTokenHashPepper) }), hash)
  }

  // --- refresh tokens --------------------------------------------------------------------------------
  // …/jwt/business/refresh_token_string.dart:16-21 (build) and 23-55 (parse).
  static refreshTokenString(id: string, fixedSecret: Uint8Array, rotatingSecret: Uint8Array): string {
    return `sajrt:${b64(uuidBytes(id))}:${b64(fixedSecret)}:${b64(rotatingSecret)}`
  }

  static parseRefreshToken(token: string) {
    if (!token.startsWith('sajrt:')) throw new ServerpodError('RefreshTokenMalformed')
    const parts = token.split(':')
    if (parts.length !== 4) throw new ServerpodError('RefreshTokenMalformed')
    return { id: uuidText(unb64(parts[1]!)), fixedSecret: unb64(parts[2]!), rotatingSecret: unb64(parts[3]!) }
  }

  // …/jwt/business/jwt_util.dart:36-89: claims, HS512 with the key's UTF-8 bytes, `typ: JWT`, exp = now + lifetime.
  async createJwt(row: { id: string; authUserId: string; scopeNames: string[]; extraClaims: string | null }): Promise<string> {
    const extra = row.extraClaims ? JSON.parse(row.extraClaims) : {}
    return new SignJWT({ ...extra, ...(row.scopeNames.length > 0 && { 'dev.serverpod.scopeNames': row.scopeNames }), 'dev.serverpod.refreshTokenId': row.id })
      .setProtectedHeader({ alg: 'HS512', typ: 'JWT' }).setJti(crypto.randomUUID()).setSubject(row.authUserId).setIssuedAt()
      .setExpirationTime('10m').sign(utf8(this.config.jwtHmacSha512PrivateKey))
  }

  // …/jwt/business/jwt_util.dart:95-153 and 173-190: no leeway; sub and refreshTokenId must be UUIDs.
  async verifyJwt(token: string): Promise<{ authUserId: string; refreshTokenId: string; scopes: string[] } | null> {
    try {
      const { payload } = await jwtVerify(token, utf8(this.config.jwtHmacSha512PrivateKey), { algorithms: ['HS512'], clockTolerance: 0 })
      const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
      const refreshTokenId = payload['dev.serverpod.refreshTokenId']
      if (typeof refreshTokenId !== 'string' || !uuid.test(refreshTokenId) || !uuid.test(payload.sub ?? '')) return null
      return { authUserId: payload.sub!, refreshTokenId, scopes: (payload['dev.serverpod.scopeNames'] as string[] | undefined) ?? [] }
    } catch {
      return null
    }
  }

  // …/jwt/business/jwt.dart:103-202 (createTokens): user must exist and not be blocked, scopes default to the
  // user's; fixed secret 16 random bytes stored raw, rotating secret 64 bytes stored as Argon2id PHC.
  async createTokens(authUserId: string, method: string, options: { scopes?: string[]; extraClaims?: Record<string, unknown> } = {}) {
    const [user] = await this.query('select "scopeNames", blocked from serverpod_auth_core_user where id = $1', [authUserId])
    if (!user) throw new ServerpodError('AuthUserNotFound')
    if (user.blocked) throw new ServerpodError('AuthUserBlocked')
    const scopeNames = options.scopes ?? (user.scopeNames as string[])
    const extraClaims = options.extraClaims && Object.keys(options.extraClaims).length > 0 ? JSON.stringify(options.extraClaims) : null
    const fixedSecret = random(16), rotatingSecret = random(64), now = utcText(new Date())
    const [row] = await this.query(
      `insert into serverpod_auth_core_jwt_refresh_token ("authUserId", "scopeNames", "extraClaims", method, "fixedSecret", "rotatingSecretHash", "lastUpdatedAt", "createdAt")
       values ($1, $2::json, $3, $4, $5, $6, $7, $7) returning id`,
      [authUserId, JSON.stringify(scopeNames), extraClaims, method, Buffer.from(fixedSecret), this.argon2Hash(rotatingSecret), now])
    const id = row!.id as string
    return { token: await this.createJwt({ id, authUserId, scopeNames, extraClaims }), refreshToken: ServerpodReference.refreshTokenString(id, fixedSecret, rotatingSecret), refreshTokenId: id }
  }

  // …/jwt/business/jwt_admin.dart:101-214 (rotateRefreshToken): wrong fixed secret = not found; expired rows
  // and wrong rotating secrets are deleted; blocked or missing users refused; then a fresh random secret.
  async refreshAccessToken(refreshToken: string, lifetimeMs = 14 * 86_400_000) {
    const parts = ServerpodReference.parseRefreshToken(refreshToken)
    const [row] = await this.query(`select *, extract(epoch from "lastUpdatedAt") * 1000 as updated_ms from serverpod_auth_core_jwt_refresh_token where id = $1`, [parts.id])
    if (!row || !equal(new Uint8Array(row.fixedSecret as Buffer), parts.fixedSecret)) throw new ServerpodError('RefreshTokenNotFound')
    if (Number(row.updated_ms) < Date.now() - lifetimeMs) {
      await this.query('delete from serverpod_auth_core_jwt_refresh_token where id = $1', [parts.id])
      throw new ServerpodError('RefreshTokenExpired')
    }
    if (!this.argon2Verify(parts.rotatingSecret, row.rotatingSecretHash as string)) {
      await this.query('delete from serverpod_auth_core_jwt_refresh_token where id = $1', [parts.id])
      throw new ServerpodError('RefreshTokenInvalidSecret')
    }
    const [user] = await this.query('select blocked from serverpod_auth_core_user where id = $1', [row.authUserId])
    if (!user) throw new ServerpodError('AuthUserNotFound')
    if (user.blocked) throw new ServerpodError('AuthUserBlocked')
    const newSecret = random(64)
    await this.query('update serverpod_auth_core_jwt_refresh_token set "rotatingSecretHash" = $2, "lastUpdatedAt" = $3 where id = $1',
      [parts.id, this.argon2Hash(newSecret), utcText(new Date())])
    return {
      token: await this.createJwt({ id: parts.id, authUserId: row.authUserId as string, scopeNames: row.scopeNames as string[], extraClaims: row.extraClaims as string | null }),
      refreshToken: ServerpodReference.refreshTokenString(parts.id, parts.fixedSecret, newSecret),
    }
  }

  // …/jwt/business/jwt_admin.dart:56-93 (deleteRefreshTokens) and …/session/business/server_side_sessions_admin.dart:50-87
  // (deleteSessions): every filter optional, combined with AND.
  async revoke(table: 'jwt_refresh_token' | 'session', filter: { id?: string; authUserId?: string; method?: string }) {
    const clauses: string[] = [], params: unknown[] = []
    for (const [column, value] of [['id', filter.id], ['authUserId', filter.authUserId], ['method', filter.method]] as const) {
      if (value !== undefined) clauses.push(`"${column}" = $${params.push(value)}`)
    }
    await this.query(`delete from serverpod_auth_core_${table} where ${clauses.join(' and ') || 'true'}`, params)
  }

  // --- sessions ----------------------------------------------------------------------------------------
  // …/session/util/session_key_hash.dart:52-81 and 155-163: `0x01 ‖ SHA-512(secret ‖ salt ‖ pepper)`; 171-178: legacy.
  async sessionKeyHash(secret: Uint8Array, salt: Uint8Array, legacy = false): Promise<Uint8Array> {
    const pepper = utf8(this.config.sessionKeyHashPepper)
    return legacy ? sha512(concat(secret, pepper)) : concat(Uint8Array.of(1), await sha512(concat(secret, salt, pepper)))
  }

  // …/session/business/server_side_sessions.dart:141-234 (createSession) and server_side_sessions_token.dart:18-27:
  // 32-byte secret, 16-byte salt (server_side_sessions_config.dart:73-74), token base64url(`sas` ‖ id ‖ secret).
  async createSession(authUserId: string, method: string, options: { legacyHash?: boolean; expireAfterUnusedForMs?: number } = {}) {
    const [user] = await this.query('select "scopeNames", blocked from serverpod_auth_core_user where id = $1', [authUserId])
    if (!user) throw new ServerpodError('AuthUserNotFound')
    if (user.blocked) throw new ServerpodError('AuthUserBlocked')
    const secret = random(32), salt = random(16), now = utcText(new Date())
    const hash = await this.sessionKeyHash(secret, salt, options.legacyHash)
    const [row] = await this.query(
      `insert into serverpod_auth_core_session ("authUserId", "scopeNames", "createdAt", "lastUsedAt", "expiresAt", "expireAfterUnusedFor", "sessionKeyHash", "sessionKeySalt", method)
       values ($1, $2::json, $3, $3, null, $4, $5, $6, $7) returning id`,
      [authUserId, JSON.stringify(user.scopeNames), now, options.expireAfterUnusedForMs ?? null, Buffer.from(hash), Buffer.from(salt), method])
    const id = row!.id as string
    return { token: b64url(concat(utf8('sas'), uuidBytes(id), secret)), sessionId: id }
  }

  // …/session/business/server_side_sessions.dart:44-124 (authenticationHandler) with server_side_sessions_token.dart:37-72
  // (parse) and session_key_hash.dart:90-129 (validate: 64 bytes = legacy, 65 = version 1, else invalid).
  async validateSession(token: string): Promise<{ authUserId: string; scopes: string[]; authId: string } | null> {
    if (!token.startsWith('c2Fz')) return null
    const bytes = new Uint8Array(Buffer.from(token, 'base64url'))
    const id = uuidText(bytes.subarray(3, 19)), secret = bytes.subarray(19)
    const [row] = await this.query('select * from serverpod_auth_core_session where id = $1', [id])
    if (!row) return null
    const stored = new Uint8Array(row.sessionKeyHash as Buffer), salt = new Uint8Array(row.sessionKeySalt as Buffer)
    if (stored.length === 64) {
      if (!equal(stored, await this.sessionKeyHash(secret, salt, true))) return null
      await this.query('update serverpod_auth_core_session set "sessionKeyHash" = $2 where id = $1', [id, Buffer.from(await this.sessionKeyHash(secret, salt))])
    } else if (stored.length !== 65 || stored[0] !== 1 || !equal(stored, await this.sessionKeyHash(secret, salt))) return null
    return { authUserId: row.authUserId as string, scopes: row.scopeNames as string[], authId: id }
  }
}
