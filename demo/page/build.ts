// Bundles the page's browser code (app.ts + the library's client) into index.html as one inline module,
// so both runtimes serve a single string: Node builds it at start, Workers import the file this writes.
//
//   node demo/page/build.ts    # writes demo/page/dist/index.html (run by wrangler's [build] step)
import { build } from 'esbuild'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

/**
 * The page, ready to serve.
 *
 * @example
 * ```ts
 * const page = await buildPage()
 * ```
 */
export async function buildPage(): Promise<string> {
  const [html, bundle] = await Promise.all([
    readFile(here('./index.html'), 'utf8'),
    build({ entryPoints: [here('./app.ts')], bundle: true, format: 'esm', target: 'es2022', minify: true, write: false, logLevel: 'error' }),
  ])
  // `</script` inside the code would end the inline element early.
  const script = bundle.outputFiles[0]!.text.replaceAll('</script', '<\\/script')
  return html.replace('<script type="module">/* app */</script>', () => `<script type="module">${script}</script>`)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await mkdir(here('./dist'), { recursive: true })
  // Write then rename: a Worker bundled at the same moment never reads a half-written page.
  const partial = here(`./dist/index.html.${process.pid}.tmp`)
  await writeFile(partial, await buildPage())
  await rename(partial, here('./dist/index.html'))
  console.log('Built demo/page/dist/index.html')
}
