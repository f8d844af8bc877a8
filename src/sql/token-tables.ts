import type { Column, Table } from 'drizzle-orm'

// The library's two tables as the shared store sees them, whatever their SQL names, Postgres schema or
// dialect: the same JavaScript keys, so one store body serves both dialects' table factories.

/** The refresh-token table's columns, by role. */
export type RefreshTokenTableColumns = Table & Record<
  'id' | 'authUserId' | 'method' | 'scopeNames' | 'extraClaims' | 'fixedSecretHash' | 'rotatingSecretHash' | 'previousRotatingSecretHash' | 'dpopJkt' | 'createdAt' | 'lastUpdatedAt',
  Column
>

/** The session table's columns, by role. */
export type SessionTableColumns = Table & Record<
  'id' | 'authUserId' | 'method' | 'scopeNames' | 'secretHash' | 'createdAt' | 'lastUsedAt' | 'expiresAt' | 'expireAfterUnusedForMs' | 'dpopJkt',
  Column
>

/** Both tables of a store. */
export interface TokenTableColumns {
  refreshToken: RefreshTokenTableColumns
  session: SessionTableColumns
}
