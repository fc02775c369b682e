import type { RegistrationOutcome } from '../model.js'
import type { Registrar } from './registrar.js'

/** Registers nothing: checks and verifies handlers someone else registered (registrar: none). */
export class NoRegistrar implements Registrar {
  readonly name = 'none'
  readonly remedy =
    'registrar is none, so they must be registered before this step; use registrar: auto to register them.'

  async prepare(): Promise<void> {}

  async register(): Promise<RegistrationOutcome> {
    return { notes: new Map() }
  }
}
