import { sameRegistration, type BinfmtEntry } from '../host/entry.js'
import type { KernelWriter } from '../host/kernel.js'
import type { Privilege } from '../host/privilege.js'
import type { Installation, RegistrationOutcome, RegistrationRequest } from '../model.js'
import { registerByPlan, registrationFor, wantedFlags, type Registrar } from './registrar.js'

/** Debian names its argv0-preserving wrappers `<cpu>-binfmt-P`; those need the P flag. */
const needsPreserveArgv0 = (interpreter: string): boolean => /-binfmt-P$/.test(interpreter)

/**
 * Writes register lines straight to /proc/sys/fs/binfmt_misc/register (as root or through sudo)
 * from the catalogue's magic and mask, with the installed emulators as interpreters.
 */
export class NativeRegistrar implements Registrar {
  readonly name = 'native'
  readonly remedy = 'Check the emulators installed above, or register with registrar: container.'

  constructor(
    readonly writer: KernelWriter,
    private readonly privilege: Privilege
  ) {}

  async prepare(): Promise<void> {
    this.privilege.require('registrar: native (writing /proc/sys/fs/binfmt_misc/register)')
  }

  async register(
    request: RegistrationRequest,
    current: readonly BinfmtEntry[],
    installation?: Installation
  ): Promise<RegistrationOutcome> {
    if (!installation) throw new Error('the native registrar needs installed emulators')
    const wanted = request.cpus.map(cpu => {
      const interpreter = installation.emulators.get(cpu) as string
      return {
        cpu,
        line: registrationFor(
          cpu,
          interpreter,
          wantedFlags(request, needsPreserveArgv0(interpreter))
        )
      }
    })
    for (const { cpu, line } of wanted) {
      const entry = current.find(e => e.name === line.name)
      const kept = entry?.enabled && sameRegistration(entry, line) && entry.flags.includes('F')
      if (!kept) await installation.pending?.get(cpu)?.()
    }
    await registerByPlan(
      this.writer,
      current,
      wanted.map(w => w.line),
      request.reset
    )
    return { notes: new Map() }
  }
}
