/**
 * The GitHub runner's protocol for a JavaScript action: inputs from INPUT_* variables, outputs,
 * state, PATH and the job summary through the GITHUB_* files, workflow commands on stdout.
 *
 * Why not @actions/core: it imports @actions/http-client and undici at load time (for OIDC tokens
 * this action never asks for), which measured +150 ms per run on Node 24 (docs/benchmarks.md),
 * three times the whole budget of a warm run. The functions below keep @actions/core's names and
 * file formats, so they read the same.
 */
import { appendFileSync, writeSync } from 'node:fs'
import { EOL } from 'node:os'
import { delimiter } from 'node:path'

const escapeData = (s: string): string =>
  s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')

/**
 * Log lines go straight to fd 1: touching process.stdout builds a stream over the pipe (loading
 * node:net), which costs a warm run ~7 ms. A full non-blocking pipe (EAGAIN) falls back to it.
 */
function write(text: string): void {
  let rest = Buffer.from(text)
  try {
    while (rest.length > 0) rest = rest.subarray(writeSync(1, rest))
  } catch {
    process.stdout.write(rest)
  }
}

function command(name: string, message: string): void {
  write(`::${name}::${escapeData(message)}${EOL}`)
}

/**
 * `name<<DELIM` form, as the runner parses GITHUB_OUTPUT, GITHUB_STATE and GITHUB_ENV. The
 * delimiter is checked against the value rather than drawn from node:crypto, whose loading alone
 * costs a warm run about 10 ms.
 */
function appendKeyValue(file: string, name: string, value: string): void {
  let delimiter: string
  do
    delimiter = `ghadelimiter_${process.pid}_${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`
  while (value.includes(delimiter) || name.includes(delimiter))
  appendFileSync(file, `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`, 'utf8')
}

export function getInput(name: string): string {
  return (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim()
}

export function setOutput(name: string, value: string): void {
  const file = process.env.GITHUB_OUTPUT
  if (file) appendKeyValue(file, name, value)
  else write(`${EOL}::set-output name=${name}::${escapeData(value)}${EOL}`)
}

export function saveState(name: string, value: string): void {
  const file = process.env.GITHUB_STATE
  if (file) appendKeyValue(file, name, value)
  else write(`::save-state name=${name}::${escapeData(value)}${EOL}`)
}

export function getState(name: string): string {
  return process.env[`STATE_${name}`] ?? ''
}

export function addPath(dir: string): void {
  const file = process.env.GITHUB_PATH
  if (file) appendFileSync(file, `${dir}${EOL}`, 'utf8')
  else command('add-path', dir)
  process.env.PATH = `${dir}${delimiter}${process.env.PATH ?? ''}`
}

export function info(message: string): void {
  write(`${message}${EOL}`)
}

export function debug(message: string): void {
  command('debug', message)
}

export function warning(message: string): void {
  command('warning', message)
}

export function error(message: string): void {
  command('error', message)
}

/** One `::error::` line and exit code 1. */
export function setFailed(message: string): void {
  process.exitCode = 1
  error(message)
}

/** Output of `fn` folded under `name` in the log. */
export async function group<T>(name: string, fn: () => Promise<T>): Promise<T> {
  command('group', name)
  try {
    return await fn()
  } finally {
    command('endgroup', '')
  }
}

/** Appends markdown to the job summary (no-op outside a runner). */
export function appendSummary(markdown: string): void {
  const file = process.env.GITHUB_STEP_SUMMARY
  if (file) appendFileSync(file, `${markdown}${EOL}`, 'utf8')
}
