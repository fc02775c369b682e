// Inputs the action must refuse: one `::error::` line naming the input, exit 1, the host's
// binfmt_misc byte-identical, and nothing from the input ever reaching a shell.
import { describe, expect, it } from '@jest/globals'
import {
  expectFailure,
  expectHostUnchanged,
  IMAGES,
  pwned,
  runAction,
  useBench
} from './helpers/index.js'

const bench = useBench()
const container = {
  registrar: 'container',
  image: IMAGES.registrar,
  'verify-image': IMAGES.busybox
}

const cases: [string, Record<string, string>, RegExp][] = [
  ['unknown platform', { platforms: 'linux/sparc99' }, /platforms/],
  ['verify: maybe', { verify: 'maybe' }, /verify/],
  ['a list without a name', { platforms: ',' }, /platforms/],
  ['whitespace-only platforms', { platforms: ' \n\t, \n' }, /platforms/],
  ['image reference with spaces', { image: 'my image:latest' }, /image/],
  ['shell metacharacters in platforms', { platforms: 'arm64; touch /tmp/pwned' }, /platforms/],
  ['command substitution in image', { image: 'x$(touch /tmp/pwned)' }, /image/],
  [
    'backticks in verify-image',
    { verify: 'image', 'verify-image': 'x`touch /tmp/pwned`' },
    /verify-image/
  ],
  ['unknown registrar', { registrar: 'chroot' }, /registrar/],
  ['persistent: sometimes', { persistent: 'sometimes' }, /persistent/]
]

describe('bad inputs', () => {
  it.each(cases)('%s', async (name, inputs, names) => {
    // A usable registrar and verify image, so that only the bad input can be the reason.
    const r = await runAction({
      scenario: `bad input: ${name}`,
      inputs: { ...container, ...inputs }
    })
    expectFailure(r, names)
    expectHostUnchanged(bench.before)
    expect(pwned()).toBe(false)
  })
})
