import { actionDefaults } from '../../__fixtures__/action-defaults.js'
import { readInputs, type Inputs } from '../../src/inputs.js'
import { cacheImageNote, needsDocker, plan, unusedInputs, type Facts } from '../../src/plan.js'

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
  pinnedVersion: '10.0.13+ds-0+deb13u1',
  emulated: 2,
  cacheService: true,
  ownPidNamespace: false,
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
      'an image given alone: its container, as in docker/setup-qemu-action',
      { image: 'tonistiigi/binfmt:qemu-v10.2.3' },
      { privilege: 'root', docker: '' },
      'container',
      /^image: tonistiigi\/binfmt:qemu-v10\.2\.3 given, so its container registers \(as in docker\/setup-qemu-action\)$/
    ],
    [
      'an image and a registrar given: the registrar',
      { image: 'tonistiigi/binfmt', registrar: 'native' },
      { privilege: 'root' },
      'native',
      /^registrar: native$/
    ],
    [
      'an image and registrar: auto given: auto decides',
      { image: 'tonistiigi/binfmt', registrar: 'auto' },
      { privilege: 'root' },
      'native',
      /can act as root/
    ],
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
    [
      "auto, static emulators on the host: still the verified download, the host's if it fails",
      {},
      { hostEmulators: true },
      'download',
      'host'
    ],
    ['auto, none on the host: verified download, apt if it fails', {}, {}, 'download', 'apt'],
    [
      "auto, no pinned package for this host, emulators on it: the host's",
      {},
      { hostEmulators: true, unverifiable: 'no ppc64el package' },
      'host',
      undefined
    ],
    [
      'auto, no pinned package for this host, none on it: apt',
      {},
      { unverifiable: 'no ppc64el package' },
      'apt',
      undefined
    ],
    ['explicit apt', { install: 'apt' }, {}, 'apt', undefined],
    [
      'explicit download, emulators on the host',
      { install: 'download' },
      { hostEmulators: true },
      'download',
      undefined
    ],
    ['host: the host', { install: 'host' }, {}, 'host', undefined],
    ['none: the host (the older name of host)', { install: 'none' }, {}, 'host', undefined],
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

  test('cleanup: auto puts the host back on self-hosted runners only', () => {
    expect(plan(inputs(), facts({ selfHosted: true })).restore).toEqual({
      mode: 'restore',
      why: 'cleanup: auto on a self-hosted runner'
    })
    expect(plan(inputs(), facts()).restore.mode).toBe('hold')
    expect(plan(inputs({ cleanup: 'true' }), facts()).restore.mode).toBe('restore')
    expect(plan(inputs({ cleanup: 'false' }), facts({ selfHosted: true })).restore).toEqual({
      mode: 'hold',
      why: 'cleanup: false'
    })
  })

  test('the lock and the record are skipped only on a GitHub-hosted runner without cleanup', () => {
    expect(plan(inputs(), facts({ githubHosted: true })).restore.mode).toBe('none')
    expect(plan(inputs({ cleanup: 'false' }), facts({ githubHosted: true })).restore.mode).toBe(
      'none'
    )
    expect(plan(inputs({ cleanup: 'true' }), facts({ githubHosted: true })).restore.mode).toBe(
      'restore'
    )
    expect(plan(inputs(), facts({ selfHosted: true })).restore.mode).toBe('restore')
    // a runner that says neither (an older runner, act): the hold is recorded, to be safe
    expect(plan(inputs(), facts()).restore.mode).toBe('hold')
  })

  test('in a pid namespace of its own (a job container), no hold is recorded; cleanup: true is refused', () => {
    const inside = facts({ selfHosted: true, ownPidNamespace: true })
    expect(plan(inputs(), inside).restore).toEqual({
      mode: 'none',
      why: 'cleanup: auto in a pid namespace of its own (a job container): other jobs could not tell whether it still runs, so it records no hold and puts nothing back'
    })
    expect(plan(inputs({ cleanup: 'false' }), inside).restore.mode).toBe('none')
    expect(() => plan(inputs({ cleanup: 'true' }), inside)).toThrow(
      'cleanup: true needs the job to be seen from the host, and this job runs in a pid namespace of its own (a job container, or a runner in a container): other jobs could not tell whether it still runs, and would take its handlers away. Run the job on the host, or set cleanup: false.'
    )
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
        restore: { mode: 'hold', why: 'cleanup: auto on an ephemeral GitHub-hosted runner' }
      }
    ],
    [
      'a registrar image, apt asked for too',
      { registrar: 'container', install: 'apt', cleanup: 'true' },
      {},
      {
        registrar: { name: 'container', why: 'registrar: container' },
        install: { name: 'apt', why: 'install: apt (emulators on the host too)' },
        restore: { mode: 'restore', why: 'cleanup: true' }
      }
    ],
    [
      'a registrar image, download asked for too',
      { registrar: 'container', install: 'download', cleanup: 'false' },
      {},
      {
        install: { name: 'download', why: 'install: download (emulators on the host too)' },
        restore: { mode: 'hold', why: 'cleanup: false' }
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
          name: 'download',
          why: "install: auto: the pinned, verified QEMU 10.0.13+ds-0+deb13u1 (the tool cache, else a download); the host's own emulators only if it cannot be downloaded",
          fallback: 'host'
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
          why: 'install: auto: the pinned, verified QEMU 10.0.13+ds-0+deb13u1 (the tool cache, else a download); apt only if it cannot be downloaded',
          fallback: 'apt'
        }
      }
    ],
    [
      'native, install: host',
      { install: 'host' },
      { hostEmulators: true },
      {
        install: {
          name: 'host',
          why: "install: host: the host's own emulators, whatever their version"
        }
      }
    ],
    [
      'native, no pinned package for this host (ppc64el), static emulators on it',
      {},
      { hostEmulators: true, unverifiable: 'no ppc64el package' },
      {
        install: {
          name: 'host',
          why: "install: auto, and no download of QEMU 10.0.13+ds-0+deb13u1 can be verified on this host: the host's own emulators",
          unpinned: 'no ppc64el package'
        }
      }
    ],
    [
      'native, no pinned package for this host (ppc64el), none on it',
      {},
      { unverifiable: 'no ppc64el package' },
      {
        install: {
          name: 'apt',
          why: 'install: auto, and no download of QEMU 10.0.13+ds-0+deb13u1 can be verified on this host: apt',
          unpinned: 'no ppc64el package'
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

describe('inputs given that the route cannot use', () => {
  const warned = (
    given: Record<string, string>,
    f: Partial<Facts> = {},
    contract?: 'binfmt' | 'multiarch'
  ) => {
    const i = inputs(given)
    return unusedInputs(i, plan(i, facts(f)), contract)
  }

  test('defaults are never warned about, whatever the route', () => {
    for (const registrar of ['native', 'container', 'seed', 'none'])
      expect(warned({ registrar }, { docker: '' }, 'binfmt')).toEqual([])
    expect(warned({}, { emulated: 0 })).toEqual([])
  })

  test('the same values given explicitly are: "given" is what the workflow wrote', () => {
    expect(
      warned({
        registrar: 'native',
        image: 'multiarch/qemu-user-static:latest',
        install: 'none',
        'qemu-version': '10.0.13+ds-0+deb13u1'
      })
    ).toEqual([
      'Input "image" has no effect: registrar native (registrar: native) registers without a registrar image; it is used by registrar: container or seed.',
      'Input "qemu-version" has no effect: the emulators are the host\'s (install: none: the host\'s own emulators, whatever their version); it is used by install: download.'
    ])
  })

  test.each<
    [string, Record<string, string>, Partial<Facts>, 'binfmt' | 'multiarch' | undefined, string[]]
  >([
    [
      'download settings with apt',
      {
        install: 'apt',
        'download-url': 'https://m.example.com/q_{version}_{arch}.deb',
        checksums: `${'a'.repeat(64)}  q.deb`
      },
      {},
      undefined,
      [
        'Input "download-url" has no effect: the emulators come from apt (install: apt); it is used by install: download.',
        'Input "checksums" has no effect: the emulators come from apt (install: apt); it is used by install: download.'
      ]
    ],
    [
      'cache with apt: only a download is cached',
      { install: 'apt', cache: 'true' },
      {},
      undefined,
      [
        'Input "cache" has no effect: the emulators come from apt (install: apt); it is used by install: download.'
      ]
    ],
    ['cache with the download of install: auto', { cache: 'true' }, {}, undefined, []],
    [
      'cache-image where no registrar image is pulled',
      { 'cache-image': 'true' },
      {},
      undefined,
      [
        'Input "cache-image" has no effect: registrar native (this job can act as root (sudo), so it writes the handlers itself) registers without a registrar image; it is used by registrar: container or seed.'
      ]
    ],
    [
      'cache-image with a registrar image: no warning (a line in the log instead)',
      { image: 'tonistiigi/binfmt', 'cache-image': 'false' },
      { docker: '' },
      'binfmt',
      []
    ],
    [
      'qemu-version with an image registrar: the image carries its own',
      { image: 'tonistiigi/binfmt', 'qemu-version': '7.2.0-1' },
      { docker: '' },
      'binfmt',
      [
        'Input "qemu-version" has no effect: the emulators are not installed on the host (the registrar image carries its emulators); it is used by install: download.'
      ]
    ],
    [
      'reset: false with seed',
      { registrar: 'seed', reset: 'false' },
      { docker: '' },
      'multiarch',
      ['Input "reset" has no effect: registrar seed always resets every qemu-* entry (--reset).']
    ],
    [
      'reset: true with seed is what it does',
      { registrar: 'seed', reset: 'true' },
      { docker: '' },
      'multiarch',
      []
    ],
    [
      'credential: false with a tonistiigi/binfmt-style image',
      { image: 'tonistiigi/binfmt', credential: 'false' },
      { docker: '' },
      'binfmt',
      [
        'Input "credential" has no effect: a tonistiigi/binfmt-style registrar image always registers with C; use registrar: native, or a multiarch/qemu-user-static-style image, to register without it.'
      ]
    ],
    [
      'credential: false with a multiarch-style image',
      { image: 'x/y', credential: 'false' },
      { docker: '' },
      'multiarch',
      []
    ],
    [
      'credential: true with a tonistiigi/binfmt-style image',
      { image: 'x/y', credential: 'true' },
      { docker: '' },
      'binfmt',
      []
    ],
    [
      'verify-image without image verification',
      { verify: 'true', 'verify-image': 'alpine' },
      { docker: 'no engine' },
      undefined,
      [
        'Input "verify-image" has no effect: no image verification runs; it is used by verify: image or true.'
      ]
    ],
    [
      'verify-image with image verification',
      { verify: 'true', 'verify-image': 'alpine' },
      { docker: '' },
      undefined,
      []
    ],
    [
      'nothing to emulate: the image says so',
      { image: 'tonistiigi/binfmt' },
      { emulated: 0 },
      undefined,
      [
        'Input "image" has no effect: registrar none (nothing to emulate) registers without a registrar image; it is used by registrar: container or seed.'
      ]
    ]
  ])('%s', (_, given, f, contract, expected) => {
    expect(warned(given, f, contract)).toEqual(expected)
  })
})

describe('cache-image, until the registrar image is cached', () => {
  const note = (given: Record<string, string>, f: Partial<Facts> = {}) => {
    const i = inputs(given)
    return cacheImageNote(i, plan(i, facts(f)))
  }

  test.each([
    [
      'container',
      { image: 'tonistiigi/binfmt:qemu-v10.2.3', 'cache-image': 'true' },
      'true',
      'tonistiigi/binfmt:qemu-v10.2.3'
    ],
    [
      'seed',
      { registrar: 'seed', 'cache-image': 'false' },
      'false',
      'multiarch/qemu-user-static:latest'
    ]
  ])(
    'given with registrar %s: one line saying the image is pulled as usual',
    (_, given, value, image) => {
      expect(note(given, { docker: '' })).toBe(
        `cache-image: ${value} has no effect yet: the registrar image ${image} is pulled as usual, not kept in GitHub's Actions cache between jobs.`
      )
    }
  )

  test('not given, or no registrar image on the route: no line (unusedInputs warns of the latter)', () => {
    expect(note({ image: 'tonistiigi/binfmt' }, { docker: '' })).toBeUndefined()
    expect(note({ 'cache-image': 'true' })).toBeUndefined()
    expect(note({ 'cache-image': 'true', registrar: 'none' })).toBeUndefined()
  })
})
