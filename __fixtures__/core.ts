/**
 * A typed fake of @actions/core for orchestration tests, as actions/typescript-action does it:
 * `jest.unstable_mockModule('@actions/core', () => core)` before importing the code under test.
 * Besides the jest.fn()s it keeps what a user would see: inputs given, outputs, state, secrets,
 * log lines, annotations and the job summary.
 */
import { jest } from '@jest/globals'
import type * as Core from '@actions/core'

export const seen = {
  inputs: {} as Record<string, string>,
  outputs: {} as Record<string, string>,
  state: {} as Record<string, string>,
  secrets: [] as string[],
  log: [] as string[],
  failed: [] as string[],
  warnings: [] as string[],
  summary: ''
}

/** Resets everything; `inputs` and `state` are what the runner would hand the step. */
export function reset(
  inputs: Record<string, string> = {},
  state: Record<string, string> = {}
): void {
  seen.inputs = { ...inputs }
  seen.outputs = {}
  seen.state = { ...state }
  seen.secrets = []
  seen.log = []
  seen.failed = []
  seen.warnings = []
  seen.summary = ''
  jest.clearAllMocks()
}

export const getInput = jest.fn<typeof Core.getInput>((name, options) => {
  const value = seen.inputs[name] ?? ''
  if (options?.required && !value) throw new Error(`Input required and not supplied: ${name}`)
  return options?.trimWhitespace === false ? value : value.trim()
})
export const getMultilineInput = jest.fn<typeof Core.getMultilineInput>(name =>
  (seen.inputs[name] ?? '')
    .split('\n')
    .filter(line => line !== '')
    .map(line => line.trim())
)
export const getBooleanInput = jest.fn<typeof Core.getBooleanInput>(name => {
  const value = (seen.inputs[name] ?? '').trim()
  if (['true', 'True', 'TRUE'].includes(value)) return true
  if (['false', 'False', 'FALSE'].includes(value)) return false
  throw new TypeError(`Input does not meet YAML 1.2 "Core Schema" specification: ${name}`)
})
export const setOutput = jest.fn<typeof Core.setOutput>((name, value) => {
  seen.outputs[name] = String(value)
})
export const saveState = jest.fn<typeof Core.saveState>((name, value) => {
  seen.state[name] = String(value)
})
export const getState = jest.fn<typeof Core.getState>(name => seen.state[name] ?? '')
export const setSecret = jest.fn<typeof Core.setSecret>(secret => {
  seen.secrets.push(secret)
})
export const setFailed = jest.fn<typeof Core.setFailed>(message => {
  seen.failed.push(String(message instanceof Error ? message.message : message))
})
export const info = jest.fn<typeof Core.info>(message => {
  seen.log.push(message)
})
export const debug = jest.fn<typeof Core.debug>(() => undefined)
export const isDebug = jest.fn<typeof Core.isDebug>(() => false)
export const warning = jest.fn<typeof Core.warning>(message => {
  seen.warnings.push(String(message))
})
export const error = jest.fn<typeof Core.error>(message => {
  seen.log.push(`::error::${String(message)}`)
})
export const notice = jest.fn<typeof Core.notice>(message => {
  seen.log.push(`::notice::${String(message)}`)
})
export const addPath = jest.fn<typeof Core.addPath>(() => undefined)
export const exportVariable = jest.fn<typeof Core.exportVariable>(() => undefined)
export const startGroup = jest.fn<typeof Core.startGroup>(name => {
  seen.log.push(`::group::${name}`)
})
export const endGroup = jest.fn<typeof Core.endGroup>(() => {
  seen.log.push('::endgroup::')
})
export const group = jest.fn(async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
  startGroup(name)
  try {
    return await fn()
  } finally {
    endGroup()
  }
}) as jest.MockedFunction<typeof Core.group>

/** The summary's builder methods the action uses, writing into `seen.summary`. */
const summaryFake = {
  addRaw: jest.fn((text: string, addEOL = false) => {
    seen.summary += text + (addEOL ? '\n' : '')
    return summaryFake
  }),
  write: jest.fn(async () => summaryFake)
}
export const summary = summaryFake as unknown as typeof Core.summary
