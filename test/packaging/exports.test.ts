// The public surface, pinned: every runtime export of every entry point. Each is a promise to keep, so
// adding one means adding it here (and documenting it). The budget was 40; it grew deliberately by one
// for each feature that needs its own export: tokenCookies (cookie mode), createAccessTokenVerifier
// (the validate-only entry) and serverpodStore (Serverpod's tables and formats); then by five for tables in
// the app's schema and SQLite: tokenTables on Postgres, and the SQLite entry's store, tables and factory;
// then by one for DPoP: DpopVerifier, so a resource server outside Hono checks proofs as authenticate does.
// then by one for events: requestContext, the IP and user agent Hono puts in events (and apps in sign-ins).
import { describe, expect, it } from 'vitest'
import * as client from '../../src/client/index.ts'
import * as drizzle from '../../src/drizzle/index.ts'
import * as hono from '../../src/hono/index.ts'
import * as jwt from '../../src/jwt/index.ts'
import * as root from '../../src/index.ts'
import * as serverpod from '../../src/serverpod/index.ts'
import * as sqlite from '../../src/sqlite/index.ts'

const surface = {
  'edge-token-managers': [
    'AuthUserBlockedError', 'AuthUserNotFoundError', 'ConfigError', 'EdgeTokenError', 'InvalidArgumentError', 'JwtAlgorithm', 'JwtConfig',
    'JwtConfigFromPasswords', 'JwtTokenManager', 'KeyImportError', 'MissingPasswordError', 'MultiTokenManager',
    'RefreshTokenExpiredError', 'RefreshTokenInvalidSecretError', 'RefreshTokenMalformedError', 'RefreshTokenNotFoundError',
    'RefreshTokenReusedError', 'ReservedClaimError', 'ServerSideSessionsConfig', 'ServerSideSessionsConfigFromPasswords',
    'ServerSideSessionsTokenManager', 'StorageError', 'StorageUnavailableError', 'TokenManagerNotFoundError',
    'UnsupportedAlgorithmError', 'errorCodes', 'initializeAuthServices', 'DpopVerifier',
  ],
  'edge-token-managers/drizzle': ['authRefreshToken', 'authSession', 'drizzleTokenStore', 'tokenTables'],
  'edge-token-managers/sqlite': ['authRefreshToken', 'authSession', 'sqliteTokenStore', 'tokenTables'],
  'edge-token-managers/hono': ['authRoutes', 'authenticate', 'cachePerEnv', 'guard', 'requestContext', 'requireScopes', 'tokenCookies'],
  'edge-token-managers/client': ['createAuthClient', 'localStorageStorage', 'memoryStorage', 'noLock', 'webLocks'],
  'edge-token-managers/jwt': ['createAccessTokenVerifier'],
  'edge-token-managers/serverpod': ['serverpodStore'],
}
const modules = {
  'edge-token-managers': root, 'edge-token-managers/drizzle': drizzle, 'edge-token-managers/hono': hono, 'edge-token-managers/client': client,
  'edge-token-managers/jwt': jwt, 'edge-token-managers/serverpod': serverpod, 'edge-token-managers/sqlite': sqlite,
}

describe('public surface', () => {
  it.each(Object.keys(surface))('%s exports exactly the pinned names', (entry) => {
    expect(Object.keys(modules[entry as keyof typeof modules]).sort()).toEqual([...surface[entry as keyof typeof surface]].sort())
  })

  it('stays within its budget of runtime exports', () => {
    expect(Object.values(surface).flat().length).toBeLessThanOrEqual(50)
  })
})
