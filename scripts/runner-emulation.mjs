// What a GitHub runner does around a node action, for the tools that run the action here
// (scripts/local-action.mjs, scripts/bench/bench.mjs, the e2e tests): read action.yml's input
// defaults, and parse the file-command files the action writes.
import { readFileSync } from 'node:fs'

const ACTION_YML = new URL('../action.yml', import.meta.url)

/** Input names and their `default:` from action.yml (a reader for that file's shape). */
export function actionDefaults(path = ACTION_YML) {
  const defaults = {}
  let inInputs = false
  let current
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (/^\S/.test(line)) {
      inInputs = /^inputs:\s*$/.test(line)
      current = undefined
      continue
    }
    if (!inInputs) continue
    const name = /^ {2}([A-Za-z0-9_-]+):\s*$/.exec(line)
    if (name) {
      current = name[1]
      defaults[current] = ''
      continue
    }
    const def = /^ {4}default:\s*(.*)$/.exec(line)
    if (def && current) defaults[current] = yamlScalar(def[1])
  }
  if (Object.keys(defaults).length === 0) throw new Error(`${path}: no inputs found`)
  return defaults
}

function yamlScalar(raw) {
  const s = raw.trim()
  if (s.startsWith("'")) return s.slice(1, s.lastIndexOf("'")).replace(/''/g, "'")
  if (s.startsWith('"')) return JSON.parse(s.slice(0, s.lastIndexOf('"') + 1))
  return s.replace(/\s+#.*$/, '')
}

/** `INPUT_<NAME>` as the runner spells it: upper-cased, spaces to `_`, hyphens kept. */
export const inputEnvName = name => `INPUT_${name.replace(/ /g, '_').toUpperCase()}`

/** GITHUB_OUTPUT / GITHUB_STATE / GITHUB_ENV: `name<<DELIM` blocks and `name=value` lines. */
export function parseFileCommands(text) {
  const out = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    if (line === '') continue
    const heredoc = /^([^=]+?)<<(.+)$/.exec(line)
    if (heredoc) {
      const value = []
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) value.push(lines[i])
      out[heredoc[1]] = value.join('\n')
      continue
    }
    const eq = line.indexOf('=')
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1)
  }
  return out
}
