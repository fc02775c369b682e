// Jobs of a self-hosted runner (cleanup on, one kernel for all), and the quickest inputs for them.
import { newJob, type Job, type User } from './action.js'

/** A runner job of its own: its worker process, GITHUB_JOB and RUNNER_ENVIRONMENT=self-hosted. */
export const selfHosted = (name: string, user?: User, tag = 'selfhosted'): Job =>
  newJob({
    tag,
    user,
    identity: { GITHUB_JOB: name, RUNNER_NAME: `runner-${name}`, RUNNER_ENVIRONMENT: 'self-hosted' }
  })

/** The native registrar with the host's static emulators: quick, and no Docker involved. */
export const native = (platforms: string) => ({
  registrar: 'native',
  install: 'none',
  verify: 'false',
  platforms
})
