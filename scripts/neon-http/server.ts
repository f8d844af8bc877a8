// The local Neon SQL-over-HTTP endpoint, for tests and `npm run db:http`. It ships with the package as
// `npx edge-token-managers neon-http` (bin/neon-http.js); this keeps the name the tests import.
export { startNeonHttpServer } from '../../bin/neon-http.js'
