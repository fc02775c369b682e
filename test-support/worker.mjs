// A job's long-lived runner process, standing in for GitHub's Runner.Worker: on GitHub every step
// of a job is a child of one Runner.Worker process that lives for the whole job, so a step's
// process.ppid names the job and stays alive between the main and the post step. One of these is
// started per Job by test-support/runner.ts (node worker.mjs, with an IPC channel); it runs each
// requested program as ITS child and reports back. Killing it (SIGKILL) is a job that died.
//
// Requests:  { type: 'run', id, file, args, env, cwd, timeoutMs, echo }
//            (echo: also copy the program's output to the worker's own stdout/stderr as it comes)
// Replies:   { type: 'ready', pid }
//            { type: 'started', id, pid }
//            { type: 'done', id, pid, code, signal, stdout, stderr, lines, ms, timedOut }
//            { type: 'failed', id, message }   (the program could not be started)
// `ms` is the wall time from spawn to exit, measured here with process.hrtime; `lines` are the
// stdout lines with the time each arrived (ms after spawn). Each program leads its own process
// group, so a timeout kills what it started too. On SIGTERM, or when its parent goes away, the
// worker kills what it runs and exits; SIGKILL leaves its programs running, as a dead runner would.
import { spawn } from 'node:child_process'
import { clearTimeout, setTimeout } from 'node:timers'

const running = new Map()

function killGroup(child) {
  try {
    process.kill(-child.pid, 'SIGKILL')
  } catch {
    child.kill('SIGKILL')
  }
}

function run({ id, file, args, env, cwd, timeoutMs, echo }) {
  const t0 = process.hrtime.bigint()
  const since = () => Number(process.hrtime.bigint() - t0) / 1e6
  let child
  let timer
  try {
    child = spawn(file, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  } catch (e) {
    process.send({ type: 'failed', id, message: e.message })
    return
  }
  let stdout = ''
  let stderr = ''
  let partial = ''
  let exitedAt
  let timedOut = false
  const lines = []
  child.on('error', e => {
    running.delete(id)
    clearTimeout(timer)
    process.send({ type: 'failed', id, message: `${file}: ${e.message}` })
  })
  if (child.pid === undefined) return
  running.set(id, child)
  process.send({ type: 'started', id, pid: child.pid })
  timer = setTimeout(() => {
    timedOut = true
    killGroup(child)
  }, timeoutMs)
  child.stdout.setEncoding('utf8').on('data', d => {
    if (echo) process.stdout.write(d)
    stdout += d
    const t = since()
    const parts = (partial + d).split('\n')
    partial = parts.pop()
    for (const line of parts) lines.push({ t, line })
  })
  child.stderr.setEncoding('utf8').on('data', d => {
    if (echo) process.stderr.write(d)
    stderr += d
  })
  child.on('exit', () => (exitedAt = since()))
  child.on('close', (code, signal) => {
    clearTimeout(timer)
    running.delete(id)
    const ms = exitedAt ?? since()
    if (partial) lines.push({ t: ms, line: partial })
    process.send({
      type: 'done',
      id,
      pid: child.pid,
      code,
      signal,
      stdout,
      stderr,
      lines,
      ms,
      timedOut
    })
  })
}

process.on('message', msg => {
  if (msg && msg.type === 'run') run(msg)
})
const stop = () => {
  for (const child of running.values()) killGroup(child)
  process.exit(0)
}
process.on('disconnect', stop)
process.on('SIGTERM', stop)
process.send({ type: 'ready', pid: process.pid })
