import { defineConfig } from 'drizzle-kit'

// The library's own tables on SQLite (D1, libSQL, better-sqlite3, bun:sqlite). The output in drizzle/sqlite/
// is what `wrangler d1 migrations apply` (migrations_dir = "node_modules/edge-token-managers/drizzle/sqlite")
// and drizzle-orm's migrators apply.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/sqlite/schema.ts',
  out: './drizzle/sqlite',
})
