// The "empty action": an ncc-bundled ESM action that only imports @actions/core and sets one
// output. What any node action built the usual way costs to start; the warm run is compared to it.
import { spawnSync } from 'node:child_process'
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../../test-support/env.js'
import { BenchError, log, tail } from './context.js'

/** Builds it into `dir` with `npx ncc build`; returns the bundle's entry (dir/dist/index.js). */
export function buildEmptyAction(dir: string): string {
  mkdirSync(join(dir, 'src'), { recursive: true })
  writeFileSync(
    join(dir, 'src/index.js'),
    "import * as core from '@actions/core'\ncore.setOutput('x', 'y')\n"
  )
  writeFileSync(join(dir, 'package.json'), '{ "type": "module", "private": true }\n')
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules')) // @actions/core, resolved by ncc
  const r = spawnSync(
    'npx',
    ['--no-install', 'ncc', 'build', join(dir, 'src/index.js'), '-o', join(dir, 'dist')],
    { cwd: ROOT, encoding: 'utf8', timeout: 300_000 }
  )
  if (r.status !== 0) {
    throw new BenchError(`npx ncc build of the empty action failed:\n${tail(r.stdout + r.stderr)}`)
  }
  log(`empty action built: ${join(dir, 'dist/index.js')}`)
  return join(dir, 'dist/index.js')
}
