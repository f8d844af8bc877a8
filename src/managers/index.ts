export * from './types.ts'
export * from './errors.ts'
export type { RefreshTokenRow, SessionRow, RowFilter, InsertOptions, RotateRefreshToken, TokenStore, Read, NewRow } from './storage.ts'
export type { ManagerClock } from './clock.ts'
export type { HasherOptions, RefreshTokenFormat, RefreshTokenParts, SecretHashing, SessionTokenFormat, TokenFormats } from './formats.ts'
export type { ManagerContext, TokenManagerBuilder } from './builder.ts'
export { JwtAlgorithm, type PublicJwk } from './jwt-algorithm.ts'
export { JwtConfig, JwtConfigFromPasswords, type JwtConfigOptions } from './jwt-config.ts'
export { JwtTokenManager, type ExtraClaimsProvider, type OnRefreshTokenCreated } from './jwt-token-manager.ts'
export {
  ServerSideSessionsConfig, ServerSideSessionsConfigFromPasswords, type ServerSideSessionsConfigOptions,
} from './session-config.ts'
export { ServerSideSessionsTokenManager, type IssueSessionOptions, type OnSessionCreated } from './session-token-manager.ts'
export type { ValidationCacheOptions } from './validated-sessions.ts'
export { MultiTokenManager, type TokenManagerType } from './multi-token-manager.ts'
export { initializeAuthServices, type AuthServices, type AuthServicesOptions } from './auth-services.ts'
export type {
  AuthEvent, AuthEventBase, AuthEventHandler, AuthEventsStatus, EventClock, RefreshEvent, ReuseDetectedEvent, RevocationEvent,
  SessionExpiredEvent, SignInEvent, StorageUnavailableEvent, ValidationFailedEvent, ValidationFailureOptions,
  ValidationFailureReason,
} from './events.ts'
export type { Passwords } from './passwords.ts'
export * from './dpop/index.ts'
