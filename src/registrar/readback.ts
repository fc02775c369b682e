import { handlerName } from '../catalogue.js'
import { RegistrationError } from '../errors.js'
import type { BinfmtEntry } from '../host/entry.js'
import type { RegistrationOutcome, RegistrationRequest } from '../model.js'

/**
 * The host's truth, not the registrar's exit code: every requested emulated platform must have an
 * enabled handler with the flags asked for. Returns the entries by CPU.
 */
export function checkHandlers(
  entries: readonly BinfmtEntry[],
  request: RegistrationRequest,
  outcome: RegistrationOutcome,
  remedy: string
): Map<string, BinfmtEntry> {
  const found = new Map<string, BinfmtEntry>()
  const problems: string[] = []
  for (const target of request.emulated) {
    const cpu = target.platform.cpu
    const name = handlerName(cpu)
    const entry = entries.find(e => e.name === name)
    const label = `${target.platform.name} (${name})`
    if (!entry) {
      const note = outcome.notes.get(cpu)
      problems.push(`${label} is not registered${note ? `: ${note}` : ''}`)
    } else if (!entry.enabled) {
      problems.push(`${label} is disabled`)
    } else if (request.persistent && !entry.flags.includes('F')) {
      problems.push(`${label} lacks the F flag (flags "${entry.flags}")`)
    } else if (request.credential && !entry.flags.includes('C')) {
      problems.push(`${label} lacks the C flag (flags "${entry.flags}")`)
    } else {
      found.set(cpu, entry)
    }
  }
  if (problems.length > 0) {
    throw new RegistrationError(
      `Handlers missing on the host after registration: ${problems.join('; ')}. ${remedy}`
    )
  }
  return found
}
