// Statistics and the two ways the bench measures: one variant n times, or several variants
// alternated run by run (so they see the same machine conditions), with per-run differences and
// ratios between them.

export interface Stats {
  median: number
  min: number
  max: number
  n: number
  times: number[]
}

export function stats(values: number[]): Stats {
  const s = [...values].sort((a, b) => a - b)
  const mid = s.length >> 1
  const median = s.length === 0 ? NaN : s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2
  return { median, min: s[0], max: s[s.length - 1], n: s.length, times: values }
}

/** Milliseconds as text: whole above 100, one decimal below. */
export const ms = (v: number): string => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1))

export const ratioText = (s: Stats): string =>
  `${s.median.toFixed(2)}× (${s.min.toFixed(2)}–${s.max.toFixed(2)})`

/** `seed / value` as "N× faster" (or slower). */
export function vsSeed(value: number, seed: number | undefined): string {
  if (!seed || value <= 0) return '—'
  const r = seed / value
  if (r >= 1) return `${r >= 10 ? r.toFixed(0) : r.toFixed(1)}× faster`
  return `${(1 / r).toFixed(1)}× slower`
}

/** Runs i counts from -warmup (unmeasured) to n-1. */
export type RunOnce = (i: number) => Promise<number>

export interface MeasureOptions {
  n: number
  warmup: number
  /** Before every run (of every variant). */
  prepare?: (i: number) => void | Promise<void>
  log?: (message: string) => void
}

/** One variant: `warmup` unmeasured runs, then n measured ones. */
export async function measure(label: string, run: RunOnce, o: MeasureOptions): Promise<Stats> {
  const times: number[] = []
  for (let i = -o.warmup; i < o.n; i++) {
    await o.prepare?.(i)
    const t = await run(i)
    if (i >= 0) times.push(t)
  }
  const s = stats(times)
  o.log?.(`${label}: median ${ms(s.median)} ms (${ms(s.min)}–${ms(s.max)}, n=${o.n})`)
  return s
}

/** Several variants alternated run by run; `prepare` runs before each variant's run. */
export async function alternate<K extends string>(
  variants: Record<K, RunOnce>,
  o: MeasureOptions
): Promise<Record<K, Stats>> {
  const keys = Object.keys(variants) as K[]
  const times = Object.fromEntries(keys.map(k => [k, [] as number[]])) as Record<K, number[]>
  for (let i = -o.warmup; i < o.n; i++) {
    for (const k of keys) {
      await o.prepare?.(i)
      const t = await variants[k](i)
      if (i >= 0) times[k].push(t)
    }
  }
  const out = {} as Record<K, Stats>
  for (const k of keys) {
    out[k] = stats(times[k])
    o.log?.(`${k}: median ${ms(out[k].median)} ms (${ms(out[k].min)}–${ms(out[k].max)}, n=${o.n})`)
  }
  return out
}

/** Per-run b − a of two alternated variants. */
export const perRunDiff = (a: Stats, b: Stats): Stats =>
  stats(b.times.map((t, i) => t - a.times[i]))

/** Per-run a / b of two alternated variants. */
export const perRunRatio = (a: Stats, b: Stats): Stats =>
  stats(a.times.map((t, i) => t / b.times[i]))
