// The demo page: signs in through /api/sign-in, then lets the library's client keep it signed in, in
// cookie mode: the refresh or session token stays in an HttpOnly cookie this page cannot read, the access
// token in memory (shared by the tabs); eager refresh, sign-out when the cookie dies. In DPoP mode
// (AUTH_MODE=dpop) every token sits in localStorage, bound to a non-extractable key in IndexedDB: each
// request and refresh carries a proof of that key. Bundled by demo/page/build.ts.
import { createAuthClient, localStorageStorage, type AuthSuccessJson } from '../../src/client/index.ts'

interface ListedToken {
  tokenId: string
  tokenIssuer: 'jwt' | 'session'
  method: string
  createdAt: string
  lastUsedAt?: string
  expiresAt?: string
  current: boolean
  metadata: { name: string | null; deviceName: string | null; ipAddress: string | null; userAgent: string | null } | null
}

interface ActivityEntry {
  type: 'sign-in' | 'refresh' | 'revocation' | 'reuse-detected'
  at: string
  detail: { method?: string; reason?: string; graceRetry?: boolean; sinceRotationMs?: number | null; tokenIssuer?: string }
  ipAddress: string | null
  userAgent: string | null
}

const activityLabels: Record<ActivityEntry['type'], string> = {
  'sign-in': 'Signed in', refresh: 'Token refreshed', revocation: 'Signed out / revoked', 'reuse-detected': 'Reuse detected',
}

const byTestId = <T extends HTMLElement = HTMLElement>(id: string) => document.querySelector<T>(`[data-testid="${id}"]`)!
const status = (message: string) => void (byTestId('status').textContent = message)
const formatDate = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—')

let refreshes = 0
const dpopMode = document.documentElement.dataset.authMode === 'dpop'
const client = createAuthClient({
  baseUrl: location.origin,
  ...(dpopMode ? { dpop: true, storage: localStorageStorage() } : { mode: 'cookie' as const }),
  refreshBefore: Number(document.documentElement.dataset.refreshBeforeMs ?? 30_000),
  onSignedOut: ({ reason }) => status(reason === 'signOut' ? 'Signed out.' : 'Your sign-in ended (revoked or expired). Please sign in again.'),
})

let shown: AuthSuccessJson | null = null
client.onChange((authSuccess) => {
  // Same token family, new access token: that is a refresh.
  if (authSuccess && shown && authSuccess.tokenId === shown.tokenId && authSuccess.token !== shown.token) refreshes++
  if (!authSuccess) refreshes = 0
  render()
})

function render(): void {
  const authSuccess = client.authSuccess
  shown = authSuccess
  byTestId('sign-in-view').hidden = authSuccess !== null
  byTestId('signed-in-view').hidden = authSuccess === null
  if (!authSuccess) return
  byTestId('current-user').textContent = authSuccess.authUserId
  byTestId('auth-strategy').textContent = authSuccess.authStrategy === 'jwt' ? 'JWT' : 'session'
  byTestId('token-expires-at').textContent = authSuccess.tokenExpiresAt ? formatDate(authSuccess.tokenExpiresAt) : 'never'
  byTestId('token-expires-at').dataset.iso = authSuccess.tokenExpiresAt ?? ''
  byTestId('refresh-count').textContent = String(refreshes)
  byTestId('auth-binding').textContent = authSuccess.dpopJkt
    ? `in localStorage, bound to this browser's DPoP key (${authSuccess.dpopJkt.slice(0, 8)}…)`
    : 'in an HttpOnly cookie'
}

function cell(row: HTMLTableRowElement, text: string, className?: string): void {
  const td = row.insertCell()
  td.textContent = text
  if (className) td.className = className
}

async function loadTokens(): Promise<void> {
  const response = await client.fetch('/api/tokens')
  if (!response.ok) return status(`Could not list tokens (${response.status}).`)
  const tokens = (await response.json()) as ListedToken[]
  const list = byTestId<HTMLTableSectionElement>('token-list')
  list.replaceChildren()
  for (const token of tokens) {
    const row = list.insertRow()
    row.dataset.testid = 'token-row'
    row.dataset.tokenId = token.tokenId
    row.dataset.tokenIssuer = token.tokenIssuer
    if (token.current) row.classList.add('current')
    cell(row, `${token.tokenIssuer === 'jwt' ? 'JWT' : 'session'}${token.method === 'pat' ? ' (PAT)' : ''}${token.current ? ' · this device' : ''}`)
    cell(row, token.metadata?.name ?? '—')
    cell(row, token.metadata?.deviceName ?? '—')
    cell(row, token.metadata?.ipAddress ?? '—', 'mono')
    cell(row, formatDate(token.createdAt))
    cell(row, formatDate(token.lastUsedAt))
    cell(row, formatDate(token.expiresAt))
    const revoke = document.createElement('button')
    revoke.type = 'button'
    revoke.textContent = 'Revoke'
    revoke.dataset.testid = 'revoke-token'
    revoke.addEventListener('click', () => void revokeToken(token))
    row.insertCell().append(revoke)
  }
}

function activityDetail({ type, detail }: ActivityEntry): string {
  if (type === 'sign-in') return `${detail.tokenIssuer === 'session' ? 'session' : 'JWT'} · ${detail.method ?? ''}`
  if (type === 'refresh') return detail.graceRetry ? 'retry within the grace window' : 'rotated'
  if (type === 'revocation') return detail.reason ?? ''
  const ms = detail.sinceRotationMs
  return ms == null ? 'an old refresh token came back' : `an old refresh token came back ${(ms / 1000).toFixed(1)} s after it was replaced`
}

async function loadActivity(): Promise<void> {
  const response = await client.fetch('/api/activity')
  if (!response.ok) return status(`Could not load the activity (${response.status}).`)
  const { entries, reuseDetected } = (await response.json()) as { entries: ActivityEntry[]; reuseDetected: boolean }
  byTestId('reuse-banner').hidden = !reuseDetected
  const list = byTestId<HTMLTableSectionElement>('activity-list')
  list.replaceChildren()
  for (const entry of entries) {
    const row = list.insertRow()
    row.dataset.testid = 'activity-row'
    row.dataset.type = entry.type
    cell(row, formatDate(entry.at))
    cell(row, activityLabels[entry.type] ?? entry.type)
    cell(row, activityDetail(entry))
    cell(row, entry.ipAddress ?? '—', 'mono')
    cell(row, entry.userAgent?.slice(0, 60) ?? '—')
  }
}

async function revokeToken(token: ListedToken): Promise<void> {
  const response = await client.fetch(`/auth/tokens/${encodeURIComponent(token.tokenId)}`, { method: 'DELETE' })
  status(response.status === 204 ? `Revoked ${token.metadata?.name ?? token.tokenId}.` : `Revoke failed (${response.status}).`)
  // Revoking this device's session signs out at once; a JWT stays usable until its access token expires.
  if (client.authSuccess) await Promise.all([loadTokens(), loadActivity()])
}

byTestId<HTMLFormElement>('sign-in-form').addEventListener('submit', async (event) => {
  event.preventDefault()
  const form = new FormData(event.currentTarget as HTMLFormElement)
  // Through the client in DPoP mode: the request's proof binds the new sign-in to this browser's key.
  const response = await (dpopMode ? client.fetch : fetch)('/api/sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: form.get('username'), kind: form.get('kind'), deviceName: form.get('deviceName') }),
  })
  if (!response.ok) return status(`Sign-in failed (${response.status}).`)
  client.signIn(await response.json())
  status('')
  await Promise.all([loadTokens(), loadActivity()])
})

byTestId('load-activity').addEventListener('click', () => void loadActivity())

byTestId('call-api').addEventListener('click', async () => {
  const response = await client.fetch('/api/me')
  byTestId('api-result').textContent = `${response.status} ${JSON.stringify(await response.json(), null, 2)}`
})

byTestId('sign-out').addEventListener('click', () => void client.signOut())
byTestId('sign-out-everywhere').addEventListener('click', () => void client.signOut({ everywhere: true }))

byTestId<HTMLFormElement>('pat-form').addEventListener('submit', async (event) => {
  event.preventDefault()
  const form = event.currentTarget as HTMLFormElement
  const response = await client.fetch('/api/pats', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: new FormData(form).get('name') }),
  })
  if (response.status !== 201) return status(`Could not create the token (${response.status}).`)
  const pat = (await response.json()) as AuthSuccessJson
  byTestId('pat-token').textContent = pat.refreshToken
  byTestId('pat-result').hidden = false
  form.reset()
  await loadTokens()
})

// DPoP mode has no personal access tokens: a token bound to this browser's key is no use to a script elsewhere.
byTestId('pat-section').hidden = dpopMode
render()
// Cookie mode: the page cannot see its cookie, so it asks the server. DPoP mode reads localStorage.
void client.resume().then((authSuccess) => authSuccess && Promise.all([loadTokens(), loadActivity()]))
