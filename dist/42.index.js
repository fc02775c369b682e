export const id = 42;
export const ids = [42];
export const modules = {

/***/ 7042:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  ContainerRegistrar: () => (/* binding */ ContainerRegistrar),
  SeedRegistrar: () => (/* binding */ SeedRegistrar),
  imageWriter: () => (/* binding */ imageWriter)
});

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 7 modules
var core = __webpack_require__(3838);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./src/tools/exec.ts
var exec = __webpack_require__(2122);
// EXTERNAL MODULE: ./src/catalogue.ts
var catalogue = __webpack_require__(2834);
// EXTERNAL MODULE: ./src/host/entry.ts
var entry = __webpack_require__(8926);
// EXTERNAL MODULE: ./src/host/kernel.ts
var kernel = __webpack_require__(3853);
;// CONCATENATED MODULE: ./src/registrar/image.ts
/**
 * Registrar images and the two contracts the action drives them by:
 *
 * - multiarch/qemu-user-static style: entrypoint `/register`, a busybox shell, emulators at
 *   `/usr/bin/qemu-<cpu>-static`. The action does not run `/register` (which registers every
 *   handler and resets every qemu-* entry on the host) but the image's shell, writing exactly the
 *   action's register lines with F, so the kernel opens the interpreter inside the image.
 * - tonistiigi/binfmt style: entrypoint `/usr/bin/binfmt`, no shell, emulators at
 *   `/usr/bin/qemu-<cpu>`; `--install <list>` / `--uninstall <names>`, registers flags CF (P too
 *   with QEMU_PRESERVE_ARGV0), exits 0 even when an install fails.
 *
 * Both routes run `docker run --rm --privileged --network none --pull never`: the image was
 * pulled in preflight, and nothing they do needs the network.
 */





/** Where an image of each contract keeps the emulator for a CPU. */
function imageInterpreter(contract, cpu) {
    return contract === 'multiarch' ? `/usr/bin/qemu-${cpu}-static` : `/usr/bin/qemu-${cpu}`;
}
/** Reads an image's contract from its entrypoint. */
async function inspectImage(docker, image) {
    const config = await docker.imageConfig(image);
    const entrypoint = config?.entrypoint ?? [];
    const env = config?.env ?? [];
    // Stryker disable next-line BooleanLiteral: only the tonistiigi contract reads preserveArgv0
    if (entrypoint[0] === '/register')
        return { contract: 'multiarch', preserveArgv0: false };
    if (entrypoint[0] === '/usr/bin/binfmt') {
        return {
            contract: 'binfmt',
            preserveArgv0: env.some(e => /^QEMU_PRESERVE_ARGV0=./.test(e))
        };
    }
    throw new errors/* HostError */.dh(`The registrar image ${image} has entrypoint ${JSON.stringify(entrypoint)}, which is neither multiarch/qemu-user-static's /register nor tonistiigi/binfmt's /usr/bin/binfmt. ` +
        'Name an image of one of those two kinds in image, or use registrar: native.');
}
/** The line an image of the binfmt contract writes for a CPU (tonistiigi/binfmt's install()). */
function binfmtCliRegistration(cpu, preserveArgv0) {
    const e = (0,catalogue/* emulatorFor */.jt)(cpu);
    return {
        name: `qemu-${cpu}`,
        magic: e.magic,
        mask: e.mask,
        interpreter: imageInterpreter('binfmt', cpu),
        // Stryker disable next-line StringLiteral: canonicalFlags keeps only the letters P, O, C and F
        flags: (0,entry/* canonicalFlags */.GE)(`${preserveArgv0 ? 'P' : ''}CF`),
        offset: 0
    };
}
const DOCKER_FLAGS = ['--privileged', '--network', 'none', '--pull', 'never'];
/**
 * The shell program the multiarch-style image runs: one op per argument, in order. Each line
 * reaches the kernel in one write through `cat`, which prints the kernel's errno text when the
 * write is refused (busybox's printf builtin fails silently).
 */
const SHELL_SCRIPT = `d=/proc/sys/fs/binfmt_misc
[ -e "$d/register" ] || mount -t binfmt_misc binfmt_misc "$d" || exit 2
for op; do case "$op" in X*) [ -f "\${op#X}" ] || { echo "missing \${op#X}" >&2; exit 3; } ;; esac; done
w() { printf '%s' "$1" | cat >"$2"; }
n=0
for op; do
  case "$op" in
    X*) continue ;;
    R*) w "\${op#R}" "$d/register" ;;
    D*) w -1 "$d/\${op#D}" ;;
    E*) w 1 "$d/\${op#E}" ;;
    Z*) w 0 "$d/\${op#Z}" ;;
  esac || { echo "op $n failed" >&2; exit 4; }
  n=$((n + 1))
  echo "done $n"
done`;
/** The errno a shell's error text names, as the kernel writer's error code. */
function errnoOf(text) {
    if (/File exists/i.test(text))
        return 'EEXIST';
    if (/No such file or directory/i.test(text))
        return 'ENOENT';
    if (/Permission denied/i.test(text))
        return 'EACCES';
    if (/Invalid argument/i.test(text))
        return 'EINVAL';
    return undefined;
}
/** `done N` lines the shell printed: how many ops took effect. */
const opsDone = (stdout) => 
// Stryker disable next-line Regex: the script prints each `done N` on a line of its own
Math.max(0, ...[...stdout.matchAll(/^done (\d+)$/gm)].map(m => Number(m[1])));
/** The marker the shell program prints when one of its writes fails. */
// Stryker disable next-line Regex: the script prints `op N failed` on a line of its own
const OP_FAILED = /^op \d+ failed$/m;
function refused(image, result) {
    if (/exec format error/i.test(result.stderr))
        return `${image} does not run on this host's architecture (exec format error); name an image built for it, or use registrar: native`;
    if (result.code !== 0 &&
        // the shell's own refused write (`op N failed`) is the kernel's answer, not the engine's
        !OP_FAILED.test(result.stderr) &&
        /unable to apply caps|operation not permitted|permission denied/i.test(result.stderr))
        return `docker run --privileged ${image} was refused (${(0,exec/* lastLine */.f)(result.stderr)}); the Docker engine must allow privileged containers (rootless Docker cannot register handlers), or use registrar: native`;
    return undefined;
}
/**
 * What both container routes share: they cannot mount or unmount binfmt_misc for the host (a
 * container's mount would vanish with it, and on Linux 6.7+ the handlers with it).
 */
class ContainerWriter {
    async mount() {
        throw new errors/* HostError */.dh('binfmt_misc is not mounted on the host, and a container cannot mount it there (its mount would vanish with the container, and on Linux 6.7+ the handlers with it). ' +
            'Mount it on the host first (mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc, as root), or run the job as root or with passwordless sudo.');
    }
    async unmount() {
        throw new errors/* HostError */.dh('A container cannot unmount binfmt_misc on the host.');
    }
}
/** Writes through the image's own shell, in a privileged container. */
class ShellImageWriter extends ContainerWriter {
    docker;
    image;
    onHost;
    writesAnyLine = true;
    spec;
    constructor(docker, image, 
    /** Whether a file exists on the host: such interpreters are bound into the container. */
    onHost) {
        super();
        this.docker = docker;
        this.image = image;
        this.onHost = onHost;
        this.spec = { kind: 'container', image, contract: 'multiarch' };
    }
    get description() {
        return `through a privileged container of ${this.image}`;
    }
    async apply(ops) {
        if (ops.length === 0)
            return;
        const args = [];
        const binds = new Set();
        for (const op of ops) {
            if (op.op === 'register') {
                const interpreter = interpreterOf(op.line);
                // re-registering the host's own entry: the kernel must open the host's file
                if (op.fromHost && interpreter && this.onHost(interpreter))
                    binds.add(interpreter);
                else if (interpreter && /F$/.test(op.line) && !op.fromHost)
                    args.push(`X${interpreter}`);
                args.push(`R${op.line}`);
            }
            else {
                args.push(`${{ remove: 'D', enable: 'E', disable: 'Z' }[op.op]}${op.name}`);
            }
        }
        const flags = [
            ...DOCKER_FLAGS,
            ...[...binds].flatMap(path => ['--volume', `${path}:${path}:ro`]),
            '--entrypoint',
            '/bin/sh'
        ];
        const result = await this.docker.run(this.image, ['-c', SHELL_SCRIPT, 'sh', ...args], flags);
        if (result.code === 0)
            return;
        const why = refused(this.image, result);
        if (why)
            throw new kernel/* KernelWriteError */.zs(ops[0], 0, why);
        const done = opsDone(result.stdout);
        // the shell's own words for the refused write (`cat: write error: ...`), not our marker
        const reason = (0,exec/* lastLine */.f)(result.stderr.replace(new RegExp(OP_FAILED, 'gm'), ''));
        throw new kernel/* KernelWriteError */.zs(ops[Math.min(done, ops.length - 1)], done, reason || `${this.image} exited ${result.code}`, errnoOf(reason));
    }
}
/** The interpreter field of a register line (the line's first character is its separator). */
function interpreterOf(line) {
    return line.slice(1).split(line[0])[5];
}
/**
 * Writes through a tonistiigi/binfmt-style image's CLI: removals by name, registrations only as
 * the image itself writes them.
 */
class BinfmtCliWriter extends ContainerWriter {
    docker;
    image;
    preserveArgv0;
    writesAnyLine = false;
    spec;
    constructor(docker, image, preserveArgv0) {
        super();
        this.docker = docker;
        this.image = image;
        this.preserveArgv0 = preserveArgv0;
        this.spec = { kind: 'container', image, contract: 'binfmt', preserveArgv0 };
    }
    get description() {
        return `through ${this.image} --install/--uninstall`;
    }
    /** The CLI name (tonistiigi's platform arch) of a register line, when the image writes it. */
    installName(op) {
        if (op.op !== 'register')
            return undefined;
        // Stryker disable next-line Regex: a name this does not fit yields a line unlike op.line, so undefined all the same
        const cpu = /^qemu-(.+)$/.exec(op.name)?.[1];
        const arch = cpu ? (0,catalogue/* findEmulator */.tm)(cpu)?.arch : undefined;
        if (!cpu || !arch)
            return undefined;
        return (0,entry/* registerLine */.AM)(binfmtCliRegistration(cpu, this.preserveArgv0)) === op.line
            ? arch
            : undefined;
    }
    async apply(ops) {
        if (ops.length === 0)
            return;
        const uninstall = [];
        const install = [];
        for (const op of ops) {
            if (op.op === 'remove') {
                if (install.length > 0)
                    throw this.unsupported(op, 'a removal after an install');
                uninstall.push(op.name);
            }
            else if (op.op === 'register') {
                const arch = this.installName(op);
                if (!arch)
                    throw this.unsupported(op, 'this line');
                install.push(arch);
                // Stryker disable next-line Regex: no emulator's CPU contains "qemu-", so an unanchored replace finds none either
            }
            else if (op.op === 'enable' && (0,catalogue/* findEmulator */.tm)(op.name.replace(/^qemu-/, ''))) {
                // no enable in its CLI: the identical entry is removed and installed again
                uninstall.push(op.name);
                install.push((0,catalogue/* findEmulator */.tm)(op.name.replace(/^qemu-/, ''))?.arch);
            }
            else {
                throw this.unsupported(op, `${op.op} of ${op.name}`);
            }
        }
        const args = [
            // Stryker disable next-line ArrayDeclaration: the CLI (Go's flag package) ignores arguments after its flags
            ...(uninstall.length ? ['--uninstall', uninstall.join(',')] : []),
            // Stryker disable next-line ArrayDeclaration: as above
            ...(install.length ? ['--install', install.join(',')] : [])
        ];
        const result = await this.docker.run(this.image, args, DOCKER_FLAGS, true);
        const why = refused(this.image, result);
        if (why)
            throw new kernel/* KernelWriteError */.zs(ops[0], 0, why);
        // exit 0 says nothing: the readback that follows is the truth
    }
    unsupported(op, what) {
        return new errors/* RegistrationError */.mT(`${this.image} (tonistiigi/binfmt contract) cannot write ${what} (${op.op} ${op.name}): its CLI only installs its own handlers and uninstalls by name. ` +
            'Use an image with a shell (multiarch/qemu-user-static style), or run as root or with sudo so the action writes directly.');
    }
}

// EXTERNAL MODULE: ./src/registrar/registrar.ts
var registrar = __webpack_require__(8784);
;// CONCATENATED MODULE: ./src/registrar/container.ts





/** Fails before any change when Docker cannot run a privileged container for the host. */
async function checkEngine(docker, registrar) {
    const why = await docker.whyNotAnswering();
    if (why) {
        throw new errors/* HostError */.dh(`registrar: ${registrar} needs a Docker engine, and none answers (${why}). ` +
            'Start Docker (or set DOCKER_HOST), or use registrar: native, which needs no Docker.');
    }
    const options = await docker.securityOptions();
    const isolated = options.find(o => /name=(rootless|userns)/.test(o));
    if (isolated) {
        throw new errors/* HostError */.dh(`registrar: ${registrar} cannot register handlers through this Docker engine (${isolated}): its containers run in their own user namespace, where binfmt_misc is a separate, empty instance. ` +
            'Use registrar: native with root or passwordless sudo.');
    }
}
/**
 * How a container route writes to the kernel: through the image's own shell, or through its
 * tonistiigi/binfmt-style CLI. Main registers with it, and the post step rebuilds it from the
 * saved route, so that both take the same way.
 */
function imageWriter(spec, docker, onHost) {
    return spec.contract === 'multiarch'
        ? new ShellImageWriter(docker, spec.image, onHost)
        : new BinfmtCliWriter(docker, spec.image, spec.preserveArgv0 ?? false);
}
/** Pulls the registrar image unless it is present, and reads its contract. */
async function ensureImage(docker, image) {
    if (await docker.imageId(image)) {
        core.info(`${image} is already present; not pulling.`);
    }
    else {
        const pulled = await docker.pull(image);
        if (pulled.code !== 0) {
            throw new errors/* RegistrationError */.mT(`Could not pull the registrar image ${image}: ${(0,exec/* lastLine */.f)(pulled.stderr) || 'docker pull failed'}. ` +
                'Check the image name and tag and that its registry is reachable, or name a mirror in image.');
        }
    }
    return inspectImage(docker, image);
}
/**
 * Registers exactly the requested handlers with a registrar image as the carrier of the
 * emulators (image.ts): no other entry on the host is touched.
 */
class ContainerRegistrar {
    docker;
    image;
    onHost;
    name = 'container';
    writer;
    facts;
    qemuVersion;
    constructor(docker, image, 
    /** Whether a path exists on the host (persistent: false needs the image's paths there). */
    onHost) {
        this.docker = docker;
        this.image = image;
        this.onHost = onHost;
    }
    get remedy() {
        return `Check that ${this.image} carries these emulators (its output is above), or use registrar: native.`;
    }
    async prepare(request) {
        await checkEngine(this.docker, this.name);
        const facts = await ensureImage(this.docker, this.image);
        this.facts = facts;
        core.info(`${this.image}: ${facts.contract === 'multiarch' ? 'multiarch/qemu-user-static' : 'tonistiigi/binfmt'} contract`);
        if (!request.persistent)
            this.refuseNonPersistent(request, facts);
        this.writer = imageWriter({ kind: 'container', image: this.image, ...facts }, this.docker, this.onHost);
        if (facts.contract === 'multiarch') {
            this.qemuVersion = await this.checkCarried(request);
        }
        else {
            const result = await this.docker.run(this.image, ['--version'], ['--pull', 'never']);
            this.qemuVersion = /qemu\/v?(\S+)/.exec(`${result.stdout}\n${result.stderr}`)?.[1];
        }
    }
    /**
     * Without F the kernel looks for the interpreter at exec time, on the host: the image's paths
     * must exist there too.
     */
    refuseNonPersistent(request, facts) {
        if (facts.contract === 'binfmt') {
            throw new errors/* HostError */.dh(`persistent: false with ${this.image}: tonistiigi/binfmt-style images always register with F. Set persistent: true, or use registrar: native.`);
        }
        const missing = request.cpus
            .map(cpu => imageInterpreter(facts.contract, cpu))
            .filter(path => !this.onHost(path));
        if (missing.length > 0) {
            throw new errors/* HostError */.dh(`persistent: false with registrar: container registers interpreters that exist only inside ${this.image} (${missing.join(', ')} are not on this host), so nothing could run. ` +
                'Set persistent: true, or use registrar: native.');
        }
    }
    /** Which requested emulators the image lacks (fails naming them), and its QEMU version. */
    async checkCarried(request) {
        const paths = request.cpus.map(cpu => imageInterpreter('multiarch', cpu));
        const result = await this.docker.run(this.image, ['-c', 'for f; do [ -f "$f" ] || echo "missing $f"; done; "$1" --version', 'sh', ...paths], ['--network', 'none', '--pull', 'never', '--entrypoint', '/bin/sh']);
        // Stryker disable next-line Regex: the script prints each "missing <path>" on a line of its own, for the paths it was given
        const missing = [...result.stdout.matchAll(/^missing \/usr\/bin\/qemu-(\S+)-static$/gm)].map(m => m[1]);
        if (missing.length > 0) {
            const platforms = request.emulated
                .filter(t => missing.includes(t.platform.cpu))
                .map(t => t.platform.name);
            throw new errors/* HostError */.dh(`${this.image} carries no emulator for ${platforms.join(', ')} (${missing.map(c => `qemu-${c}-static`).join(', ')}). ` +
                `Use registrar: native for ${platforms.length === 1 ? 'it' : 'them'}, an image that has ${platforms.length === 1 ? 'it' : 'them'}, or leave ${platforms.join(', ')} out of platforms.`);
        }
        if (result.code !== 0) {
            throw new errors/* HostError */.dh(`${this.image} could not be run (${(0,exec/* lastLine */.f)(result.stderr) || `exit ${result.code}`}). Check the image, or use registrar: native.`);
        }
        return /version (\S+)/.exec(result.stdout)?.[1];
    }
    async register(request, current) {
        const facts = this.facts;
        const wanted = request.cpus.map(cpu => facts.contract === 'multiarch'
            ? (0,registrar/* registrationFor */.De)(cpu, imageInterpreter('multiarch', cpu), (0,registrar/* wantedFlags */.j7)(request))
            : binfmtCliRegistration(cpu, facts.preserveArgv0));
        await (0,registrar/* registerByPlan */.Gn)(this.writer, current, wanted, request.reset);
        return {
            notes: new Map(request.cpus.map(cpu => [cpu, `${this.image} did not register it (see its output above)`])),
            qemuVersion: this.qemuVersion
        };
    }
}
/**
 * The seed recipe verbatim, as an explicit opt-in: `docker run --rm --privileged <image> --reset
 * -p yes`. The image registers every handler it has and first resets every qemu-* entry on the
 * host, requested or not; readback still checks the requested ones.
 */
class SeedRegistrar extends ContainerRegistrar {
    name = 'seed';
    async prepare(request) {
        await super.prepare(request);
        if (this.facts?.contract !== 'multiarch') {
            throw new errors/* HostError */.dh(`registrar: seed runs multiarch/qemu-user-static's /register, and ${this.image} is a tonistiigi/binfmt-style image. Use registrar: container with it.`);
        }
    }
    async register(request) {
        const args = ['--reset', '-p', request.persistent ? 'yes' : 'no'];
        if (request.credential)
            args.push('--credential', 'yes');
        const result = await this.docker.run(this.image, args, ['--privileged', '--pull', 'never'], true);
        if (result.code !== 0)
            core.warning(`${this.image} exited ${result.code}; checking what it really registered.`);
        const output = `${result.stdout}\n${result.stderr}`;
        const registered = new Set([...output.matchAll(/as binfmt interpreter for (\S+)/g)].map(m => m[1]));
        const notes = new Map();
        for (const cpu of request.cpus) {
            if (!registered.has(cpu))
                notes.set(cpu, `${this.image} did not report registering ${cpu}`);
        }
        return { notes, qemuVersion: this.qemuVersion };
    }
}


/***/ })

};

//# sourceMappingURL=42.index.js.map