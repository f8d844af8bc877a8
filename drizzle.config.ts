import { defineConfig } from 'drizzle-kit'

// The library's own tables. Apps list `edge-token-managers/drizzle`'s schema beside theirs instead.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/drizzle/schema.ts',
  out: './drizzle',
  dbCredentials: { url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
})
