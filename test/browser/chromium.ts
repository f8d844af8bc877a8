// Launches a system Chromium through playwright-core (Playwright's own browser download needs hosts that
// CI machines may not reach). The browser is found or provisioned when this module loads — a top-level
// await, so a first-time apt install is not cut short by vitest's hook timeout. Without a browser the
// importing test file fails to load, loudly, with the fix: browser tests are never skipped.
import { execFile } from 'node:child_process'
import { accessSync, constants, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'

const debianChromium = '/usr/bin/chromium'
const installCommand = 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium'
const installTimeoutMs = 10 * 60_000
// A directory: mkdir is atomic, so exactly one test file (of any vitest worker) runs apt at a time.
const lockDir = join(tmpdir(), 'edge-token-managers-chromium.lock')

const howToProvide =
  'Install Chromium (Debian/Ubuntu: `sudo apt-get install chromium`, which provides /usr/bin/chromium) ' +
  'or set CHROMIUM_PATH to a Chromium or Chrome executable.'

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The pid in the lock, or 0 while its holder has not written it yet (or the lock just went away). */
function lockHolder(): number {
  try {
    return Number(readFileSync(join(lockDir, 'pid'), 'utf8')) || 0
  } catch {
    return 0
  }
}

/** Runs `task` while holding the lock directory; takes over a lock whose holder has died. */
async function withLock<T>(task: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + installTimeoutMs + 60_000
  for (;;) {
    try {
      mkdirSync(lockDir)
      writeFileSync(join(lockDir, 'pid'), String(process.pid))
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const holder = lockHolder()
      // No pid yet means the holder is between mkdir and writeFile: wait. A dead holder: take over.
      if (holder && !processAlive(holder)) rmSync(lockDir, { recursive: true, force: true })
      else if (Date.now() > deadline) throw new Error(`Timed out waiting for ${lockDir} (another Chromium install). ${howToProvide}`)
      else await new Promise((resolve) => setTimeout(resolve, 500))
    }
  }
  try {
    return await task()
  } finally {
    rmSync(lockDir, { recursive: true, force: true })
  }
}

function aptInstallChromium(): Promise<void> {
  console.warn(`[test/browser] ${debianChromium} not found: installing Debian's chromium with apt-get (once, up to 10 min)…`)
  return new Promise((resolve, reject) => {
    execFile('sh', ['-c', installCommand], { timeout: installTimeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) return resolve()
      const output = `${stdout}${stderr}`.trim().split('\n').slice(-15).join('\n')
      reject(new Error(`\`${installCommand}\` failed (${error.killed ? 'timed out' : `exit ${error.code}`}):\n${output}\n${howToProvide}`))
    })
  })
}

/** CHROMIUM_PATH, else /usr/bin/chromium, installed with apt-get when running as root; else throws. */
async function provideChromium(): Promise<string> {
  const configured = process.env.CHROMIUM_PATH
  if (configured) {
    if (!isExecutable(configured)) throw new Error(`CHROMIUM_PATH=${configured} is not an executable file. ${howToProvide}`)
    return configured
  }
  if (isExecutable(debianChromium)) return debianChromium
  const aptGet = ['/usr/bin/apt-get', '/bin/apt-get'].find(existsSync)
  if (process.getuid?.() !== 0 || !aptGet) {
    throw new Error(`The browser tests need Chromium and ${debianChromium} is missing (automatic install needs root and apt-get). ${howToProvide}`)
  }
  await withLock(async () => {
    // Another test file may have installed it while this one waited for the lock.
    if (!isExecutable(debianChromium)) await aptInstallChromium()
  })
  if (!isExecutable(debianChromium)) throw new Error(`apt-get finished but ${debianChromium} is still missing. ${howToProvide}`)
  return debianChromium
}

export const chromiumPath = await provideChromium()

/**
 * Each launch gets a fresh, temporary profile from Playwright, so no state leaks between runs. `args` add
 * switches, e.g. `--host-resolver-rules` to give test hosts real names.
 */
export function launchChromium(args: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', ...args,
    ],
  })
}
