/**
 * What the main step hands the post step, and the job both act for. The post step reads it from
 * the runner's state file, which the job's own steps could change: nothing in it reaches root
 * that the job could not do itself (the route is the job's own, the record root's).
 */
import type { RouteSpec } from '../host/kernel.js'
import type { Liveness } from './record.js'
import type { KeeperRoute, RestoreMode } from './route.js'

/** A job as the runner identifies it, and its runner process (the step's parent). */
export interface Job {
  readonly key: string
  readonly pid: number
  readonly started: string
}

export function currentJob(live: Liveness, env: NodeJS.ProcessEnv = process.env): Job {
  const key = ['GITHUB_RUN_ID', 'GITHUB_RUN_ATTEMPT', 'GITHUB_JOB', 'RUNNER_NAME', 'GITHUB_ACTION']
    .map(name => env[name] || '-')
    .join('/')
  return { key, pid: process.ppid, started: live.started(process.ppid) ?? '' }
}

export interface Session {
  readonly job: Job
  /** Plan.restore's mode, after withRoute. */
  readonly restore: RestoreMode
  /** How the main step wrote to binfmt_misc: the post step puts back the same way. */
  readonly route: RouteSpec
  /** How the main step reached the record; absent when it recorded nothing. */
  readonly keeper?: KeeperRoute
}
