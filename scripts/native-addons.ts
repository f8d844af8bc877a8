// `prepare` (runs after `npm install` / `npm ci` in this repository, never in a consumer's install):
// better-sqlite3 is a native addon that npm compiles against the machine's own Node headers, while every
// script of this project runs on the pinned Node 22 (the `node` devDependency). On a machine whose Node is
// another major the addon cannot load there, so rebuild it against this Node's headers, which the
// registry's node-<platform>-<arch> package carries. Quick no-op when the addon already loads.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..')

// In a child process: a failed dlopen stays cached in this one, so it could not see the rebuilt addon.
function loads(): string | null {
  const probe = spawnSync(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], { cwd: root, encoding: 'utf8' })
  return probe.status === 0 ? null : (probe.stderr.split('\n').find((line) => line.startsWith('Error')) ?? `exit ${probe.status}`)
}

function run(command: string, args: string[], cwd: string): void {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit', env: { ...process.env, npm_config_nodedir: undefined } })
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`)
}

if (!existsSync(join(root, 'node_modules', 'better-sqlite3'))) process.exit(0) // production install: nothing to do
const before = loads()
if (before === null) process.exit(0)

const version = process.version.slice(1)
const headers = join(root, 'node_modules', '.cache', 'node-headers', version)
if (!existsSync(join(headers, 'include', 'node', 'node.h'))) {
  console.log(`better-sqlite3 does not load on Node ${version} (${before}); fetching this Node's headers to rebuild it`)
  const scratch = mkdtempSync(join(tmpdir(), 'etm-node-headers-'))
  try {
    run('npm', ['pack', `node-${process.platform}-${process.arch}@${version}`, '--silent'], scratch)
    run('tar', ['xzf', `node-${process.platform}-${process.arch}-${version}.tgz`, 'package/include'], scratch)
    mkdirSync(join(headers, '..'), { recursive: true })
    rmSync(headers, { recursive: true, force: true })
    renameSync(join(scratch, 'package'), headers)
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}
run('npm', ['rebuild', 'better-sqlite3', `--nodedir=${headers}`], root)
const after = loads()
if (after !== null) {
  console.error(`better-sqlite3 still does not load on Node ${version}: ${after}`)
  process.exit(1)
}
console.log(`better-sqlite3 rebuilt for Node ${version}`)
