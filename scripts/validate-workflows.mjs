// Validates every workflow against GitHub's schema, offline (@action-validator/cli). action.yml is
// not checked this way: the validator's schema predates runs.using: node24 and rejects it.
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'

const dir = new URL('../.github/workflows/', import.meta.url)
const validator = new URL('../node_modules/.bin/action-validator', import.meta.url).pathname
const files = readdirSync(dir).filter(f => /\.ya?ml$/.test(f))
let failed = 0
for (const f of files) {
  const r = spawnSync(validator, [new URL(f, dir).pathname], {
    encoding: 'utf8',
    shell: false
  })
  if (r.status !== 0) {
    failed++
    console.error(`${f}: ${r.error?.message ?? ''}${r.stdout ?? ''}${r.stderr ?? ''}`)
  }
}
console.log(`workflows: ${files.length - failed} of ${files.length} valid`)
process.exit(failed ? 1 : 0)
