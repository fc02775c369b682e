// npm run test:e2e [-- jest arguments]: as root, holding the bench lock for the whole run:
// binfmt_misc snapshotted, scripts/e2e/setup.sh, the e2e jest project (arguments passed through),
// scripts/e2e/teardown.sh whatever happens, and a failed run if the host's binfmt_misc is not
// what it was before (it is then restored and the difference printed). Exits with jest's code.
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { DIST, ROOT } from './env.js'
import { runInherited, withBench } from './orchestrate.js'

const args = process.argv.slice(2)
process.exitCode = await withBench({
  tag: 'e2e',
  work: async () => {
    if (!existsSync(DIST))
      process.stderr.write('[e2e] warning: dist/index.js is missing; run npm run build\n')
    return runInherited(
      process.execPath,
      [
        resolve(ROOT, 'node_modules/jest/bin/jest.js'),
        '--selectProjects',
        'e2e',
        '--runInBand',
        ...args
      ],
      { ...process.env, NODE_OPTIONS: '--experimental-vm-modules' }
    )
  }
})
