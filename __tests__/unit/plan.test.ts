import { actionDefaults } from '../../__fixtures__/action-defaults.js'
import { readInputs, type Inputs } from '../../src/inputs.js'
import { needsDocker, plan, type Facts } from '../../src/plan.js'

const inputs = (given: Record<string, string> = {}): Inputs => {
  const all: Record<string, string> = { ...actionDefaults(), ...given }
  return readInputs({
    getInput: name => (all[name] ?? '').trim(),
    getMultilineInput: name =>
      (all[name] ?? '')
        .split('\n')
        .map(l => l.trim())
        .filter(Boolean)
  })
}

const facts = (over: Partial<Facts> = {}): Facts => ({
  privilege: 'sudo',
  userNamespace: false,
  docker: undefined,
  mounted: true,
  selfHosted: false,
  githubHosted: false,
  hostEmulators: false,
  emulated: 2,
  cacheService: true,
  ...over
})

describe('registrar', () => {
  test.each<[string, Record<string, string>, Partial<Facts>, string, RegExp]>([
    ['root: writes itself', {}, { privilege: 'root' }, 'native', /can act as root \(root\)/],
    ['sudo: writes itself', {}, {}, 'native', /can act as root \(sudo\)/],
    [
      'docker group, no sudo: a privileged container',
      {},
      { privilege: 'none', docker: '' },
      'container',
      /no root here, but a Docker engine answers/
    ],
    [
      'a user namespace: root there is not root for the host',
      {},
      { privilege: 'root', userNamespace: true, docker: '' },
      'container',
      /Docker engine answers/
    ],
    ['asked for', { registrar: 'seed' }, {}, 'seed', /registrar: seed/],
    [
      'nothing to emulate',
      { registrar: 'container' },
      { emulated: 0 },
      'none',
      /nothing to emulate/
    ]
  ])('%s', (_, given, f, name, why) => {
    const p = plan(inputs(given), facts(f))
    expect(p.registrar.name).toBe(name)
    expect(p.registrar.why).toMatch(why)
  })

  test('neither root nor Docker: native, refused with every way out', () => {
    expect(() => plan(inputs(), facts({ privilege: 'none', docker: 'no socket' }))).toThrow(
      /registrar: native .* needs root, and this job runs as uid \d+ without passwordless sudo\. .*passwordless sudo, add it to the docker group and use registrar: container/
    )
  })

  test('native inside a user namespace is refused', () => {
    expect(() =>
      plan(inputs({ registrar: 'native' }), facts({ privilege: 'root', userNamespace: true }))
    ).toThrow(/user namespace of its own .*binfmt_misc is a separate instance/)
  })

  test('an unmounted binfmt_misc without root cannot be mounted by a container', () => {
    expect(() =>
      plan(inputs({ registrar: 'container' }), facts({ privilege: 'none', mounted: false }))
    ).toThrow(/binfmt_misc is not mounted on the host, and mounting it needs root/)
    expect(
      plan(inputs({ registrar: 'none' }), facts({ privilege: 'none', mounted: false })).registrar
        .name
    ).toBe('none')
  })
})

describe('install', () => {
  test.each<[string, Record<string, string>, Partial<Facts>, string, string | undefined]>([
    ['auto, static emulators on the host', {}, { hostEmulators: true }, 'host', undefined],
    ['auto, none on the host: verified download, apt if it fails', {}, {}, 'download', 'apt'],
    ['explicit apt', { install: 'apt' }, {}, 'apt', undefined],
    ['none: the host', { install: 'none' }, {}, 'host', undefined],
    [
      'image registrar: its image carries them',
      { registrar: 'container' },
      {},
      'nothing',
      undefined
    ],
    [
      'image registrar, explicit download: on the host too',
      { registrar: 'container', install: 'download' },
      {},
      'download',
      undefined
    ],
    ['registrar none', { registrar: 'none' }, {}, 'nothing', undefined],
    ['nothing emulated', {}, { emulated: 0 }, 'nothing', undefined]
  ])('%s', (_, given, f, name, fallback) => {
    const p = plan(inputs(given), facts(f))
    expect([p.install.name, p.install.fallback]).toEqual([name, fallback])
  })
})

describe('verification and cleanup', () => {
  test('verify: image without Docker fails before any change; verify: true just skips the image', () => {
    expect(() => plan(inputs({ verify: 'image' }), facts({ docker: 'no socket' }))).toThrow(
      /verify: image needs a Docker engine, and none answers \(no socket\)\. .*verify: probe/
    )
    const p = plan(inputs({ verify: 'true' }), facts({ docker: 'no socket' }))
    expect(p.verify).toEqual({
      probe: true,
      image: false,
      note: 'verify: true without image verification: no Docker engine answers (no socket).'
    })
    expect(plan(inputs({ verify: 'true' }), facts({ docker: '' })).verify).toEqual({
      probe: true,
      image: true
    })
    expect(plan(inputs({ verify: 'false' }), facts()).verify).toEqual({
      probe: false,
      image: false
    })
  })

  test('cleanup: auto is on for self-hosted runners only', () => {
    expect(plan(inputs(), facts({ selfHosted: true })).cleanup).toEqual({
      enabled: true,
      why: 'cleanup: auto on a self-hosted runner'
    })
    expect(plan(inputs(), facts()).cleanup.enabled).toBe(false)
    expect(plan(inputs({ cleanup: 'true' }), facts()).cleanup.enabled).toBe(true)
    expect(plan(inputs({ cleanup: 'false' }), facts({ selfHosted: true })).cleanup.enabled).toBe(
      false
    )
  })

  test('the lock and the record are skipped only on a GitHub-hosted runner without cleanup', () => {
    expect(plan(inputs(), facts({ githubHosted: true })).shared).toBe(false)
    expect(plan(inputs({ cleanup: 'true' }), facts({ githubHosted: true })).shared).toBe(true)
    expect(plan(inputs(), facts({ selfHosted: true })).shared).toBe(true)
    // a runner that says neither (an older runner, act): shared, to be safe
    expect(plan(inputs(), facts()).shared).toBe(true)
  })

  test.each<[string, Record<string, string>, Partial<Facts>, boolean, string]>([
    [
      'auto, GitHub-hosted',
      {},
      { githubHosted: true },
      true,
      'cache: auto on a GitHub-hosted runner'
    ],
    [
      'auto, self-hosted',
      {},
      { selfHosted: true },
      false,
      'cache: auto, off except on GitHub-hosted runners'
    ],
    [
      'auto, a runner that says neither',
      {},
      {},
      false,
      'cache: auto, off except on GitHub-hosted runners'
    ],
    ['true, self-hosted', { cache: 'true' }, { selfHosted: true }, true, 'cache: true'],
    ['false, GitHub-hosted', { cache: 'false' }, { githubHosted: true }, false, 'cache: false'],
    [
      'true, no cache service',
      { cache: 'true' },
      { cacheService: false },
      false,
      'cache: true, but this runner offers no cache service (ACTIONS_RESULTS_URL is not set)'
    ],
    [
      'auto, GitHub-hosted, no cache service',
      {},
      { githubHosted: true, cacheService: false },
      false,
      'cache: auto, but this runner offers no cache service (ACTIONS_RESULTS_URL is not set)'
    ]
  ])('the Actions cache: %s', (_, given, f, enabled, why) => {
    expect(plan(inputs(given), facts(f)).cache).toEqual({ enabled, why })
  })

  test('Docker is asked only when the plan can depend on it', () => {
    const f = { privilege: 'sudo' as const, userNamespace: false }
    expect(needsDocker(inputs(), f)).toBe(false)
    expect(needsDocker(inputs({ verify: 'true' }), f)).toBe(true)
    expect(needsDocker(inputs({ verify: 'image' }), f)).toBe(true)
    expect(needsDocker(inputs({ registrar: 'container' }), f)).toBe(true)
    expect(needsDocker(inputs({ registrar: 'seed' }), f)).toBe(true)
    expect(needsDocker(inputs(), { privilege: 'none', userNamespace: false })).toBe(true)
    expect(needsDocker(inputs(), { privilege: 'root', userNamespace: true })).toBe(true)
  })
})

describe('the whole plan, as the preflight log shows it', () => {
  test.each<[string, Record<string, string>, Partial<Facts>, object]>([
    [
      'nothing to emulate',
      {},
      { emulated: 0 },
      {
        registrar: { name: 'none', why: 'nothing to emulate' },
        install: { name: 'nothing', why: 'nothing to emulate' },
        cleanup: { enabled: false, why: 'cleanup: auto on an ephemeral GitHub-hosted runner' }
      }
    ],
    [
      'a registrar image, apt asked for too',
      { registrar: 'container', install: 'apt', cleanup: 'true' },
      {},
      {
        registrar: { name: 'container', why: 'registrar: container' },
        install: { name: 'apt', why: 'install: apt (emulators on the host too)' },
        cleanup: { enabled: true, why: 'cleanup: true' }
      }
    ],
    [
      'a registrar image, download asked for too',
      { registrar: 'container', install: 'download', cleanup: 'false' },
      {},
      {
        install: { name: 'download', why: 'install: download (emulators on the host too)' },
        cleanup: { enabled: false, why: 'cleanup: false' }
      }
    ],
    [
      'a registrar image carries its emulators',
      { registrar: 'container' },
      {},
      { install: { name: 'nothing', why: 'the registrar image carries its emulators' } }
    ],
    [
      'registrar: none installs nothing',
      { registrar: 'none' },
      {},
      { install: { name: 'nothing', why: 'registrar: none' } }
    ],
    [
      'native, install: apt',
      { install: 'apt' },
      { privilege: 'root' },
      { install: { name: 'apt', why: 'install: apt' } }
    ],
    [
      'native, the host has static emulators',
      {},
      { hostEmulators: true },
      {
        install: {
          name: 'host',
          why: 'every emulator needed is already on the host, statically linked'
        }
      }
    ],
    [
      'native, nothing on the host',
      {},
      {},
      {
        install: {
          name: 'download',
          why: 'no static emulators on the host: verified download, apt if that fails',
          fallback: 'apt'
        }
      }
    ],
    [
      'no root, no Docker, registrar: none',
      { registrar: 'none' },
      { privilege: 'none', docker: 'Cannot connect' },
      { registrar: { name: 'none', why: 'registrar: none' } }
    ],
    [
      'verify: true without Docker is probe only',
      { verify: 'true' },
      { docker: 'Cannot connect' },
      {
        verify: {
          probe: true,
          image: false,
          note: 'verify: true without image verification: no Docker engine answers (Cannot connect).'
        }
      }
    ],
    [
      'verify: true with Docker is both',
      { verify: 'true' },
      { docker: '' },
      { verify: { probe: true, image: true } }
    ],
    [
      'verify: image',
      { verify: 'image' },
      { docker: '' },
      { verify: { probe: false, image: true } }
    ],
    [
      'verify: false',
      { verify: 'false' },
      { docker: '' },
      { verify: { probe: false, image: false } }
    ]
  ])('%s', (_, given, f, expected) => {
    expect(plan(inputs(given), facts(f))).toMatchObject(expected)
  })

  test('every refusal names the way out, in full', () => {
    const refusal = (given: Record<string, string>, f: Partial<Facts>) => {
      try {
        plan(inputs(given), facts(f))
      } catch (error) {
        return (error as Error).message
      }
      return 'accepted'
    }
    expect(refusal({}, { privilege: 'none', docker: 'Cannot connect' })).toMatch(
      /^registrar: native \(writing \/proc\/sys\/fs\/binfmt_misc\/register\) needs root, and this job runs as uid \d+ without passwordless sudo\. Run the job as root, grant the runner user passwordless sudo, add it to the docker group and use registrar: container, or, on a self-hosted runner, register the handlers once as root and use registrar: none\.$/
    )
    expect(refusal({}, { privilege: 'root', userNamespace: true, docker: 'no' })).toBe(
      'This job runs in a user namespace of its own (a rootless or user-namespaced container), where binfmt_misc is a separate instance: handlers registered there do nothing for the host. Run the job on the host, or in a container started with --privileged and no user namespace.'
    )
    expect(
      refusal({ registrar: 'container' }, { privilege: 'none', mounted: false, docker: '' })
    ).toBe(
      'binfmt_misc is not mounted on the host, and mounting it needs root, which this job lacks (a container cannot mount it for the host). Mount it once as root (mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc), or run the job with passwordless sudo.'
    )
    // nothing to emulate: nothing to refuse, whatever the host lacks
    expect(refusal({}, { emulated: 0, privilege: 'none', mounted: false, docker: 'no' })).toBe(
      'accepted'
    )
  })

  test('auto without root or Docker says why it falls back to native', () => {
    const why = (() => {
      try {
        return plan(inputs(), facts({ privilege: 'none', docker: 'Cannot connect' })).registrar.why
      } catch {
        return 'refused'
      }
    })()
    expect(why).toBe('refused')
    expect(
      needsDocker(inputs({ registrar: 'native' }), { privilege: 'none', userNamespace: false })
    ).toBe(false)
    expect(
      needsDocker(inputs({ registrar: 'none' }), { privilege: 'none', userNamespace: false })
    ).toBe(false)
  })
})
