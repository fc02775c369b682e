/**
 * The runner reads every stdout line that starts with `::` as a workflow command, and
 * core.info() does not escape. Text the action did not write itself in this run (a shared file,
 * another process) goes through `printable` before it is logged.
 */

/** How much of a foreign text a log line shows. */
export const MAX_SHOWN = 200

/**
 * `text` as one harmless piece of a log line: control characters (newlines included) and
 * anything outside printable ASCII as `\xHH` / `\u{H}`, at most `max` characters (then `…`),
 * and a leading `::` broken up so that it cannot start a workflow command.
 */
export function printable(text: string, max: number = MAX_SHOWN): string {
  let out = ''
  for (const c of text) {
    const code = c.codePointAt(0) as number
    out +=
      code < 0x20 || code === 0x7f
        ? `\\x${code.toString(16).padStart(2, '0')}`
        : code > 0x7e
          ? `\\u{${code.toString(16)}}`
          : c === '\\'
            ? '\\\\'
            : c
  }
  if (out.length > max) out = `${out.slice(0, max)}…`
  return out.replace(/^(\s*):/, '$1\\x3a')
}
