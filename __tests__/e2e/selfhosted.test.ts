// Self-hosted runners (issue 11): many jobs, one kernel. Every job here is a runner job of its own
// (its own worker process, GITHUB_JOB and RUNNER_ENVIRONMENT=self-hosted, so cleanup is on),
// sharing this machine's binfmt_misc and the action's lock and record in /tmp/setup-cross-arch.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import {
  clearQemuEntries,
  entryNames,
  expectFailure,
  expectHostRestored,
  expectSuccess,
  hostUname,
  IMAGES,
  mountBinfmt,
  registerEntry,
  runAction,
  runPost,
  native,
  selfHosted,
  snapshotBinfmt,
  useBench
} from './helpers/index.js'
import { emulatorFor } from '../../src/catalogue.js'

useBench()

const qemu = () =>
  entryNames()
    .filter(n => n.startsWith('qemu-'))
    .sort()

/**
 * A handler the host had before any job came, registered without C (so the jobs, which register
 * OCF by default, replace it, and the last one out puts it back).
 */
function distroAarch64(): void {
  const e = emulatorFor('aarch64')
  registerEntry(`:qemu-aarch64:M::${e.magic}:${e.mask}:/usr/bin/qemu-aarch64-static:F`)
}

describe('two jobs on one kernel', () => {
  it('interleaved: main A, main B, post A, post B', async () => {
    mountBinfmt()
    clearQemuEntries()
    distroAarch64()
    const before = snapshotBinfmt()
    const a = selfHosted('a')
    const b = selfHosted('b')
    const mainA = await runAction({ job: a, scenario: 'A main', inputs: native('arm64,s390x') })
    expectSuccess(mainA)
    const mainB = await runAction({ job: b, scenario: 'B main', inputs: native('arm64,riscv64') })
    expectSuccess(mainB)
    expect(qemu()).toEqual(['qemu-aarch64', 'qemu-riscv64', 'qemu-s390x'])

    const postA = await runPost(mainA, { scenario: 'A post' })
    expectSuccess(postA)
    expect(postA.stdout).toMatch(
      /qemu-aarch64: left as it is, another job on this runner still holds it/
    )
    expect(qemu()).toEqual(['qemu-aarch64', 'qemu-riscv64'])
    expect(await hostUname('arm64')).toBe('aarch64')

    const postB = await runPost(mainB, { scenario: 'B post' })
    expectSuccess(postB)
    expectHostRestored(before)
  })

  it('racing: two main steps started at once for overlapping platforms, 20 times', async () => {
    mountBinfmt()
    clearQemuEntries()
    distroAarch64()
    const before = snapshotBinfmt()
    for (let i = 0; i < 20; i++) {
      const a = selfHosted(`race-a-${i}`)
      const b = selfHosted(`race-b-${i}`)
      const [mainA, mainB] = await Promise.all([
        runAction({ job: a, inputs: native('arm64,s390x') }),
        runAction({ job: b, inputs: native('arm64,riscv64') })
      ])
      expectSuccess(mainA)
      expectSuccess(mainB)
      expect(`${i}: ${qemu().join(',')}`).toBe(`${i}: qemu-aarch64,qemu-riscv64,qemu-s390x`)
      const [postA, postB] = await Promise.all([runPost(mainA), runPost(mainB)])
      expectSuccess(postA)
      expectSuccess(postB)
      expectHostRestored(before)
      a.remove()
      b.remove()
    }
  })

  it('a job killed before its post step does not hold its handlers forever', async () => {
    mountBinfmt()
    clearQemuEntries()
    const before = snapshotBinfmt()
    const dead = selfHosted('dead')
    expectSuccess(
      await runAction({ job: dead, scenario: 'dead main', inputs: native('arm64,s390x') })
    )
    dead.kill() // the runner process of that job is gone: no post step will ever come
    const b = selfHosted('b')
    const mainB = await runAction({ job: b, scenario: 'B main', inputs: native('riscv64') })
    expectSuccess(mainB)
    expectSuccess(await runPost(mainB, { scenario: 'B post' }))
    expectHostRestored(before)
  })
})

describe('without root: a runner user in the docker group', () => {
  const name = 'e2e-docker-user'
  let user: { uid: number; gid: number; groups: number[] }
  beforeAll(() => {
    execFileSync('useradd', [
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      '--groups',
      'docker',
      name
    ])
    const id = (flag: string) =>
      Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim())
    const docker = Number(readFileSync('/etc/group', 'utf8').match(/^docker:x:(\d+):/m)?.[1])
    user = { uid: id('-u'), gid: id('-g'), groups: [docker] }
  })
  afterAll(() => {
    execFileSync('userdel', [name])
  })

  it('main and post both succeed through the privileged container, and the host is put back', async () => {
    mountBinfmt()
    clearQemuEntries()
    distroAarch64()
    const before = snapshotBinfmt()
    const job = selfHosted('docker-user', user)
    const main = await runAction({
      job,
      user,
      scenario: 'docker-group user main',
      inputs: {
        registrar: 'auto',
        image: IMAGES.registrar,
        platforms: 'arm64,s390x',
        cleanup: 'true'
      }
    })
    expectSuccess(main)
    expect(main.outputs.registrar).toBe('container')
    expect(main.stdout).toMatch(/privileges: none/)
    expect(await hostUname('s390x')).toBe('s390x')
    const post = await runPost(main, { scenario: 'docker-group user post' })
    expectSuccess(post)
    expectHostRestored(before)
  })

  it('without Docker either, it says so before anything changes', async () => {
    const before = snapshotBinfmt()
    const r = await runAction({
      job: selfHosted('no-docker', user),
      user,
      inputs: { platforms: 'arm64' },
      env: { DOCKER_HOST: 'unix:///nonexistent.sock' }
    })
    expectFailure(r, /needs root/, /docker group and use registrar: container/)
    expect(snapshotBinfmt()).toEqual(before)
  })
})
