// Wrangler imports .html files as text modules (its default rules); demo/worker.ts imports the built page.
declare module '*.html' {
  const content: string
  export default content
}
