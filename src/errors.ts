/**
 * Every failure the user sees is one of these: one line saying what went wrong, which input or
 * platform, and what to do about it.
 */
export class ActionError extends Error {
  constructor(message: string) {
    super(message.replace(/\s*\n\s*/g, ' ').trim())
    this.name = new.target.name
  }
}

/** A bad input, found before anything on the machine changes. */
export class InputError extends ActionError {
  constructor(input: string, problem: string, remedy: string) {
    super(`Input "${input}": ${problem}. ${remedy}`)
  }
}

/** Something the host lacks that the chosen path needs (root, Docker, binfmt_misc, Linux). */
export class HostError extends ActionError {}

/** Registration did not leave the host in the state asked for. */
export class RegistrationError extends ActionError {}

/** Emulators could not be installed or found. */
export class InstallError extends ActionError {}

/** A registered handler was shown not to work. */
export class VerificationError extends ActionError {}

/** The text of any thrown value, on one line. */
export function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  return text.replace(/\s*\n\s*/g, ' ').trim()
}
