// docs/benchmarks.md: the machine, the table of medians (with ratios against the seed path), the
// targets with PASS/FAIL, and notes on method and on what the log says each phase cost.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Bench, Row } from './context.js'
import { ms, type Stats, stats, vsSeed } from './measure.js'
import type { Machine } from './node.js'

/** Median of the phase times collected over a scenario's runs, as text. */
function phaseText(values: (number | undefined)[] | undefined): string {
  const v = (values ?? []).filter((x): x is number => x !== undefined && !Number.isNaN(x))
  return v.length === 0 ? '(not found in the log)' : `${ms(stats(v).median)} ms`
}

function tableRow(r: Row, seed: number | undefined): string {
  const med = r.median ?? NaN
  const vs = r.diff ? '—' : r.key === 'a' ? '1 (baseline)' : vsSeed(med, seed)
  return `| ${r.scenario} | ${r.settings} | ${ms(med)} | ${ms(r.min ?? NaN)}–${ms(r.max ?? NaN)} | ${vs} |`
}

export function writeReport(bench: Bench, m: Machine, started: Date): void {
  const seed = bench.rows.find(r => r.key === 'a')?.median
  const table = [
    '| scenario | settings | median ms | min–max ms | vs (a) |',
    '| --- | --- | ---: | ---: | --- |',
    ...bench.rows.map(r => tableRow(r, seed))
  ]
  const targets = bench.targets.map(t => `- ${t.ok ? 'PASS' : 'FAIL'}: ${t.text}`)
  const ph = bench.phases
  const f = bench.facts as {
    cold?: { emulators: string[]; perRun: number; mbPerRun: number }
    probe?: { platforms: number; programs: number }
    qemuStart?: Stats
    image?: string
  }
  const { runs, seedRuns, warmup } = bench.opts
  const notes = [
    `Each row is the median of ${runs} runs (${seedRuns} for (a)) after ${warmup} unmeasured ` +
      'warm-up run(s); wall time from spawning the child process to its exit, measured by the ' +
      'job’s worker process (`process.hrtime`). Rows marked ↳ are differences of runs alternated ' +
      'pair by pair under the same conditions (median and range of the per-pair differences), not ' +
      'differences of medians; ratios in the targets are medians of per-run ratios likewise.',
    'The action runs as `node dist/index.js`, a child of a per-job worker process standing in for ' +
      'GitHub’s Runner.Worker (test-support/runner.ts), with every input of action.yml as ' +
      '`INPUT_<NAME>` (defaults filled in), fresh `GITHUB_OUTPUT`/`GITHUB_STATE`/' +
      '`GITHUB_STEP_SUMMARY`/`GITHUB_ENV`/`GITHUB_PATH` files, `RUNNER_TEMP` and ' +
      '`RUNNER_TOOL_CACHE`, `RUNNER_ENVIRONMENT=github-hosted` (so `cleanup: auto` saves no state). ' +
      'Every run is checked: exit 0, no `::error::`, `outputs.verified` and `outputs.registrar` as expected.',
    '(a) is what a re-run of the seed recipe costs on a runner where the package is already ' +
      'there: `apt-get install qemu-user-static` of an installed package (reads the package lists, ' +
      `installs nothing: ${phaseText(ph.apt)} here, from the log), then the registrar container ` +
      `from a local image (\`docker run --privileged … --reset -p yes\`: ${phaseText(ph.container)}; ` +
      'no pull: on GitHub a first run also pulls the ~300 MB multiarch image from Docker Hub, not ' +
      `measured here). This machine has ${m.dpkgArches} dpkg architectures (setup.sh adds the ` +
      'foreign ones for busybox), so apt reads several times the package lists of a GitHub runner ' +
      'and (a) is slower here than there; the ratios against (a) are correspondingly flattering.',
    `(b) downloads Debian's qemu-user .deb once per run (~${(f.cold?.mbPerRun ?? 0).toFixed(0)} MB) ` +
      'from a node:http server on 127.0.0.1 with the pool layout, verifies it against the pinned ' +
      `SHA-256 as it streams, and writes the ${f.cold?.emulators.length} emulators asked for ` +
      `(${f.cold?.emulators.join(', ')}); xz is stopped once they are out. No network latency or ` +
      'bandwidth limit here, so from deb.debian.org a cold download costs more. The Install QEMU ' +
      `phase took ${phaseText(ph.download)} of it. The floor row is the same file unpacked from local ` +
      'disk by `dpkg-deb --fsys-tarfile X.deb | tar -x` of the same members (dpkg-deb decompresses ' +
      'in-process, on several threads).',
    '(c) makes no download request (asserted: the server counted 0 requests over all warm runs) ' +
      'and registers nothing: the handlers are already what it would register. Of its wall time, ' +
      `${phaseText(ph.warmInside)} is the action's own work (its "Ready … in N ms" line); the ` +
      `first log line arrives ${phaseText(ph.warmFirstLine)} after spawning node (Node start-up ` +
      'plus loading the bundle); the rest is exiting.',
    'The empty action is `import * as core from "@actions/core"; core.setOutput("x", "y")`, ' +
      'bundled by the bench with `npx ncc build` (ESM, as this action is built) and run as a step ' +
      'of its own job, alternated with bare node and (c): the floor for any node action built the ' +
      'usual way.',
    `(d) serial is the sum of one \`docker run --rm --platform P\` after another; each re-pulls the ` +
      'platform’s manifest from the loopback registry because one tag holds one platform locally. ' +
      'The action pulls one at a time too (a pull retags the image), then runs the containers ' +
      `concurrently from image IDs: from the log, the pulls took ${phaseText(ph.pulls)} and the ` +
      `concurrent containers ${phaseText(ph.containers)}. Starting a container is CPU-bound on ` +
      'these 2 cores (and every runc call goes through the bench’s capability-filtering wrapper, a ' +
      `bash + jq script), so the action’s run with image verification ${f.image ?? ''}`,
    `Probe verification runs one emulator start per CPU (arm/v7 and arm/v6 share one), ` +
      'concurrently, each emulated one in an empty chroot. The probe floor starts the same ' +
      `${f.probe?.programs} programs directly from one shell (\`for p in …; do ./$p & done; wait\`), ` +
      'through the same handlers. For scale: one `qemu-aarch64-static busybox uname -m` started ' +
      `directly takes ${ms(f.qemuStart?.median ?? NaN)} ms here (median of ${f.qemuStart?.n}).`,
    'Other work on this 2-core machine during the run shows up as noise in the min–max columns.',
    ...bench.notes
  ]
  const doc = [
    '# Benchmarks',
    '',
    `Measured ${started.toISOString().replace(/\.\d+Z$/, 'Z')} by \`npm run bench\` (scripts/bench/).`,
    '',
    `- Machine: ${m.cpus} × ${m.model}, ${m.mem} RAM, kernel ${m.kernel}, ${m.os}`,
    `- Node: ${m.node24} (runs the action, as GitHub does) and ${m.node20} (bare-node row)`,
    `- Docker engine ${m.docker} (client ${m.dockerClient}), ${m.qemu}`,
    '',
    'Reproduce (as root; sets up the e2e bench, runs, tears it down and restores binfmt_misc):',
    '',
    '```sh',
    'sudo npm run bench            # --runs=7 --seed-runs=5 --warmup=1 by default',
    '```',
    '',
    '## Results',
    '',
    ...table,
    '',
    '## Targets',
    '',
    ...targets,
    '',
    '## Notes',
    '',
    ...notes.map(n => `- ${n}`),
    ''
  ].join('\n')
  mkdirSync(dirname(bench.opts.out), { recursive: true })
  writeFileSync(bench.opts.out, doc)
  console.log(`\n${table.join('\n')}\n\n${targets.join('\n')}\n`)
  console.log(`[bench] wrote ${bench.opts.out}`)
}
