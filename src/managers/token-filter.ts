// What a revoke or list call asks of one storing manager. Every call names its issuer optionally; the
// managers of other issuers ignore it, so MultiTokenManager can hand the same call to each of them.
import { normalizeTokenId } from './ids.ts'
import type { RowFilter } from './storage.ts'
import type { RevokeTokenOptions, TokenFilter } from './types.ts'

const namesOther = (issuer: string, tokenIssuer: string | undefined) => tokenIssuer !== undefined && tokenIssuer !== issuer

/** The stored id a revoke names, or null when it names another issuer's token or no possible id. */
export function revokedId(issuer: string, { tokenId, tokenIssuer }: RevokeTokenOptions): string | null {
  return namesOther(issuer, tokenIssuer) ? null : normalizeTokenId(tokenId)
}

/** The rows a revoke-all or list selects, or null when the filter names another issuer. */
export function rowFilter(issuer: string, { authUserId, method, tokenIssuer }: TokenFilter): RowFilter | null {
  if (namesOther(issuer, tokenIssuer)) return null
  return { authUserId, ...(method !== undefined && { method }) }
}
