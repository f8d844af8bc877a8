import { defineConfig } from 'drizzle-kit'

// The demo's SQLite (D1) migrations: its token_metadata and auth_activity tables. The library's tables come from
// ../drizzle/sqlite, applied through the other D1 binding (see wrangler.toml).
// Regenerate after editing demo/schema-sqlite.ts: npx drizzle-kit generate --config demo/drizzle.sqlite.config.ts
export default defineConfig({
  dialect: 'sqlite',
  schema: './demo/schema-sqlite.ts',
  out: './demo/drizzle/sqlite',
})
