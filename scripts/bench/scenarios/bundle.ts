// Bundle load: bare `node -e 0` on Node 24 and on this machine's node, and the action's post step
// with nothing to do (STATE_isPost=true, no cleanup state), alternated pair by pair.
import { nodeVersion } from '../node.js'
import { type Bench, BenchError, check, tail } from '../context.js'
import { alternate, measure, perRunDiff, type RunOnce } from '../measure.js'

/** `node -e 0`, started by a job's worker like every step. */
export function bareNode(bench: Bench, node: string): RunOnce {
  const job = bench.job()
  return async i => {
    const r = await job.exec(node, ['-e', '0'])
    if (r.code !== 0) throw new BenchError(`node -e 0, run ${i}: exit ${r.code}\n${tail(r.stderr)}`)
    return r.ms
  }
}

export async function bundleLoad(bench: Bench): Promise<void> {
  const v24 = nodeVersion(bench.node24)
  const v20 = nodeVersion(bench.node20)
  const load: RunOnce = async i => {
    const r = await bench.step({}, { state: { isPost: 'true' } })
    check('bundle load (post step)', i, r)
    if (!/nothing to put back/.test(r.stdout)) {
      throw new BenchError(
        `bundle load, run ${i}: the post step did not say there is nothing to put back:\n${tail(r.stdout)}`
      )
    }
    r.job.remove()
    return r.ms
  }
  const s = await alternate({ bare24: bareNode(bench, bench.node24), load }, bench.measureOptions())
  bench.row('bare24', `bare \`node -e 0\` (Node ${v24})`, '', s.bare24)
  const bare20 = await measure(
    `bare node -e 0 (${v20})`,
    bareNode(bench, bench.node20),
    bench.measureOptions()
  )
  bench.row('bare20', `bare \`node -e 0\` (Node ${v20})`, 'this machine’s node', bare20)
  bench.row(
    'load',
    'bundle load: post step with nothing to do',
    '`STATE_isPost=true`, no `STATE_cleanup`',
    s.load
  )
  const over = perRunDiff(s.bare24, s.load)
  bench.row('loadOver', '↳ bundle load over bare node', 'per-run pairs, load − bare', over, {
    diff: true
  })
  // Before @actions/core came back (which alone adds more than that: see the empty action's row),
  // this was a target of its own; the warm run is now held against the empty action instead.
  bench.notes.push(
    `Loading the bundle adds ${over.median.toFixed(1)} ms over bare Node 24 (an earlier target, at most ` +
      '50 ms, predates the return to `@actions/core`, which alone adds more: the warm run is now ' +
      'held against an empty `@actions/core` action instead).'
  )
}
