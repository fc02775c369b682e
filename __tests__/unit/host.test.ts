import { checkLinux } from '../../src/host/host.js'

describe('checkLinux', () => {
  test.each([
    ['win32', 'Windows'],
    ['darwin', 'macOS'],
    ['freebsd', 'freebsd']
  ] as const)('%s: named as %s, with the if: that skips the step there', (platform, name) => {
    expect(() => checkLinux(platform)).toThrow(
      `This action needs a Linux runner (binfmt_misc is a Linux kernel feature), and this one runs ${name}. ` +
        "Add if: runner.os == 'Linux' to this step in a matrix across operating systems, or use runs-on: ubuntu-latest (ubuntu-24.04-arm for an arm64 host)."
    )
  })

  test('linux passes', () => {
    expect(() => checkLinux('linux')).not.toThrow()
  })
})
