// Every line `migrate` prints, on success and on failure, masks the URL's secrets: the userinfo password
// and the parameters node-postgres reads a secret from (password, sslpassword, any *password*, sslkey).
import { afterAll, expect, it } from 'vitest'
import { createEmptyDatabase, databasePassword, run } from './cli-support.ts'

const secrets = { password: 'param-password-5a1c', sslpassword: 'ssl-password-77e0', sslkey: '/home/me/.secret/client-key-93b2.pem' }
const withSecretParameters = (url: string) => {
  const u = new URL(url)
  u.searchParams.set('password', secrets.password)
  u.searchParams.set('sslpassword', secrets.sslpassword)
  u.searchParams.set('sslkey', secrets.sslkey)
  u.searchParams.set('application_name', 'shown-as-is')
  return u.toString()
}
const expectNoSecret = (output: string) => {
  for (const secret of [databasePassword, ...Object.values(secrets)]) {
    expect(output).not.toContain(secret)
    expect(output).not.toContain(encodeURIComponent(secret))
  }
}

const databases: { drop(): Promise<unknown> }[] = []
afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()))
})

it('success: the URL is printed with every secret masked, other parameters as they are', async () => {
  const database = await createEmptyDatabase('redact')
  databases.push(database)
  const u = new URL(withSecretParameters(database.url))
  u.searchParams.delete('sslkey') // a key file the local server would have to accept
  u.searchParams.delete('sslpassword')
  const result = await run(['migrate', '--url', u.toString()])
  expect(result, result.stderr).toMatchObject({ code: 0, stderr: '' })
  expectNoSecret(`${result.stdout}${result.stderr}`)
  expect(result.stdout).toContain('postgres://postgres:***@')
  expect(result.stdout).toContain('password=***')
  expect(result.stdout).toContain('application_name=shown-as-is')
})

it.each([
  ['unreachable server', 'postgres://postgres:PASSWORD@127.0.0.1:1/nowhere'],
  ['refused database', 'postgres://postgres:PASSWORD@127.0.0.1:5432/etm_no_such_database'],
])('failure (%s): exit 1, and neither stdout nor stderr holds a secret', async (_label, template) => {
  const result = await run(['migrate', '--url', withSecretParameters(template.replace('PASSWORD', databasePassword))])
  expect(result.code).toBe(1)
  expect(result.stderr).toContain('Migration failed')
  expectNoSecret(`${result.stdout}${result.stderr}`)
  expect(result.stdout).toContain('sslpassword=***')
  expect(result.stdout).toContain('sslkey=***')
})
