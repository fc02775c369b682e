import type { Target } from '../registrar/index.js'
import { lastLine } from '../tools/exec.js'
import type { Docker } from '../tools/docker.js'
import { expectedMachine, type Verdict } from './verifier.js'

/**
 * The seed's check: `uname -m` in a target-arch container. Pulls run one at a time (each pull of
 * a multi-arch tag retags it, so pull and resolve to an image ID must not interleave); the
 * containers then run concurrently from those IDs.
 */
export async function verifyByImage(
  targets: readonly Target[],
  hostMachine: string,
  docker: Docker,
  override: string
): Promise<Verdict[]> {
  const resolved: {
    target: Target
    image: string
    id?: string
    problem?: string
    skipped?: string
  }[] = []
  for (const target of targets) {
    const image = override || target.platform.verifyImage
    if (!image) {
      resolved.push({
        target,
        image: '',
        skipped: `no default verify image has ${target.platform.name}; set verify-image to check it`
      })
      continue
    }
    const pulled = await docker.pull(image, target.platform.name)
    if (pulled.code !== 0) {
      const why = lastLine(pulled.stderr)
      const absent =
        /no matching manifest|does not provide the specified platform|not found.*platform/i.test(
          why
        )
      resolved.push({
        target,
        image,
        problem: absent
          ? `${image} has no ${target.platform.name} variant (${why}); name an image that has one in verify-image, or use verify: probe`
          : `could not pull ${image} for ${target.platform.name}: ${why}; check verify-image and that its registry is reachable`
      })
      continue
    }
    resolved.push({ target, image, id: await docker.imageId(image) })
  }
  return Promise.all(
    resolved.map(async ({ target, image, id, problem, skipped }): Promise<Verdict> => {
      if (skipped) return { target, skipped }
      if (problem || !id)
        return { target, problem: problem ?? `${image} could not be resolved after pulling` }
      const result = await docker.run(id, ['uname', '-m'])
      const expected = expectedMachine(target, hostMachine)
      if (result.code !== 0) {
        const why = lastLine(result.stderr)
        return {
          target,
          problem: /exec format error/i.test(result.stderr)
            ? `${image} (${target.platform.name}) failed with exec format error: no working handler inside containers (was it registered with F?)`
            : `uname -m in ${image} (${target.platform.name}) exited ${result.code}: ${why}`
        }
      }
      const machine = result.stdout.trim()
      if (machine !== expected) {
        return {
          target,
          machine,
          problem: `${image} for ${target.platform.name} printed ${machine || '(nothing)'}, expected ${expected}`
        }
      }
      return { target, machine }
    })
  )
}
