/** The `default:` of every input in action.yml, as the runner fills them in. */
import { readFileSync } from 'node:fs'

export function actionDefaults(): Record<string, string> {
  const lines = readFileSync(new URL('../action.yml', import.meta.url), 'utf8').split('\n')
  const defaults: Record<string, string> = {}
  let inInputs = false
  let current: string | undefined
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    if (/^\S/.test(line)) inInputs = /^inputs:\s*$/.test(line)
    if (!inInputs) continue
    const name = /^ {2}([A-Za-z0-9_-]+):\s*$/.exec(line)
    if (name) defaults[(current = name[1])] = ''
    const value = /^ {4}default:\s*(.*)$/.exec(line)
    if (!value || !current) continue
    if (value[1] === '|') {
      const block: string[] = []
      while (/^ {6}|^\s*$/.test(lines[i + 1] ?? 'x') && i + 1 < lines.length)
        block.push(lines[++i].slice(6))
      defaults[current] = `${block.join('\n').trimEnd()}\n`
    } else {
      const raw = value[1].trim()
      defaults[current] = raw.startsWith("'") ? raw.slice(1, -1).replace(/''/g, "'") : raw
    }
  }
  return defaults
}
