#!/usr/bin/env node
// Runs the action here exactly as a GitHub runner does: action.yml defaults filled in as
// INPUT_* variables, fresh GITHUB_OUTPUT/STATE/STEP_SUMMARY/PATH files, RUNNER_TEMP and
// RUNNER_TOOL_CACHE; then the post step with the saved state. Overrides: name=value arguments.
//   npm run local-action -- platforms=arm64,riscv64 registrar=native cleanup=true
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { actionDefaults, inputEnvName, parseFileCommands } from './runner-emulation.mjs'

const root = new URL('..', import.meta.url).pathname
const inputs = actionDefaults()
for (const arg of process.argv.slice(2)) {
  const eq = arg.indexOf('=')
  if (eq < 1 || !(arg.slice(0, eq) in inputs)) {
    console.error(`not an input of action.yml: ${arg} (inputs: ${Object.keys(inputs).join(', ')})`)
    process.exit(2)
  }
  inputs[arg.slice(0, eq)] = arg.slice(eq + 1)
}

const dir = mkdtempSync(join(tmpdir(), 'local-action-'))
const files = {}
for (const f of [
  'GITHUB_OUTPUT',
  'GITHUB_STATE',
  'GITHUB_STEP_SUMMARY',
  'GITHUB_PATH',
  'GITHUB_ENV'
]) {
  files[f] = join(dir, f.toLowerCase())
  writeFileSync(files[f], '')
}
const env = {
  ...process.env,
  ...files,
  RUNNER_TEMP: dir,
  RUNNER_TOOL_CACHE: process.env.RUNNER_TOOL_CACHE || join(tmpdir(), 'local-action-tool-cache')
}
for (const [k, v] of Object.entries(inputs)) env[inputEnvName(k)] = v

const main = spawnSync(process.execPath, [join(root, 'dist/index.js')], { env, stdio: 'inherit' })
console.log(
  '\noutputs:',
  JSON.stringify(parseFileCommands(readFileSync(files.GITHUB_OUTPUT, 'utf8')), null, 2)
)
const state = parseFileCommands(readFileSync(files.GITHUB_STATE, 'utf8'))
for (const [k, v] of Object.entries(state)) env[`STATE_${k}`] = v
console.log('\npost step:')
const post = spawnSync(process.execPath, [join(root, 'dist/index.js')], { env, stdio: 'inherit' })
process.exit(main.status || post.status || 0)
