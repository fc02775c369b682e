import * as core from '../runner.js'
import { describe, RegistrationError } from '../errors.js'
import type { Binfmt } from '../host/binfmt.js'
import { registerLine, sameRegistration } from '../host/binfmt.js'
import type { Privilege } from '../host/privilege.js'
import type { Installation } from '../installer/index.js'
import {
  conflicts,
  registrationFor,
  throwOnConflicts,
  wantedFlags,
  type Registrar,
  type RegistrationOutcome,
  type RegistrationRequest
} from './registrar.js'

/** Debian names its argv0-preserving wrappers `<cpu>-binfmt-P`; those need the P flag. */
const needsPreserveArgv0 = (interpreter: string): boolean => /-binfmt-P$/.test(interpreter)

/**
 * Writes register lines straight to /proc/sys/fs/binfmt_misc/register from the catalogue's magic
 * and mask. Keeps identical entries, replaces different ones only when reset, touches nothing else.
 */
export class NativeRegistrar implements Registrar {
  readonly name = 'native'
  readonly needsHostEmulators = true
  readonly remedy = 'Check the emulators installed above, or register with registrar: container.'

  constructor(
    private readonly binfmt: Binfmt,
    private readonly privilege: Privilege
  ) {}

  async prepare(): Promise<void> {
    this.privilege.require('registrar: native (writing /proc/sys/fs/binfmt_misc/register)')
  }

  async register(
    request: RegistrationRequest,
    installation?: Installation
  ): Promise<RegistrationOutcome> {
    if (!installation) throw new Error('the native registrar needs installed emulators')
    const wanted = request.cpus.map(cpu => {
      const interpreter = installation.emulators.get(cpu) as string
      return registrationFor(
        cpu,
        interpreter,
        wantedFlags(request, needsPreserveArgv0(interpreter))
      )
    })
    const existing = await this.binfmt.list()
    if (!request.reset) throwOnConflicts(conflicts(existing, wanted))
    for (const w of wanted) {
      const entry = existing.find(e => e.name === w.name)
      if (entry?.enabled && sameRegistration(entry, w)) {
        core.info(`${w.name}: already registered as wanted, kept`)
        continue
      }
      if (entry) {
        core.info(
          `${w.name}: replacing (was ${entry.enabled ? '' : 'disabled, '}${entry.interpreter}, flags "${entry.flags}")`
        )
        await this.binfmt.remove(w.name).catch(error => {
          throw new RegistrationError(
            `Removing the existing ${w.name} handler to replace it failed: ${describe(error)}. ` +
              'Check that nothing else manages binfmt_misc on this runner, or set reset: false to keep it.'
          )
        })
      }
      const line = registerLine(w)
      try {
        await this.binfmt.register(line)
      } catch (error) {
        throw new RegistrationError(
          `Writing the ${w.name} handler (${line}) to ${this.binfmt.dir}/register failed: ${describe(error)}. ` +
            ((error as NodeJS.ErrnoException).code === 'ENOENT'
              ? `The interpreter ${w.interpreter} must exist when F is set.`
              : 'Check the kernel log (dmesg) and that no other tool is registering at the same time.')
        )
      }
      core.info(`${w.name}: registered ${w.interpreter} (flags "${w.flags}")`)
    }
    return { notes: new Map() }
  }
}
