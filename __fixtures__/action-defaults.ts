import { readFileSync } from 'node:fs'

/** The `default:` of every input in action.yml, as the runner fills them in. */
export function actionDefaults(): Record<string, string> {
  const text = readFileSync(new URL('../action.yml', import.meta.url), 'utf8')
  const inputs = text.slice(text.indexOf('\ninputs:'), text.indexOf('\noutputs:'))
  const defaults: Record<string, string> = {}
  let current = ''
  for (const line of inputs.split('\n')) {
    const name = /^ {2}([a-z-]+):\s*$/.exec(line)
    if (name) current = name[1]
    const value = /^ {4}default:\s*'(.*)'\s*$/.exec(line)
    if (value && current) defaults[current] = value[1].replace(/''/g, "'")
  }
  return defaults
}
