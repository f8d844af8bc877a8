import { defineConfig } from 'drizzle-kit'

// The demo's migrations (its token_metadata and auth_activity tables; the library's tables come from ../drizzle).
// Regenerate after editing demo/schema.ts: npx drizzle-kit generate --config demo/drizzle.config.ts
export default defineConfig({
  dialect: 'postgresql',
  schema: './demo/schema.ts',
  out: './demo/drizzle',
})
