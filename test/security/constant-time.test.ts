// Secrets are compared in constant time. A lint over src/ (TypeScript's own parser, not regexes): an
// `===`/`!==`/`==`/`!=` whose operand is named like a secret, hash, MAC, signature, digest or pepper
// fails the suite, unless it compares a length, a type, or against null/undefined. Plus the two places
// that must use timingSafeEqual do, and timingSafeEqual itself cannot exit early.
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { timingSafeEqual } from '../../src/crypto/index.ts'

const srcDir = join(import.meta.dirname, '..', '..', 'src')
const secretName = /secret|hash|\bmac\b|mac$|signature|digest|pepper/i
const equality = new Set([ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken])

/** Operands whose comparison reveals nothing secret: lengths, types, null checks, literals. */
function harmless(node: ts.Expression): boolean {
  if (ts.isParenthesizedExpression(node)) return harmless(node.expression)
  if (ts.isPropertyAccessExpression(node) && ['length', 'byteLength', 'name', 'type', 'alg'].includes(node.name.text)) return true
  if (ts.isTypeOfExpression(node) || ts.isLiteralExpression(node) || ts.isNoSubstitutionTemplateLiteral(node)) return true
  return node.kind === ts.SyntaxKind.NullKeyword || node.kind === ts.SyntaxKind.TrueKeyword || node.kind === ts.SyntaxKind.FalseKeyword ||
    (ts.isIdentifier(node) && node.text === 'undefined')
}

/** `file:line  a === b` for every plain equality on secret-named operands. */
function plainSecretComparisons(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true)
  const found: string[] = []
  const visit = (node: ts.Node) => {
    if (ts.isBinaryExpression(node) && equality.has(node.operatorToken.kind)) {
      const operands = [node.left, node.right]
      const named = operands.some((o) => secretName.test(o.getText(source)))
      if (named && !operands.some(harmless)) {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart(source))
        found.push(`${fileName}:${line + 1}  ${node.getText(source)}`)
      }
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [])
}

/** The body text of a function or method named `name` in `file`. */
function bodyOf(file: string, name: string): ts.Node | undefined {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true)
  let body: ts.Node | undefined
  const visit = (node: ts.Node) => {
    if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name?.getText(source) === name) body = node.body
    ts.forEachChild(node, visit)
  }
  visit(source)
  return body
}

const calls = (node: ts.Node | undefined, callee: string): boolean =>
  !!node && ((ts.isCallExpression(node) && node.expression.getText() === callee) || node.getChildren().some((child) => calls(child, callee)))

describe('constant-time comparison of secrets', () => {
  it('the lint catches a plain comparison of secret bytes and lets lengths, types and null checks pass', () => {
    const flagged = plainSecretComparisons('fixture.ts', `
      if (storedHash === computedHash) ok()
      if (a.signature !== b) no()
      const same = mac == expected
      if (digest.length !== 64 || typeof secret !== 'object' || hash === null || pepper !== undefined) skip()
      if (header.alg === 'HS512') fine()`)
    expect(flagged).toEqual([
      'fixture.ts:2  storedHash === computedHash',
      'fixture.ts:3  a.signature !== b',
      'fixture.ts:4  mac == expected',
    ])
  })

  it('src/ has no plain comparison of anything named like a secret, hash, MAC, signature, digest or pepper', () => {
    const files = sourceFiles(srcDir)
    expect(files.length).toBeGreaterThan(20)
    const found = files.flatMap((file) => plainSecretComparisons(relative(srcDir, file), readFileSync(file, 'utf8')))
    expect(found).toEqual([])
  })

  it('SecretHasher.verify compares digests with timingSafeEqual, and timingSafeEqual has no early exit in its loop', () => {
    expect(calls(bodyOf(join(srcDir, 'crypto', 'secret-hash.ts'), 'verify'), 'timingSafeEqual')).toBe(true)
    const body = bodyOf(join(srcDir, 'crypto', 'bytes.ts'), 'timingSafeEqual')
    const loops: ts.Node[] = []
    const findLoops = (node: ts.Node): void => void (ts.isForStatement(node) || ts.isWhileStatement(node) || ts.isForOfStatement(node) ? loops.push(node) : ts.forEachChild(node, findLoops))
    findLoops(body!)
    expect(loops).toHaveLength(1)
    const exits = (node: ts.Node): boolean => ts.isReturnStatement(node) || ts.isBreakStatement(node) || ts.isThrowStatement(node) || node.getChildren().some(exits)
    expect(exits(loops[0]!)).toBe(false)
  })

  it('timingSafeEqual is right on equal, different and differently long inputs', () => {
    const a = crypto.getRandomValues(new Uint8Array(64))
    expect(timingSafeEqual(a, a.slice())).toBe(true)
    for (const i of [0, 31, 63]) {
      const b = a.slice()
      b[i]! ^= 1
      expect(timingSafeEqual(a, b)).toBe(false)
    }
    expect(timingSafeEqual(a, a.subarray(0, 63))).toBe(false)
    expect(timingSafeEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true)
  })
})
