import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 3916:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   dh: () => (/* binding */ HostError),
/* harmony export */   dz: () => (/* binding */ InputError),
/* harmony export */   lZ: () => (/* binding */ ActionError),
/* harmony export */   mT: () => (/* binding */ RegistrationError),
/* harmony export */   mk: () => (/* binding */ VerificationError),
/* harmony export */   q0: () => (/* binding */ describe),
/* harmony export */   sy: () => (/* binding */ InstallError)
/* harmony export */ });
/**
 * Every failure the user sees is one of these: one line saying what went wrong, which input or
 * platform, and what to do about it.
 */
class ActionError extends Error {
    constructor(message) {
        super(message.replace(/\s*\n\s*/g, ' ').trim());
        this.name = new.target.name;
    }
}
/** A bad input, found before anything on the machine changes. */
class InputError extends ActionError {
    constructor(input, problem, remedy) {
        super(`Input "${input}": ${problem}. ${remedy}`);
    }
}
/** Something the host lacks that the chosen path needs (root, Docker, binfmt_misc, Linux). */
class HostError extends ActionError {
}
/** Registration did not leave the host in the state asked for. */
class RegistrationError extends ActionError {
}
/** Emulators could not be installed or found. */
class InstallError extends ActionError {
}
/** A registered handler was shown not to work. */
class VerificationError extends ActionError {
}
/** The text of any thrown value, on one line. */
function describe(error) {
    const text = error instanceof Error ? error.message : String(error);
    return text.replace(/\s*\n\s*/g, ' ').trim();
}


/***/ }),

/***/ 4428:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   AM: () => (/* binding */ registerLine),
/* harmony export */   ER: () => (/* binding */ parseEntry),
/* harmony export */   GE: () => (/* binding */ canonicalFlags),
/* harmony export */   YG: () => (/* binding */ sameRegistration),
/* harmony export */   rZ: () => (/* binding */ Binfmt),
/* harmony export */   y1: () => (/* binding */ lineFor)
/* harmony export */ });
/* unused harmony exports BINFMT_DIR, toHex */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(3916);
/* harmony import */ var _tools_exec_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(2122);




const BINFMT_DIR = '/proc/sys/fs/binfmt_misc';
/** Parses the text the kernel prints for an entry. */
function parseEntry(name, text) {
    const fields = new Map();
    const lines = text.split('\n');
    for (const line of lines.slice(1)) {
        const match = /^([a-z]+):?\s?(.*)$/.exec(line);
        if (match)
            fields.set(match[1], match[2].trim());
    }
    const first = lines[0]?.trim();
    if (first !== 'enabled' && first !== 'disabled') {
        throw new Error(`binfmt_misc entry ${name} does not look like an entry: "${first}"`);
    }
    return {
        name,
        enabled: first === 'enabled',
        interpreter: fields.get('interpreter') ?? '',
        flags: fields.get('flags') ?? '',
        offset: Number(fields.get('offset') ?? 0),
        magic: fields.get('magic'),
        mask: fields.get('mask'),
        extension: fields.get('extension')
    };
}
/** Flag letters in the order and form the kernel prints them: C implies O. */
function canonicalFlags(flags) {
    const set = new Set(flags.toUpperCase().replace(/[^POCF]/g, ''));
    if (set.has('C'))
        set.add('O');
    return ['P', 'O', 'C', 'F'].filter(f => set.has(f)).join('');
}
const escapeHex = (hex) => hex.replace(/([0-9a-f]{2})/gi, '\\x$1');
/** Register-line text (`\\xHH` escapes and literal characters) as the hex the kernel prints. */
function toHex(text) {
    let out = '';
    for (let i = 0; i < text.length; i++) {
        const escaped = /^\\x([0-9a-fA-F]{2})/.exec(text.slice(i, i + 4));
        if (escaped) {
            out += escaped[1].toLowerCase();
            i += 3;
        }
        else {
            out += text.charCodeAt(i).toString(16).padStart(2, '0');
        }
    }
    return out;
}
/** The one line written to `register` for a magic entry; magic and mask given as `\xHH` text. */
function registerLine(r) {
    return `:${r.name}:M:${r.offset ?? 0}:${r.magic}:${r.mask}:${r.interpreter}:${canonicalFlags(r.flags)}`;
}
/** The line that registers `entry` again exactly as it was (used to put the host back). */
function lineFor(entry) {
    if (entry.extension !== undefined) {
        return `:${entry.name}:E::${entry.extension.replace(/^\./, '')}::${entry.interpreter}:${canonicalFlags(entry.flags)}`;
    }
    return registerLine({
        name: entry.name,
        magic: escapeHex(entry.magic ?? ''),
        mask: escapeHex(entry.mask ?? 'ff'.repeat((entry.magic ?? '').length / 2)),
        interpreter: entry.interpreter,
        flags: entry.flags,
        offset: entry.offset
    });
}
/** Whether an entry on the host is what `wanted` would register. */
function sameRegistration(entry, wanted) {
    return (entry.interpreter === wanted.interpreter &&
        canonicalFlags(entry.flags) === canonicalFlags(wanted.flags) &&
        entry.offset === (wanted.offset ?? 0) &&
        entry.magic === toHex(wanted.magic) &&
        entry.mask === toHex(wanted.mask));
}
/** The host's binfmt_misc: mount, read, register, remove. Only named entries are ever touched. */
class Binfmt {
    privilege;
    dir;
    constructor(privilege, dir = BINFMT_DIR) {
        this.privilege = privilege;
        this.dir = dir;
    }
    async isMounted() {
        try {
            (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.statSync)((0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)(this.dir, 'register'));
            return true;
        }
        catch {
            return false;
        }
    }
    /**
     * Mounts binfmt_misc on the host when it is not. Doing this before any container touches it
     * matters: on Linux 6.7+, handlers a container registers in an instance it mounted itself
     * vanish when the container exits. Returns whether it mounted.
     */
    async ensureMounted() {
        if (await this.isMounted())
            return false;
        try {
            (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.statSync)(this.dir);
        }
        catch {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .HostError */ .dh(`${this.dir} does not exist: this kernel has no binfmt_misc support. ` +
                'Load it with "modprobe binfmt_misc" on the host, or use a runner whose kernel has it.');
        }
        this.privilege.require(`Mounting binfmt_misc at ${this.dir}`);
        const result = await this.privilege.run('mount', ['-t', 'binfmt_misc', 'binfmt_misc', this.dir]);
        if (result.code !== 0 || !(await this.isMounted())) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .HostError */ .dh(`Could not mount binfmt_misc at ${this.dir}: ${(0,_tools_exec_js__WEBPACK_IMPORTED_MODULE_3__/* .lastLine */ .f)(result.stderr) || 'mount failed'}. ` +
                'Inside a job container, run it with --privileged (or mount binfmt_misc on the host first); ' +
                'rootless containers cannot register handlers for the host.');
        }
        return true;
    }
    async names() {
        if (!(await this.isMounted()))
            return [];
        const names = (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readdirSync)(this.dir);
        return names.filter(n => n !== 'register' && n !== 'status').sort();
    }
    /** The raw text of an entry, or undefined when there is none of that name. */
    async text(name) {
        try {
            return (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync)((0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)(this.dir, name), 'utf8');
        }
        catch {
            return undefined;
        }
    }
    async read(name) {
        const text = await this.text(name);
        return text === undefined ? undefined : parseEntry(name, text);
    }
    async list() {
        const entries = await Promise.all((await this.names()).map(n => this.read(n)));
        return entries.filter((e) => e !== undefined);
    }
    async register(line) {
        await this.privilege.write((0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)(this.dir, 'register'), line);
    }
    /** Deletes one entry (never `status`, which would delete every entry on the host). */
    async remove(name) {
        if (name === 'status' || name === 'register' || name.includes('/'))
            throw new Error(`refusing to remove "${name}"`);
        await this.privilege.write((0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)(this.dir, name), '-1');
    }
    async setEnabled(name, enabled) {
        await this.privilege.write((0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)(this.dir, name), enabled ? '1' : '0');
    }
    async unmount() {
        await this.privilege.run('umount', [this.dir]);
    }
}


/***/ }),

/***/ 5889:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   E: () => (/* binding */ Privilege),
/* harmony export */   F: () => (/* binding */ detectPrivilege)
/* harmony export */ });
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(3916);
/* harmony import */ var _tools_exec_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(2122);



async function detectPrivilege() {
    if (process.getuid?.() === 0)
        return 'root';
    const probe = await (0,_tools_exec_js__WEBPACK_IMPORTED_MODULE_2__/* .run */ .e)('sudo', ['-n', 'true']);
    return probe.code === 0 ? 'sudo' : 'none';
}
/**
 * Performs the few host changes that need root, directly when root and through `sudo -n`
 * otherwise. Nothing here goes through a shell.
 */
class Privilege {
    mode;
    constructor(mode) {
        this.mode = mode;
    }
    get canActAsRoot() {
        return this.mode !== 'none';
    }
    /** Fails, before anything changes, when root is needed for `why` and cannot be had. */
    require(why) {
        if (this.mode === 'none') {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .HostError */ .dh(`${why} needs root, and this job runs as uid ${process.getuid?.()} without passwordless sudo. ` +
                'Run the job as root, grant the runner user passwordless sudo, or, on a self-hosted runner, ' +
                'register the handlers once as root and use registrar: none with install: none.');
        }
    }
    /** One write(2) of `text` to `path` (binfmt_misc needs each line in a single write). */
    async write(path, text) {
        if (this.mode === 'root') {
            (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.writeFileSync)(path, text);
            return;
        }
        const result = await (0,_tools_exec_js__WEBPACK_IMPORTED_MODULE_2__/* .run */ .e)('sudo', ['-n', 'tee', path], { input: text });
        if (result.code !== 0) {
            const error = new Error((0,_tools_exec_js__WEBPACK_IMPORTED_MODULE_2__/* .lastLine */ .f)(result.stderr) || `sudo tee ${path} failed`);
            error.code = /File exists/i.test(result.stderr)
                ? 'EEXIST'
                : /Invalid argument/i.test(result.stderr)
                    ? 'EINVAL'
                    : 'EIO';
            throw error;
        }
    }
    /** Runs a program as root. */
    async run(file, args, options = {}) {
        if (this.mode === 'root')
            return (0,_tools_exec_js__WEBPACK_IMPORTED_MODULE_2__/* .run */ .e)(file, args, options);
        return (0,_tools_exec_js__WEBPACK_IMPORTED_MODULE_2__/* .run */ .e)('sudo', ['-n', '--preserve-env=DEBIAN_FRONTEND', file, ...args], options);
    }
}


/***/ }),

/***/ 9407:
/***/ ((module, __unused_webpack___webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony import */ var _runner_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(4813);
/* harmony import */ var _main_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(442);
/* harmony import */ var _post_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(6661);
/**
 * The action's entry, for both the main and the post step: the main step leaves state behind,
 * which the runner hands back to the post step.
 */



if (_runner_js__WEBPACK_IMPORTED_MODULE_0__/* .getState */ .Gu('isPost') === 'true') {
    await (0,_post_js__WEBPACK_IMPORTED_MODULE_2__/* .cleanup */ .t)();
}
else {
    _runner_js__WEBPACK_IMPORTED_MODULE_0__/* .saveState */ .LZ('isPost', 'true');
    await (0,_main_js__WEBPACK_IMPORTED_MODULE_1__/* .run */ .e)();
}

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ }),

/***/ 442:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  e: () => (/* binding */ run)
});

// EXTERNAL MODULE: ./src/runner.ts
var runner = __nccwpck_require__(4813);
;// CONCATENATED MODULE: ./src/catalogue.ts
/**
 * The one table of platforms and emulators. Everything else reads it: names and aliases, the
 * emulator each platform needs, the magic and mask that binfmt_misc matches (from QEMU's
 * scripts/qemu-binfmt-conf.sh), the CPU family a host runs natively, what `uname -m` prints under
 * emulation, and the default image for container verification.
 */
const ELF = '\\x7fELF';
const hex = (bytes) => bytes.replace(/([0-9a-f]{2})/g, '\\x$1');
function emulator(cpu, family, magicTail, mask, elf) {
    return { cpu, family, magic: ELF + hex(magicTail), mask: hex(mask), elfMachine: elf };
}
/** Magic/mask from QEMU's qemu-binfmt-conf.sh, as hex without the leading `\x7fELF`. */
const IDENT64LE = '020101000000000000000000';
const IDENT64BE = '020201000000000000000000';
const IDENT32LE = '010101000000000000000000';
/** Mask: every byte but EI_OSABI-pad; `fe` in e_type accepts ET_EXEC and ET_DYN (PIE). */
const MASK_LE = 'ffffffffffffff00ffffffffffffffff' + 'feffffff';
const EMULATORS = [
    emulator('aarch64', 'arm', IDENT64LE + '0200b700', MASK_LE, 183),
    emulator('arm', 'arm', IDENT32LE + '02002800', MASK_LE, 40),
    emulator('ppc64le', 'ppcle', IDENT64LE + '02001500', 'ffffffffffffff00ffffffffffffffff' + 'feffff00', 21),
    emulator('s390x', 's390x', IDENT64BE + '00020016', 'ffffffffffffff00ffffffffffffffff' + 'fffeffff', 22),
    emulator('riscv64', 'riscv64', IDENT64LE + '0200f300', MASK_LE, 243),
    emulator('i386', 'i386', IDENT32LE + '02000300', 'fffffffffffefe00ffffffffffffffff' + 'feffffff', 3),
    emulator('x86_64', 'i386', IDENT64LE + '02003e00', 'fffffffffffefe00ffffffffffffffff' + 'feffffff', 62),
    emulator('mips64el', 'mips', IDENT64LE + '02000800', 'ffffffffffffff0000ffffffffffffff' + 'feffffff', 8),
    emulator('mips64', 'mips', IDENT64BE + '00020008', 'ffffffffffffff0000ffffffffffffff' + 'fffeffff', 8),
    emulator('loongarch64', 'loongarch', IDENT64LE + '02000201', 'fffffffffffffffc00ffffffffffffff' + 'feffffff', 258)
];
const ALPINE = 'alpine:3.22';
const PLATFORMS = [
    {
        name: 'linux/amd64',
        aliases: ['amd64', 'x86_64', 'x86-64', 'x64'],
        cpu: 'x86_64',
        machine: 'x86_64',
        hostMachines: ['x86_64', 'amd64'],
        inAll: true,
        verifyImage: ALPINE
    },
    {
        name: 'linux/arm64',
        aliases: ['arm64', 'aarch64', 'arm64/v8', 'armv8'],
        cpu: 'aarch64',
        machine: 'aarch64',
        hostMachines: ['aarch64', 'arm64'],
        inAll: true,
        verifyImage: ALPINE
    },
    {
        name: 'linux/arm/v7',
        aliases: ['arm', 'armhf', 'armv7', 'armv7l', 'arm/v7'],
        cpu: 'arm',
        machine: 'armv7l',
        hostMachines: ['armv7l', 'armv8l'],
        inAll: true,
        verifyImage: ALPINE
    },
    {
        name: 'linux/arm/v6',
        aliases: ['armel', 'armv6', 'armv6l', 'arm/v6'],
        cpu: 'arm',
        machine: 'armv7l',
        hostMachines: ['armv6l'],
        inAll: true,
        verifyImage: ALPINE
    },
    {
        name: 'linux/ppc64le',
        aliases: ['ppc64le', 'ppc64el', 'power'],
        cpu: 'ppc64le',
        machine: 'ppc64le',
        hostMachines: ['ppc64le'],
        inAll: true,
        verifyImage: ALPINE
    },
    {
        name: 'linux/s390x',
        aliases: ['s390x'],
        cpu: 's390x',
        machine: 's390x',
        hostMachines: ['s390x'],
        inAll: true,
        verifyImage: ALPINE
    },
    {
        name: 'linux/riscv64',
        aliases: ['riscv64', 'riscv'],
        cpu: 'riscv64',
        machine: 'riscv64',
        hostMachines: ['riscv64'],
        inAll: true,
        verifyImage: ALPINE
    },
    {
        name: 'linux/386',
        aliases: ['386', 'i386', 'i686', 'x86'],
        cpu: 'i386',
        machine: 'i686',
        hostMachines: ['i686', 'i386'],
        inAll: true,
        verifyImage: ALPINE
    },
    {
        name: 'linux/mips64le',
        aliases: ['mips64le', 'mips64el'],
        cpu: 'mips64el',
        machine: 'mips64',
        hostMachines: [],
        inAll: true,
        verifyImage: null
    },
    {
        name: 'linux/mips64',
        aliases: ['mips64'],
        cpu: 'mips64',
        machine: 'mips64',
        hostMachines: [],
        inAll: false,
        verifyImage: null
    },
    {
        name: 'linux/loong64',
        aliases: ['loong64', 'loongarch64'],
        cpu: 'loongarch64',
        machine: 'loongarch64',
        hostMachines: ['loongarch64'],
        inAll: false,
        verifyImage: null
    }
];
function emulatorFor(cpu) {
    const found = EMULATORS.find(e => e.cpu === cpu);
    if (!found)
        throw new Error(`no emulator "${cpu}" in the catalogue`);
    return found;
}
/** The binfmt_misc entry name QEMU's tools use for a CPU. */
const handlerName = (cpu) => `qemu-${cpu}`;
/** Every spelling accepted in `platforms`, for error messages. */
function acceptedNames() {
    return PLATFORMS.flatMap(p => [p.name, ...p.aliases]);
}
const byName = new Map();
for (const p of PLATFORMS) {
    for (const n of [p.name, ...p.aliases]) {
        byName.set(n.toLowerCase(), p);
        byName.set(`linux/${n.toLowerCase()}`, p);
    }
}
/** The platform a user's spelling names, or undefined. */
function lookupPlatform(spelling) {
    return byName.get(spelling.trim().toLowerCase());
}
/** The platform of a host, from `os.machine()`; undefined for a machine the catalogue lacks. */
function hostPlatform(machine) {
    return PLATFORMS.find(p => p.hostMachines.includes(machine));
}

// EXTERNAL MODULE: ./src/errors.ts
var errors = __nccwpck_require__(3916);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __nccwpck_require__(8161);
// EXTERNAL MODULE: ./src/host/binfmt.ts
var binfmt = __nccwpck_require__(4428);
// EXTERNAL MODULE: ./src/host/privilege.ts
var host_privilege = __nccwpck_require__(5889);
;// CONCATENATED MODULE: ./src/host/host.ts





async function inspectHost() {
    if (process.platform !== 'linux') {
        throw new errors/* HostError */.dh(`This action needs a Linux runner (binfmt_misc is a Linux kernel feature), and this one runs ${process.platform}. ` +
            'Use runs-on: ubuntu-latest, or ubuntu-24.04-arm for an arm64 host.');
    }
    const machine = external_node_os_.machine();
    const platform = hostPlatform(machine);
    if (!platform) {
        throw new errors/* HostError */.dh(`This host's architecture "${machine}" is not in the catalogue, so its native platforms are unknown. Open an issue naming it.`);
    }
    const privilege = new host_privilege/* Privilege */.E(await (0,host_privilege/* detectPrivilege */.F)());
    return {
        machine,
        platform,
        family: emulatorFor(platform.cpu).family,
        privilege,
        binfmt: new binfmt/* Binfmt */.rZ(privilege)
    };
}

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(3024);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
;// CONCATENATED MODULE: ./src/host/elf.ts

const PT_INTERP = 3;
/** Reads just enough of an ELF file to tell its machine and whether it is dynamically linked. */
async function readElf(path) {
    const fd = (0,external_node_fs_.openSync)(path, 'r');
    try {
        const head = Buffer.alloc(64);
        (0,external_node_fs_.readSync)(fd, head, 0, 64, 0);
        if (head.readUInt32BE(0) !== 0x7f454c46)
            return undefined;
        const is64 = head[4] === 2;
        const le = head[5] === 1;
        const u16 = (b, o) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
        const u32 = (b, o) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
        const machine = u16(head, 18);
        const phoff = is64
            ? Number(le ? head.readBigUInt64LE(32) : head.readBigUInt64BE(32))
            : u32(head, 28);
        const phentsize = u16(head, is64 ? 54 : 42);
        const phnum = u16(head, is64 ? 56 : 44);
        const table = Buffer.alloc(phentsize * phnum);
        (0,external_node_fs_.readSync)(fd, table, 0, table.length, phoff);
        let dynamic = false;
        for (let i = 0; i < phnum; i++) {
            if (u32(table, i * phentsize) === PT_INTERP)
                dynamic = true;
        }
        return { machine, dynamic };
    }
    finally {
        (0,external_node_fs_.closeSync)(fd);
    }
}

// EXTERNAL MODULE: ./src/tools/exec.ts
var exec = __nccwpck_require__(2122);
;// CONCATENATED MODULE: ./src/verifier/probe/code.ts
/** Serialises 32-bit instruction words in the target's byte order. */
function words(endian, list) {
    const buf = Buffer.alloc(list.length * 4);
    list.forEach((word, i) => {
        if (endian === 'little')
            buf.writeUInt32LE(word, i * 4);
        else
            buf.writeUInt32BE(word, i * 4);
    });
    return Object.freeze([...buf]);
}
/** Concatenates instructions written as hex bytes in memory order ('48 89 e7'). */
function code_hex(list) {
    const bytes = list.flatMap(insn => insn.split(' ').map(token => {
        if (!/^[0-9a-f]{2}$/.test(token))
            throw new Error(`probe code: bad byte "${token}"`);
        return parseInt(token, 16);
    }));
    return Object.freeze(bytes);
}
// e_machine values (EM_*) from the ELF specification / <elf.h>.
const EM_386 = 3;
const EM_MIPS = 8;
const EM_PPC64 = 21;
const EM_S390 = 22;
const EM_ARM = 40;
const EM_X86_64 = 62;
const EM_AARCH64 = 183;
const EM_RISCV = 243;
/**
 * ARM: EF_ARM_EABI_VER5. QEMU 7.2 runs the probe without it too, but an EABI-only ARM kernel
 * (running the probe natively) refuses a binary that names no EABI version.
 */
const EF_ARM_EABI_VER5 = 0x05000000;
/**
 * ppc64: ELFv2 ABI. Required: with e_flags 0 or 1 (ELFv1) QEMU reads e_entry as the address of a
 * function descriptor and the probe dies with SIGSEGV.
 */
const EF_PPC64_ELFV2 = 2;
/**
 * MIPS: EF_MIPS_ARCH_64R2, as Debian's mips64el binaries; QEMU 7.2 then picks its 64-bit
 * MIPS64R2-generic CPU (with 0, the 64-bit 5KEf). Not EF_MIPS_ABI2 (0x20): that is n32, which
 * qemu-mips64{,el} rejects ("Invalid ELF image"); not EF_MIPS_ARCH_64R6: QEMU then wants
 * EF_MIPS_NAN2008 ("ELF binary's NaN mode not supported by CPU").
 */
const EF_MIPS_ARCH_64R2 = 0x80000000;
// Linux AArch64: x8 = syscall number, `svc #0`. uname 160, write 64, exit_group 94.
// prettier-ignore
const AARCH64 = words('little', [
    0xd10643ff, // 00    sub    sp, sp, #400  struct utsname (390 bytes); sp stays 16-aligned
    0x910003e0, // 04    mov    x0, sp        x0 = &utsname
    0xd2801408, // 08    mov    x8, #160      __NR_uname
    0xd4000001, // 0c    svc    #0
    0x910413e1, // 10    add    x1, sp, #260  x1 = utsname.machine (offset 4 x 65)
    0xd2800002, // 14    mov    x2, #0        x2 = length so far
    0x38626823, // 18 1: ldrb   w3, [x1, x2]  w3 = machine[length]
    0x34000063, // 1c    cbz    w3, 2f        NUL terminator: done
    0x91000442, // 20    add    x2, x2, #1    length++
    0x17fffffd, // 24    b      1b
    0x52800143, // 28 2: mov    w3, #10       '\n'
    0x38226823, // 2c    strb   w3, [x1, x2]  replace the NUL with '\n'
    0x91000442, // 30    add    x2, x2, #1    count the newline
    0xd2800020, // 34    mov    x0, #1        stdout; x1 = buffer, x2 = length
    0xd2800808, // 38    mov    x8, #64       __NR_write
    0xd4000001, // 3c    svc    #0
    0xd2800000, // 40    mov    x0, #0        status 0
    0xd2800bc8, // 44    mov    x8, #94       __NR_exit_group
    0xd4000001, // 48    svc    #0
]);
// Linux ARM EABI, A32 state: r7 = syscall number, `svc #0`. uname 122, write 4, exit_group 248.
// prettier-ignore
const ARM = words('little', [
    0xe24dde19, // 00    sub    sp, sp, #400  struct utsname (6 x 65 = 390 bytes)
    0xe1a0000d, // 04    mov    r0, sp        r0 = &utsname
    0xe3a0707a, // 08    mov    r7, #122      __NR_uname
    0xef000000, // 0c    svc    #0
    0xe28d1f41, // 10    add    r1, sp, #260  r1 = utsname.machine (offset 4 x 65)
    0xe3a02000, // 14    mov    r2, #0        r2 = length so far
    0xe7d13002, // 18 1: ldrb   r3, [r1, r2]  r3 = machine[length]
    0xe3530000, // 1c    cmp    r3, #0        NUL terminator?
    0x12822001, // 20    addne  r2, r2, #1    no: length++
    0x1afffffb, // 24    bne    1b            and loop
    0xe3a0300a, // 28    mov    r3, #10       '\n'
    0xe7c13002, // 2c    strb   r3, [r1, r2]  replace the NUL with '\n'
    0xe2822001, // 30    add    r2, r2, #1    count the newline
    0xe3a00001, // 34    mov    r0, #1        stdout; r1 = buffer, r2 = length
    0xe3a07004, // 38    mov    r7, #4        __NR_write
    0xef000000, // 3c    svc    #0
    0xe3a00000, // 40    mov    r0, #0        status 0
    0xe3a070f8, // 44    mov    r7, #248      __NR_exit_group
    0xef000000, // 48    svc    #0
]);
// Linux ppc64 (ELFv2): r0 = syscall number, `sc`. uname 122, write 4, exit_group 234.
// prettier-ignore
const PPC64LE = words('little', [
    0x3821fe70, // 00    addi   1, 1, -400  struct utsname (6 x 65 = 390 bytes)
    0x7c230b78, // 04    mr     3, 1        r3 = &utsname
    0x3800007a, // 08    li     0, 122      __NR_uname
    0x44000002, // 0c    sc
    0x38810104, // 10    addi   4, 1, 260   r4 = utsname.machine (offset 4 x 65)
    0x38a00000, // 14    li     5, 0        r5 = length so far
    0x7cc428ae, // 18 1: lbzx   6, 4, 5     r6 = machine[length]
    0x2c060000, // 1c    cmpwi  6, 0        NUL terminator?
    0x4182000c, // 20    beq    2f          yes: done
    0x38a50001, // 24    addi   5, 5, 1     length++
    0x4bfffff0, // 28    b      1b
    0x38c0000a, // 2c 2: li     6, 10       '\n'
    0x7cc429ae, // 30    stbx   6, 4, 5     replace the NUL with '\n'
    0x38a50001, // 34    addi   5, 5, 1     count the newline
    0x38600001, // 38    li     3, 1        stdout; r4 = buffer, r5 = length
    0x38000004, // 3c    li     0, 4        __NR_write
    0x44000002, // 40    sc
    0x38600000, // 44    li     3, 0        status 0
    0x380000ea, // 48    li     0, 234      __NR_exit_group
    0x44000002, // 4c    sc
]);
// Linux s390x: `svc N` carries the number (< 256), arguments in r2... uname 122, write 4,
// exit_group 248.
// prettier-ignore
const S390X = code_hex([
    'a7 fb fe 70', // 00    aghi   %r15, -400      struct utsname (6 x 65 = 390 bytes)
    'b9 04 00 2f', // 04    lgr    %r2, %r15       r2 = &utsname
    '0a 7a', // 08    svc    122             __NR_uname
    '41 30 f1 04', // 0a    la     %r3, 260(%r15)  r3 = utsname.machine (offset 4 x 65)
    'b9 04 00 43', // 0e    lgr    %r4, %r3        r4 = cursor
    '95 00 40 00', // 12 1: cli    0(%r4), 0       *cursor == NUL?
    'a7 84 00 06', // 16    je     2f              yes: done
    'a7 4b 00 01', // 1a    aghi   %r4, 1          cursor++
    'a7 f4 ff fa', // 1e    j      1b
    '92 0a 40 00', // 22 2: mvi    0(%r4), 10      replace the NUL with '\n'
    'a7 4b 00 01', // 26    aghi   %r4, 1          cursor past the newline
    'b9 09 00 43', // 2a    sgr    %r4, %r3        r4 = length = cursor - machine
    'a7 29 00 01', // 2e    lghi   %r2, 1          stdout; r3 = buffer, r4 = length
    '0a 04', // 32    svc    4               __NR_write
    'a7 29 00 00', // 34    lghi   %r2, 0          status 0
    '0a f8', // 38    svc    248             __NR_exit_group
]);
// Linux RISC-V: a7 = syscall number, `ecall`. uname 160, write 64, exit_group 94. e_flags 0:
// no compressed (RVC) instructions and no floating point, so no float ABI bits (QEMU 7.2 ignores
// them; 0x5, RVC + double, runs too).
// prettier-ignore
const RISCV64 = words('little', [
    0xe7010113, // 00    addi   sp, sp, -400  struct utsname (390 bytes); sp stays 16-aligned
    0x00010513, // 04    mv     a0, sp        a0 = &utsname
    0x0a000893, // 08    li     a7, 160       __NR_uname
    0x00000073, // 0c    ecall
    0x10410593, // 10    addi   a1, sp, 260   a1 = utsname.machine (offset 4 x 65)
    0x00058613, // 14    mv     a2, a1        a2 = cursor
    0x00064283, // 18 1: lbu    t0, 0(a2)     t0 = *cursor
    0x00028663, // 1c    beqz   t0, 2f        NUL terminator: done
    0x00160613, // 20    addi   a2, a2, 1     cursor++
    0xff5ff06f, // 24    j      1b
    0x00a00293, // 28 2: li     t0, 10        '\n'
    0x00560023, // 2c    sb     t0, 0(a2)     replace the NUL with '\n'
    0x00160613, // 30    addi   a2, a2, 1     cursor past the newline
    0x40b60633, // 34    sub    a2, a2, a1    a2 = length = cursor - machine
    0x00100513, // 38    li     a0, 1         stdout; a1 = buffer, a2 = length
    0x04000893, // 3c    li     a7, 64        __NR_write
    0x00000073, // 40    ecall
    0x00000513, // 44    li     a0, 0         status 0
    0x05e00893, // 48    li     a7, 94        __NR_exit_group
    0x00000073, // 4c    ecall
]);
// Linux i386: eax = syscall number, `int $0x80`. newuname 122, write 4, exit_group 252.
// prettier-ignore
const I386 = code_hex([
    '81 ec 90 01 00 00', // 00    sub    $400, %esp       struct utsname (6 x 65 = 390 bytes)
    '89 e3', // 06    mov    %esp, %ebx       ebx = &utsname
    'b8 7a 00 00 00', // 08    mov    $122, %eax       __NR_uname (newuname)
    'cd 80', // 0d    int    $0x80
    '8d 8c 24 04 01 00 00', // 0f    lea    260(%esp), %ecx  ecx = utsname.machine (offset 4 x 65)
    '89 ca', // 16    mov    %ecx, %edx       edx = cursor
    '80 3a 00', // 18 1: cmpb   $0, (%edx)       *cursor == NUL?
    '74 03', // 1b    je     2f               yes: done
    '42', // 1d    inc    %edx             cursor++
    'eb f8', // 1e    jmp    1b
    'c6 02 0a', // 20 2: movb   $10, (%edx)      replace the NUL with '\n'
    '42', // 23    inc    %edx             cursor past the newline
    '29 ca', // 24    sub    %ecx, %edx       edx = length = cursor - machine
    'bb 01 00 00 00', // 26    mov    $1, %ebx         stdout; ecx = buffer, edx = length
    'b8 04 00 00 00', // 2b    mov    $4, %eax         __NR_write
    'cd 80', // 30    int    $0x80
    '31 db', // 32    xor    %ebx, %ebx       status 0
    'b8 fc 00 00 00', // 34    mov    $252, %eax       __NR_exit_group
    'cd 80', // 39    int    $0x80
]);
// Linux x86_64: rax = syscall number, `syscall`. uname 63, write 1, exit_group 231.
// prettier-ignore
const X86_64 = code_hex([
    '48 81 ec 90 01 00 00', // 00    sub    $400, %rsp       struct utsname (6 x 65 = 390 bytes)
    '48 89 e7', // 07    mov    %rsp, %rdi       rdi = &utsname
    'b8 3f 00 00 00', // 0a    mov    $63, %eax        __NR_uname
    '0f 05', // 0f    syscall
    '48 8d b4 24 04 01 00 00', // 11    lea    260(%rsp), %rsi  rsi = utsname.machine (offset 4 x 65)
    '48 89 f2', // 19    mov    %rsi, %rdx       rdx = cursor
    '80 3a 00', // 1c 1: cmpb   $0, (%rdx)       *cursor == NUL?
    '74 05', // 1f    je     2f               yes: done
    '48 ff c2', // 21    inc    %rdx             cursor++
    'eb f6', // 24    jmp    1b
    'c6 02 0a', // 26 2: movb   $10, (%rdx)      replace the NUL with '\n'
    '48 ff c2', // 29    inc    %rdx             cursor past the newline
    '48 29 f2', // 2c    sub    %rsi, %rdx       rdx = length = cursor - machine
    'bf 01 00 00 00', // 2f    mov    $1, %edi         stdout; rsi = buffer, rdx = length
    'b8 01 00 00 00', // 34    mov    $1, %eax         __NR_write
    '0f 05', // 39    syscall
    '31 ff', // 3b    xor    %edi, %edi       status 0
    'b8 e7 00 00 00', // 3d    mov    $231, %eax       __NR_exit_group
    '0f 05', // 42    syscall
]);
// Linux MIPS n64 (numbers start at 5000): v0 = syscall number, `syscall`. uname 5061,
// write 5001, exit_group 5205. Branch delay slots are explicit. Serialised little-endian for
// mips64el and big-endian for mips64.
// prettier-ignore
const MIPS64 = [
    0x67bdfe70, // 00    daddiu $sp, $sp, -400  struct utsname (6 x 65 = 390 bytes)
    0x03a02025, // 04    move   $a0, $sp        a0 = &utsname
    0x240213c5, // 08    li     $v0, 5061       __NR_uname
    0x0000000c, // 0c    syscall
    0x67a50104, // 10    daddiu $a1, $sp, 260   a1 = utsname.machine (offset 4 x 65)
    0x00a03025, // 14    move   $a2, $a1        a2 = cursor
    0x90cc0000, // 18 1: lbu    $t0, 0($a2)     t0 = *cursor
    0x11800003, // 1c    beqz   $t0, 2f         NUL terminator: done
    0x00000000, // 20    nop                    (delay slot)
    0x1000fffc, // 24    b      1b
    0x64c60001, // 28    daddiu $a2, $a2, 1     (delay slot) cursor++
    0x240c000a, // 2c 2: li     $t0, 10         '\n'
    0xa0cc0000, // 30    sb     $t0, 0($a2)     replace the NUL with '\n'
    0x64c60001, // 34    daddiu $a2, $a2, 1     cursor past the newline
    0x00c5302f, // 38    dsubu  $a2, $a2, $a1   a2 = length = cursor - machine
    0x24040001, // 3c    li     $a0, 1          stdout; a1 = buffer, a2 = length
    0x24021389, // 40    li     $v0, 5001       __NR_write
    0x0000000c, // 44    syscall
    0x24040000, // 48    li     $a0, 0          status 0
    0x24021455, // 4c    li     $v0, 5205       __NR_exit_group
    0x0000000c, // 50    syscall
];
const MIPS64EL_CODE = words('little', MIPS64);
const MIPS64_CODE = words('big', MIPS64);
function spec(bits, endian, machine, flags, loadAddress, code) {
    return Object.freeze({ elf: Object.freeze({ bits, endian, machine, flags, loadAddress }), code });
}
/**
 * Probe programs by QEMU cpu name (the `qemu-<cpu>` emulator they are meant for). Load addresses
 * are GNU ld's default text addresses for each target, rounded down to 64 KiB (i386: 0x08048000).
 */
// prettier-ignore
const PROBES = Object.freeze({
    //             class endian    e_machine    e_flags            load address  code
    aarch64: spec(64, 'little', EM_AARCH64, 0, 0x400000, AARCH64),
    arm: spec(32, 'little', EM_ARM, EF_ARM_EABI_VER5, 0x10000, ARM),
    ppc64le: spec(64, 'little', EM_PPC64, EF_PPC64_ELFV2, 0x10000000, PPC64LE),
    s390x: spec(64, 'big', EM_S390, 0, 0x1000000, S390X),
    riscv64: spec(64, 'little', EM_RISCV, 0, 0x10000, RISCV64),
    i386: spec(32, 'little', EM_386, 0, 0x8040000, I386),
    x86_64: spec(64, 'little', EM_X86_64, 0, 0x400000, X86_64),
    mips64el: spec(64, 'little', EM_MIPS, EF_MIPS_ARCH_64R2, 0x120000000, MIPS64EL_CODE),
    mips64: spec(64, 'big', EM_MIPS, EF_MIPS_ARCH_64R2, 0x120000000, MIPS64_CODE)
});

;// CONCATENATED MODULE: ./src/verifier/probe/elf.ts
/**
 * A minimal static ELF executable writer for the emulation probes.
 *
 * Layout of the file (no section headers, ET_EXEC, everything in one page):
 *
 *   offset 0                 ELF header (52 bytes for ELFCLASS32, 64 for ELFCLASS64)
 *   e_phoff = e_ehsize       PT_LOAD      file offset 0 .. end, mapped R+X at `loadAddress`
 *                            PT_GNU_STACK RW: asks for a non-executable stack
 *   e_entry - loadAddress    the machine code; it keeps its data on the stack
 *
 * The whole file is mapped, so the entry point is `loadAddress + headers size`.
 */
const EI_NIDENT = 16;
const ELFCLASS32 = 1;
const ELFCLASS64 = 2;
const ELFDATA2LSB = 1;
const ELFDATA2MSB = 2;
const EV_CURRENT = 1;
const ELFOSABI_SYSV = 0;
const ET_EXEC = 2;
const PT_LOAD = 1;
const PT_GNU_STACK = 0x6474e551;
const PF_X = 1;
const PF_W = 2;
const PF_R = 4;
/** Segment alignment: the largest common page size (64 KiB on some arm64 and ppc64le kernels). */
const SEGMENT_ALIGN = 0x10000;
/** Sizes of the ELF header and of one program header for a class. */
function headerSizes(bits) {
    return bits === 64 ? { ehsize: 64, phentsize: 56 } : { ehsize: 52, phentsize: 32 };
}
/** Program headers written by `buildElf`. */
const PROGRAM_HEADER_COUNT = 2;
/** The entry address `buildElf` gives a program for this target. */
function entryAddress(target) {
    const { ehsize, phentsize } = headerSizes(target.bits);
    return target.loadAddress + ehsize + PROGRAM_HEADER_COUNT * phentsize;
}
/** Builds a static ELF executable whose entry point is the first byte of `code`. */
function buildElf(target, code) {
    const { bits, endian, loadAddress } = target;
    if (code.length === 0)
        throw new Error('ELF probe: empty code');
    if (!Number.isSafeInteger(loadAddress) || loadAddress <= 0 || loadAddress % SEGMENT_ALIGN !== 0) {
        throw new Error(`ELF probe: load address ${loadAddress} is not a positive multiple of 64 KiB`);
    }
    const { ehsize, phentsize } = headerSizes(bits);
    const codeOffset = ehsize + PROGRAM_HEADER_COUNT * phentsize;
    const size = codeOffset + code.length;
    if (bits === 32 && loadAddress + size > 0xffffffff) {
        throw new Error('ELF probe: load address does not fit a 32-bit ELF');
    }
    const out = Buffer.alloc(size);
    const le = endian === 'little';
    let pos = 0;
    const u8 = (v) => {
        pos = out.writeUInt8(v, pos);
    };
    const u16 = (v) => {
        pos = le ? out.writeUInt16LE(v, pos) : out.writeUInt16BE(v, pos);
    };
    const u32 = (v) => {
        pos = le ? out.writeUInt32LE(v >>> 0, pos) : out.writeUInt32BE(v >>> 0, pos);
    };
    const u64 = (v) => {
        pos = le ? out.writeBigUInt64LE(BigInt(v), pos) : out.writeBigUInt64BE(BigInt(v), pos);
    };
    /** An address or offset: Elf32_Addr/Off or Elf64_Addr/Off. */
    const word = bits === 64 ? u64 : u32;
    // e_ident
    for (const b of [0x7f, 0x45, 0x4c, 0x46])
        u8(b); // "\x7fELF"
    u8(bits === 64 ? ELFCLASS64 : ELFCLASS32);
    u8(le ? ELFDATA2LSB : ELFDATA2MSB);
    u8(EV_CURRENT);
    u8(ELFOSABI_SYSV);
    pos = EI_NIDENT; // EI_ABIVERSION and padding stay zero
    u16(ET_EXEC); // e_type
    u16(target.machine); // e_machine
    u32(EV_CURRENT); // e_version
    word(loadAddress + codeOffset); // e_entry
    word(ehsize); // e_phoff: program headers follow the ELF header
    word(0); // e_shoff: no section headers
    u32(target.flags); // e_flags
    u16(ehsize); // e_ehsize
    u16(phentsize); // e_phentsize
    u16(PROGRAM_HEADER_COUNT); // e_phnum
    u16(0); // e_shentsize
    u16(0); // e_shnum
    u16(0); // e_shstrndx (SHN_UNDEF)
    const programHeader = (type, flags, filesz, align) => {
        const vaddr = filesz === 0 ? 0 : loadAddress;
        u32(type); // p_type
        if (bits === 64)
            u32(flags); // p_flags (64-bit position)
        word(0); // p_offset
        word(vaddr); // p_vaddr
        word(vaddr); // p_paddr
        word(filesz); // p_filesz
        word(filesz); // p_memsz
        if (bits === 32)
            u32(flags); // p_flags (32-bit position)
        word(align); // p_align
    };
    programHeader(PT_LOAD, PF_R | PF_X, size, SEGMENT_ALIGN);
    programHeader(PT_GNU_STACK, PF_R | PF_W, 0, 16);
    if (pos !== codeOffset)
        throw new Error(`ELF probe: header is ${pos} bytes, expected ${codeOffset}`);
    for (let i = 0; i < code.length; i++) {
        const b = code[i];
        if (!Number.isInteger(b) || b < 0 || b > 0xff)
            throw new Error(`ELF probe: code[${i}] is not a byte`);
        out[codeOffset + i] = b;
    }
    return out;
}

;// CONCATENATED MODULE: ./src/verifier/probe/index.ts
/**
 * Emulation probes: tiny static executables, one per QEMU cpu, that print what `uname -m` would
 * (utsname.machine and a newline) and exit 0. Written to a file and executed, directly or through
 * a binfmt_misc handler, they prove that the emulator runs a foreign binary end to end.
 *
 * Under emulation they print: aarch64 → aarch64, arm → armv7l, ppc64le → ppc64le,
 * s390x → s390x, riscv64 → riscv64, i386 → i686 (x86_64 when run natively on an x86_64 host),
 * x86_64 → x86_64, mips64el → mips64, mips64 → mips64.
 */


/** The qemu cpu names (as in `qemu-<cpu>`) that have a probe. */
const PROBE_CPUS = Object.freeze(Object.keys(PROBES));
/** The probe executable for a qemu cpu name; a new Buffer, byte-identical on every call. */
function probeProgram(cpu) {
    if (!Object.hasOwn(PROBES, cpu)) {
        throw new Error(`No emulation probe for cpu "${cpu}" (probes exist for: ${PROBE_CPUS.join(', ')})`);
    }
    const { elf, code } = PROBES[cpu];
    return buildElf(elf, code);
}

;// CONCATENATED MODULE: ./src/verifier/verifier.ts
const passed = (v) => !v.problem && !v.skipped;
/** What `uname -m` must print: the host's own name when native, else QEMU's name for the CPU. */
function expectedMachine(target, hostMachine) {
    return target.native ? hostMachine : target.platform.machine;
}

;// CONCATENATED MODULE: ./src/verifier/probe.ts








const hasProbe = (cpu) => PROBE_CPUS.includes(cpu);
/**
 * Tiny static programs, one per CPU, that print `uname -m`. Executed directly on the host they
 * prove a handler works without Docker or network; executed in an empty chroot they prove the F
 * flag (the interpreter's path does not exist there).
 */
class Probes {
    dir;
    constructor(dir) {
        this.dir = dir;
    }
    static async create() {
        return new Probes((0,external_node_fs_.mkdtempSync)((0,external_node_path_.join)(process.env.RUNNER_TEMP || external_node_os_.tmpdir(), 'cross-arch-probe-')));
    }
    written = new Map();
    /** The probe file for a CPU, written once. */
    file(cpu) {
        let path = this.written.get(cpu);
        if (!path) {
            path = (async () => {
                const name = `probe-${cpu}`;
                (0,external_node_fs_.writeFileSync)((0,external_node_path_.join)(this.dir, name), probeProgram(cpu));
                (0,external_node_fs_.chmodSync)((0,external_node_path_.join)(this.dir, name), 0o755);
                return name;
            })();
            this.written.set(cpu, path);
        }
        return path.then(name => (0,external_node_path_.join)(this.dir, name));
    }
    /** Runs the probe directly, or as root inside a chroot of the probe directory. */
    async run(cpu, chroot) {
        const path = await this.file(cpu);
        if (!chroot)
            return (0,exec/* run */.e)(path, [], { timeoutMs: 30_000 });
        return chroot.run('chroot', [this.dir, `/probe-${cpu}`]);
    }
    async dispose() {
        (0,external_node_fs_.rmSync)(this.dir, { recursive: true, force: true });
    }
}
/** Why a probe run failed, in words a user can act on. */
async function diagnose(result, target, interpreter, inChroot) {
    const name = handlerName(target.platform.cpu);
    const text = `${result.stderr}`;
    if (result.startError === 'ENOEXEC' || /exec format error/i.test(text)) {
        return `exec format error: no enabled handler took the binary (is ${name} registered and enabled?)`;
    }
    if (result.startError === 'ENOENT' || /No such file or directory/i.test(text)) {
        if (interpreter) {
            const elf = await readElf(interpreter).catch(() => undefined);
            if (!elf)
                return `the interpreter ${interpreter} of ${name} does not exist`;
            if (elf.dynamic)
                return `the interpreter ${interpreter} of ${name} is dynamically linked, so it cannot run where its libraries are absent`;
        }
        return inChroot
            ? `${name} could not run where its interpreter path does not exist (the F flag is not in effect)`
            : `the interpreter of ${name} is missing`;
    }
    if (result.signal)
        return `it was killed by ${result.signal} (the emulator crashed; try another qemu-version)`;
    return `it exited ${result.code}: ${(0,exec/* lastLine */.f)(text) || 'no output'}`;
}
/** Runs every platform's probe concurrently and compares what it prints with `uname -m`. */
async function verifyByProbe(targets, hostMachine, probes, options) {
    // Platforms sharing an emulator and expectation (arm/v7, arm/v6) need one run between them.
    const runs = new Map();
    const runOnce = (cpu, chroot) => {
        const key = `${cpu}:${chroot ? 'chroot' : 'direct'}`;
        if (!runs.has(key))
            runs.set(key, probes.run(cpu, chroot));
        return runs.get(key);
    };
    return Promise.all(targets.map(async (target) => {
        const cpu = target.platform.cpu;
        if (!hasProbe(cpu))
            return { target, skipped: `no probe program for ${cpu}` };
        const chroot = target.native ? undefined : options.chroot;
        const result = await runOnce(cpu, chroot);
        const expected = expectedMachine(target, hostMachine);
        if (result.code !== 0) {
            return {
                target,
                problem: `probe failed: ${await diagnose(result, target, options.interpreters.get(cpu), !!chroot)}`
            };
        }
        const machine = result.stdout.trim();
        if (machine !== expected)
            return {
                target,
                machine,
                problem: `probe printed ${machine || '(nothing)'}, expected ${expected}`
            };
        return { target, machine };
    }));
}

;// CONCATENATED MODULE: ./src/host/native.ts


/**
 * Which requested platforms the host runs natively: its own platform always; a platform of its
 * CPU family (i386 on x86_64, arm on aarch64) only when that family member's probe really runs
 * natively. binfmt_misc is consulted before the native ELF loader, so a platform an enabled
 * handler already takes counts as emulated (and that handler is kept). Some
 * CPUs and kernels cannot run their family's 32-bit code (arm64 without AArch32, x86_64 kernels
 * without IA32 emulation), which a family table would get wrong.
 */
async function classify(platforms, host, probes, existing) {
    const printed = new Map();
    const nativeRun = (cpu) => {
        if (!printed.has(cpu))
            printed.set(cpu, probes.run(cpu).then(r => (r.code === 0 ? r.stdout.trim() : undefined)));
        return printed.get(cpu);
    };
    return Promise.all(platforms.map(async (platform) => {
        if (platform.cpu === host.platform.cpu)
            return { platform, native: true, why: 'the host architecture' };
        if (emulatorFor(platform.cpu).family !== host.family)
            return { platform, native: false, why: 'foreign CPU family' };
        const name = handlerName(platform.cpu);
        if (existing.some(e => e.name === name && e.enabled)) {
            // binfmt_misc is consulted before the native loader: this handler runs them anyway
            return { platform, native: false, why: `the existing ${name} handler runs them` };
        }
        if (!hasProbe(platform.cpu))
            return { platform, native: true, why: `the ${host.family} family runs natively` };
        const output = await nativeRun(platform.cpu);
        if (output === host.machine)
            return { platform, native: true, why: `its probe ran natively (printed ${output})` };
        return {
            platform,
            native: false,
            why: `this ${host.machine} host cannot run ${platform.cpu} binaries natively`
        };
    }));
}

;// CONCATENATED MODULE: ./src/installer/host-emulators.ts


/** @actions/io's which(), loaded only when asked (it is not needed on warm runs). */
async function which(tool) {
    const io = await __nccwpck_require__.e(/* import() */ 701).then(__nccwpck_require__.bind(__nccwpck_require__, 8701));
    return io.which(tool);
}
/** Where a host emulator for `cpu` already is: PATH first, static names before plain ones. */
async function findOnHost(cpu) {
    const dirs = [
        ...(process.env.PATH ?? '').split(external_node_path_.delimiter).filter(Boolean),
        '/usr/bin',
        '/usr/local/bin'
    ];
    for (const name of [`qemu-${cpu}-static`, `qemu-${cpu}`]) {
        for (const dir of dirs) {
            const candidate = (0,external_node_path_.join)(dir, name);
            try {
                (0,external_node_fs_.accessSync)(candidate, external_node_fs_.constants.X_OK);
                return candidate;
            }
            catch {
                // not here
            }
        }
    }
    return undefined;
}
/** Every CPU's host emulator, or undefined when any is missing. */
async function findAllOnHost(cpus) {
    const found = await Promise.all(cpus.map(async (cpu) => [cpu, await findOnHost(cpu)]));
    if (found.some(([, path]) => !path))
        return undefined;
    return new Map(found);
}

;// CONCATENATED MODULE: ./src/installer/installer.ts





/**
 * Puts static QEMU user-mode emulators for the given CPUs on the host. Subclasses differ only in
 * where the files come from; checking and describing them is shared.
 */
class Installer {
    host;
    constructor(host) {
        this.host = host;
    }
    /**
     * Fails when an emulator is dynamically linked (an F-flag interpreter must be static to work
     * inside containers and chroots) or is not built for this host.
     */
    async check(cpu, path, origin) {
        const elf = await readElf(path).catch(() => undefined);
        if (!elf)
            throw new errors/* InstallError */.sy(`${path} (qemu-${cpu}, from ${origin}) is not an ELF executable. Check ${origin}.`);
        const hostElf = emulatorFor(this.host.platform.cpu).elfMachine;
        if (elf.machine !== hostElf) {
            throw new errors/* InstallError */.sy(`${path} (qemu-${cpu}, from ${origin}) is built for ELF machine ${elf.machine}, not for this ${this.host.machine} host. ` +
                `Use emulators built for ${this.host.machine} hosts (another download-url, or install: apt).`);
        }
        if (elf.dynamic) {
            throw new errors/* InstallError */.sy(`${path} (qemu-${cpu}, from ${origin}) is dynamically linked; binfmt handlers need static emulators to work in containers. ` +
                'Install a static build (qemu-user-static, or install: download).');
        }
    }
    /** The QEMU version an emulator reports (`qemu-aarch64 version 7.2.22 (Debian ...)` → 7.2.22). */
    async versionOf(path) {
        const result = await (0,exec/* run */.e)(path, ['--version'], { timeoutMs: 10_000 });
        const match = /version\s+(\S+)/.exec(result.stdout);
        if (!match)
            runner/* warning */.$e(`Could not read the QEMU version from ${path} --version.`);
        return match?.[1] ?? '';
    }
}

;// CONCATENATED MODULE: ./src/installer/apt.ts





/** Debian/Ubuntu packages: qemu-user-static, or qemu-user where the distro dropped the old name. */
class AptInstaller extends Installer {
    name = 'apt';
    async install(cpus) {
        if (!(await which('apt-get'))) {
            throw new errors/* InstallError */.sy('install: apt, but apt-get is not on this runner (not Debian or Ubuntu). Use install: download.');
        }
        this.host.privilege.require('install: apt');
        const pkg = await this.installFirstAvailable(['qemu-user-static', 'qemu-user']);
        const emulators = new Map();
        for (const cpu of cpus) {
            const path = await findOnHost(cpu);
            if (!path) {
                throw new errors/* InstallError */.sy(`${pkg} is installed but has no qemu-${cpu} emulator. Use install: download for ${cpu}.`);
            }
            emulators.set(cpu, path);
        }
        await Promise.all([...emulators].map(([cpu, path]) => this.check(cpu, path, `the ${pkg} package`)));
        return {
            source: `apt (${pkg})`,
            emulators,
            version: await this.versionOf(emulators.values().next().value)
        };
    }
    async installFirstAvailable(packages) {
        let updated = false;
        let last;
        for (const pkg of packages) {
            for (;;) {
                last = await this.apt(['install', '-y', '--no-install-recommends', pkg]);
                if (last.code === 0)
                    return pkg;
                if (updated)
                    break;
                runner/* info */.pq('apt-get install failed; refreshing the package lists once and trying again.');
                updated = true;
                await this.apt(['update']);
            }
            runner/* info */.pq(`${pkg} could not be installed; trying the next package name.`);
        }
        throw new errors/* InstallError */.sy(`apt-get could not install ${packages.join(' or ')}: ${(0,exec/* lastLine */.f)(last?.stderr ?? '')}. ` +
            'Check the runner can reach its apt sources, or use install: download.');
    }
    apt(args) {
        return this.host.privilege.run('apt-get', ['-q', ...args], {
            echo: true,
            env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
        });
    }
}

;// CONCATENATED MODULE: ./src/installer/download.ts






/** tool-cache keys versions by semver; a version that is not one gets a stable semver spelling. */
function cacheVersion(version) {
    if (/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/.test(version))
        return version;
    return `0.0.0-${version.replace(/[^0-9A-Za-z.-]/g, '-')}`;
}
/**
 * A tool-cache hit, found the way @actions/tool-cache's find() does (`<cache>/<tool>/<version>/<arch>`
 * with a `<arch>.complete` marker) without loading it: it pulls in an HTTP stack that costs more
 * than a whole warm run. Misses go through tool-cache itself (downloadTool, cacheFile).
 */
async function findCached(tool, version, arch) {
    const root = process.env.RUNNER_TOOL_CACHE;
    if (!root)
        return undefined;
    const dir = (0,external_node_path_.join)(root, tool, version, arch);
    try {
        (0,external_node_fs_.accessSync)(`${dir}.complete`);
        return dir;
    }
    catch {
        return undefined;
    }
}
function assetUrl(template, version, cpu) {
    return template.replaceAll('{version}', version).replaceAll('{cpu}', cpu);
}
/**
 * Static emulators fetched into the runner's tool cache, only the ones needed, concurrently.
 * A cache hit makes no network request.
 */
class DownloadInstaller extends Installer {
    options;
    name = 'download';
    constructor(host, options) {
        super(host);
        this.options = options;
    }
    async install(cpus) {
        const version = cacheVersion(this.options.version);
        const arch = external_node_os_.arch();
        const emulators = new Map();
        await Promise.all(cpus.map(async (cpu) => {
            const tool = `qemu-${cpu}-static`;
            let dir = await findCached(tool, version, arch);
            if (dir) {
                runner/* info */.pq(`${tool} ${this.options.version}: tool cache hit (${dir})`);
                await this.verifyChecksum(cpu, (0,external_node_path_.join)(dir, tool), 'the tool cache');
            }
            else {
                const url = assetUrl(this.options.urlTemplate, this.options.version, cpu);
                runner/* info */.pq(`${tool} ${this.options.version}: downloading ${url}`);
                const tc = await Promise.all(/* import() */[__nccwpck_require__.e(955), __nccwpck_require__.e(183)]).then(__nccwpck_require__.bind(__nccwpck_require__, 5183));
                let file;
                try {
                    file = await tc.downloadTool(url);
                }
                catch (error) {
                    throw new errors/* InstallError */.sy(`Could not download ${tool} from ${url}: ${(0,errors/* describe */.q0)(error)}. ` +
                        'Check qemu-version and download-url (a mirror can be named there).');
                }
                await this.verifyChecksum(cpu, file, url);
                (0,external_node_fs_.chmodSync)(file, 0o755);
                await this.check(cpu, file, url);
                dir = await tc.cacheFile(file, tool, tool, version, arch);
            }
            emulators.set(cpu, (0,external_node_path_.join)(dir, tool));
            runner/* addPath */.fM(dir);
        }));
        // The release named is the version in use: no need to start an emulator to ask it.
        return {
            source: `download (${this.options.version})`,
            emulators,
            version: this.options.version
        };
    }
    async verifyChecksum(cpu, file, origin) {
        const expected = this.options.checksums.get(cpu);
        if (!expected)
            return;
        const { createHash } = await Promise.resolve(/* import() */).then(__nccwpck_require__.t.bind(__nccwpck_require__, 7598, 23));
        const actual = createHash('sha256').update((0,external_node_fs_.readFileSync)(file)).digest('hex');
        if (actual !== expected) {
            throw new errors/* InstallError */.sy(`qemu-${cpu}-static from ${origin} has SHA-256 ${actual}, but checksums expects ${expected}. ` +
                'The file changed or the checksum is wrong: check download-url, qemu-version and checksums.');
        }
    }
}

;// CONCATENATED MODULE: ./src/installer/none.ts



/** Installs nothing: uses emulators already on the host (install: none). */
class HostInstaller extends Installer {
    name = 'none';
    async install(cpus) {
        const emulators = new Map();
        const missing = [];
        for (const cpu of cpus) {
            const path = await findOnHost(cpu);
            if (path)
                emulators.set(cpu, path);
            else
                missing.push(`qemu-${cpu}-static`);
        }
        if (missing.length > 0) {
            throw new errors/* InstallError */.sy(`install: none, but ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not on PATH or in /usr/bin. ` +
                'Use install: apt or install: download, or install them before this step.');
        }
        await Promise.all([...emulators].map(([cpu, path]) => this.check(cpu, path, 'the host')));
        return {
            source: 'host',
            emulators,
            version: await this.versionOf(emulators.values().next().value)
        };
    }
}

;// CONCATENATED MODULE: ./src/installer/index.ts




/**
 * The installer for this run. install: auto uses the host's emulators when all are there, else
 * apt where apt-get and root are available, else a download.
 */
async function chooseInstaller(inputs, host, cpus) {
    const download = () => new DownloadInstaller(host, {
        version: inputs.qemuVersion,
        urlTemplate: inputs.downloadUrl,
        checksums: inputs.checksums
    });
    switch (inputs.install) {
        case 'apt':
            return { installer: new AptInstaller(host), why: 'install: apt' };
        case 'download':
            return { installer: download(), why: 'install: download' };
        case 'none':
            return { installer: new HostInstaller(host), why: 'install: none' };
        case 'auto':
            if (await findAllOnHost(cpus))
                return {
                    installer: new HostInstaller(host),
                    why: 'every emulator needed is already on the host'
                };
            if (host.privilege.canActAsRoot && (await which('apt-get')))
                return { installer: new AptInstaller(host), why: 'apt-get is available' };
            return {
                installer: download(),
                why: 'no apt-get with root here, so the emulators are downloaded'
            };
    }
}

;// CONCATENATED MODULE: ./src/inputs.ts



/** Reads and checks every input; throws InputError before anything on the machine changes. */
function readInputs(get = name => runner/* getInput */.V4(name)) {
    return {
        platforms: parsePlatforms(get('platforms')),
        registrar: oneOf('registrar', get('registrar') || 'auto', [
            'auto',
            'container',
            'native',
            'none'
        ]),
        image: imageReference('image', get('image'), false),
        install: oneOf('install', get('install') || 'auto', ['auto', 'apt', 'download', 'none']),
        qemuVersion: qemuVersion(get('qemu-version')),
        downloadUrl: downloadUrl(get('download-url')),
        checksums: parseChecksums(get('checksums')),
        reset: inputs_boolean('reset', get('reset'), true),
        persistent: inputs_boolean('persistent', get('persistent'), true),
        credential: inputs_boolean('credential', get('credential'), false),
        verify: verifyChoice(get('verify')),
        verifyImage: imageReference('verify-image', get('verify-image'), true),
        cleanup: oneOf('cleanup', get('cleanup') || 'auto', ['auto', 'true', 'false'])
    };
}
function parsePlatforms(text) {
    const names = text
        .split(/[,\n]/)
        .map(s => s.trim())
        .filter(Boolean);
    if (names.length === 0) {
        throw new errors/* InputError */.dz('platforms', 'no platform given', 'Name one or more, e.g. "linux/arm64,linux/ppc64le", or "all".');
    }
    const wanted = new Set();
    const unknown = [];
    for (const name of names) {
        if (name.toLowerCase() === 'all') {
            PLATFORMS.filter(p => p.inAll).forEach(p => wanted.add(p));
            continue;
        }
        const platform = lookupPlatform(name);
        if (platform)
            wanted.add(platform);
        else
            unknown.push(name);
    }
    if (unknown.length > 0) {
        throw new errors/* InputError */.dz('platforms', `unknown platform ${unknown.map(u => JSON.stringify(u)).join(', ')}`, `Accepted: all, ${acceptedNames().join(', ')}.`);
    }
    return PLATFORMS.filter(p => wanted.has(p));
}
const YAML_TRUE = ['true', 'True', 'TRUE'];
const YAML_FALSE = ['false', 'False', 'FALSE'];
function inputs_boolean(name, text, fallback) {
    if (text === '')
        return fallback;
    if (YAML_TRUE.includes(text))
        return true;
    if (YAML_FALSE.includes(text))
        return false;
    throw new errors/* InputError */.dz(name, `${JSON.stringify(text)} is not a boolean`, 'Use true or false.');
}
function oneOf(name, text, allowed) {
    const lower = text.toLowerCase();
    const found = allowed.find(a => a === lower);
    if (!found) {
        throw new errors/* InputError */.dz(name, `${JSON.stringify(text)} is not one of ${allowed.join(', ')}`, `Use one of: ${allowed.join(', ')}.`);
    }
    return found;
}
function verifyChoice(text) {
    if (text === '')
        return 'probe';
    if (YAML_TRUE.includes(text))
        return 'true';
    if (YAML_FALSE.includes(text))
        return 'false';
    return oneOf('verify', text, ['probe', 'image', 'true', 'false']);
}
/** Docker's reference grammar: [host[:port]/]path[:tag][@digest]. No spaces, no leading dash. */
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const HOST = '(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?';
const REFERENCE = new RegExp(`^(?:${HOST}/)?${COMPONENT}(?:/${COMPONENT})*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$`);
function imageReference(name, text, optional) {
    if (text === '' && optional)
        return '';
    if (text.length > 255 || !REFERENCE.test(text)) {
        throw new errors/* InputError */.dz(name, `${JSON.stringify(text)} is not an image reference`, 'Use [registry[:port]/]name[:tag][@sha256:digest], e.g. multiarch/qemu-user-static:7.2.0-1 or mirror.example.com/multiarch/qemu-user-static.');
    }
    return text;
}
function qemuVersion(text) {
    const value = text || '7.2.0-1';
    if (!/^[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}$/.test(value)) {
        throw new errors/* InputError */.dz('qemu-version', `${JSON.stringify(text)} is not a version`, 'Use a release tag without the leading v, e.g. 7.2.0-1.');
    }
    return value;
}
function downloadUrl(text) {
    const template = text ||
        'https://github.com/multiarch/qemu-user-static/releases/download/v{version}/qemu-{cpu}-static';
    let ok = template.includes('{cpu}');
    if (ok) {
        try {
            const url = new URL(template.replaceAll('{version}', '1').replaceAll('{cpu}', 'aarch64'));
            ok = url.protocol === 'https:' || url.protocol === 'http:';
        }
        catch {
            ok = false;
        }
    }
    if (!ok) {
        throw new errors/* InputError */.dz('download-url', `${JSON.stringify(text)} is not an http(s) URL template with {cpu}`, 'Use e.g. https://mirror.example.com/qemu/v{version}/qemu-{cpu}-static.');
    }
    return template;
}
function parseChecksums(text) {
    const sums = new Map();
    for (const raw of text.split('\n')) {
        const line = raw.trim();
        if (!line || line.startsWith('#'))
            continue;
        const match = /^([0-9a-fA-F]{64})\s+\*?(?:.*\/)?qemu-([a-z0-9_]+?)(?:-static)?$/.exec(line);
        if (!match) {
            throw new errors/* InputError */.dz('checksums', `line ${JSON.stringify(line)} is not "SHA256  qemu-<cpu>-static"`, 'Paste sha256sum output, one emulator a line.');
        }
        sums.set(match[2], match[1].toLowerCase());
    }
    return sums;
}

;// CONCATENATED MODULE: ./src/tools/docker.ts

/** Typed wrapper over the docker CLI, so callers read as intent. */
class Docker {
    bin;
    answer;
    constructor(bin = 'docker') {
        this.bin = bin;
    }
    /** Undefined when the engine answers; otherwise why not, in the CLI's words. Asked once. */
    whyNotAnswering() {
        this.answer ??= this.ask();
        return this.answer;
    }
    async ask() {
        const result = await (0,exec/* run */.e)(this.bin, ['version', '--format', '{{.Server.Version}}'], {
            timeoutMs: 30_000
        });
        if (result.startError === 'ENOENT')
            return 'the docker CLI is not installed';
        if (result.code === 0 && result.stdout.trim())
            return undefined;
        return (0,exec/* lastLine */.f)(result.stderr) || 'the Docker engine did not answer';
    }
    async hasImage(reference) {
        return (await this.imageId(reference)) !== undefined;
    }
    async pull(reference, platform) {
        const args = platform ? ['pull', '--platform', platform, reference] : ['pull', reference];
        return (0,exec/* run */.e)(this.bin, args, { echo: true });
    }
    async imageId(reference) {
        const result = await (0,exec/* run */.e)(this.bin, ['image', 'inspect', '--format', '{{.Id}}', reference]);
        return result.code === 0 ? result.stdout.trim() : undefined;
    }
    /** `docker run --rm [flags] image [args]`. */
    async run(image, args, flags = [], echo = false) {
        return (0,exec/* run */.e)(this.bin, ['run', '--rm', ...flags, image, ...args], { echo });
    }
}

;// CONCATENATED MODULE: ./src/registrar/registrar.ts



/** Flags a handler should carry, in the kernel's spelling. */
function wantedFlags(request, preserveArgv0 = false) {
    return (0,binfmt/* canonicalFlags */.GE)(`${preserveArgv0 ? 'P' : ''}${request.credential ? 'C' : ''}${request.persistent ? 'F' : ''}`);
}
/** The magic registration for a CPU with a given interpreter. */
function registrationFor(cpu, interpreter, flags) {
    const emulator = emulatorFor(cpu);
    return { name: handlerName(cpu), magic: emulator.magic, mask: emulator.mask, interpreter, flags };
}
/** Existing entries that differ from what would be registered; only an error when reset is off. */
function conflicts(existing, wanted) {
    const out = [];
    for (const w of wanted) {
        const entry = existing.find(e => e.name === w.name);
        if (!entry || (entry.enabled && (0,binfmt/* sameRegistration */.YG)(entry, w)))
            continue;
        const what = entry.enabled
            ? `interpreter ${entry.interpreter}, flags "${entry.flags}"`
            : 'disabled';
        out.push(`${w.name} (${what}; wanted ${w.interpreter}, flags "${(0,binfmt/* canonicalFlags */.GE)(w.flags)}")`);
    }
    return out;
}
function throwOnConflicts(found) {
    if (found.length === 0)
        return;
    throw new errors/* RegistrationError */.mT(`reset is false, and existing handlers differ from what would be registered: ${found.join('; ')}. ` +
        'Set reset: true to replace them, or remove them first.');
}

;// CONCATENATED MODULE: ./src/registrar/container.ts





/** Where the multiarch image keeps its emulators, and so what its entries point at. */
const imageInterpreter = (cpu) => `/usr/bin/qemu-${cpu}-static`;
/**
 * Platforms the multiarch registrar never registers: qemu-binfmt-conf.sh skips the host's own CPU
 * family (i386 on x86_64), assuming it runs natively. Not every kernel does (no IA32 emulation).
 */
function outsideContainerReach(request, hostFamily) {
    return request.emulated
        .filter(t => emulatorFor(t.platform.cpu).family === hostFamily)
        .map(t => t.platform.name);
}
/** The seed's way: `docker run --rm --privileged <image> --reset -p yes [--credential yes]`. */
class ContainerRegistrar {
    docker;
    binfmt;
    image;
    hostFamily;
    name = 'container';
    needsHostEmulators = false;
    constructor(docker, binfmt, image, hostFamily) {
        this.docker = docker;
        this.binfmt = binfmt;
        this.image = image;
        this.hostFamily = hostFamily;
    }
    get remedy() {
        return `Check that ${this.image} carries and registers these emulators (its output is above), or use registrar: native.`;
    }
    async prepare(request) {
        const unreachable = outsideContainerReach(request, this.hostFamily);
        if (unreachable.length > 0) {
            throw new errors/* HostError */.dh(`This host cannot run ${unreachable.join(', ')} natively, and the multiarch registrar never registers ` +
                `its host's own CPU family. Use registrar: native (or auto), or leave ${unreachable.join(', ')} out of platforms.`);
        }
        const why = await this.docker.whyNotAnswering();
        if (why) {
            throw new errors/* HostError */.dh(`registrar: container needs a Docker engine, and none answers (${why}). ` +
                'Start Docker (or set DOCKER_HOST), or use registrar: native, which needs no Docker.');
        }
        if (!request.reset) {
            const flags = wantedFlags(request);
            throwOnConflicts(conflicts(await this.binfmt.list(), request.cpus.map(cpu => registrationFor(cpu, imageInterpreter(cpu), flags))));
        }
    }
    async register(request) {
        await this.ensureImage();
        const args = [...(request.reset ? ['--reset'] : []), '-p', request.persistent ? 'yes' : 'no'];
        if (request.credential)
            args.push('--credential', 'yes');
        const result = await this.docker.run(this.image, args, ['--privileged'], true);
        const output = `${result.stdout}\n${result.stderr}`;
        if (/exec format error/i.test(output)) {
            throw new errors/* RegistrationError */.mT(`The registrar image ${this.image} does not run on this host's architecture (exec format error); ` +
                'the multiarch images exist for x86_64 hosts only. Use registrar: native.');
        }
        if (/unable to apply caps|operation not permitted/i.test(result.stderr) && result.code !== 0) {
            throw new errors/* HostError */.dh(`docker run --privileged ${this.image} was refused: ${(0,exec/* lastLine */.f)(result.stderr)}. ` +
                'The Docker engine must allow privileged containers (rootless Docker cannot register handlers); use registrar: native.');
        }
        if (result.code !== 0)
            runner/* warning */.$e(`${this.image} exited ${result.code}; checking what it really registered.`);
        const registered = new Set([...output.matchAll(/as binfmt interpreter for (\S+)/g)].map(m => m[1]));
        const notes = new Map();
        for (const cpu of request.cpus) {
            if (!registered.has(cpu))
                notes.set(cpu, `${this.image} did not report registering ${cpu}`);
        }
        return { notes, qemuVersion: await this.qemuVersion(request.cpus[0]) };
    }
    async ensureImage() {
        if (await this.docker.hasImage(this.image)) {
            runner/* info */.pq(`${this.image} is already present; not pulling.`);
            return;
        }
        const pulled = await this.docker.pull(this.image);
        if (pulled.code !== 0) {
            throw new errors/* RegistrationError */.mT(`Could not pull the registrar image ${this.image}: ${(0,exec/* lastLine */.f)(pulled.stderr) || 'docker pull failed'}. ` +
                'Check the image name and tag and that its registry is reachable, or name a mirror in image.');
        }
    }
    async qemuVersion(cpu) {
        if (!cpu)
            return undefined;
        const result = await this.docker.run(this.image, ['--version'], ['--entrypoint', imageInterpreter(cpu)]);
        return /version\s+(\S+)/.exec(result.stdout)?.[1];
    }
}

;// CONCATENATED MODULE: ./src/registrar/native.ts




/** Debian names its argv0-preserving wrappers `<cpu>-binfmt-P`; those need the P flag. */
const needsPreserveArgv0 = (interpreter) => /-binfmt-P$/.test(interpreter);
/**
 * Writes register lines straight to /proc/sys/fs/binfmt_misc/register from the catalogue's magic
 * and mask. Keeps identical entries, replaces different ones only when reset, touches nothing else.
 */
class NativeRegistrar {
    binfmt;
    privilege;
    name = 'native';
    needsHostEmulators = true;
    remedy = 'Check the emulators installed above, or register with registrar: container.';
    constructor(binfmt, privilege) {
        this.binfmt = binfmt;
        this.privilege = privilege;
    }
    async prepare() {
        this.privilege.require('registrar: native (writing /proc/sys/fs/binfmt_misc/register)');
    }
    async register(request, installation) {
        if (!installation)
            throw new Error('the native registrar needs installed emulators');
        const wanted = request.cpus.map(cpu => {
            const interpreter = installation.emulators.get(cpu);
            return registrationFor(cpu, interpreter, wantedFlags(request, needsPreserveArgv0(interpreter)));
        });
        const existing = await this.binfmt.list();
        if (!request.reset)
            throwOnConflicts(conflicts(existing, wanted));
        for (const w of wanted) {
            const entry = existing.find(e => e.name === w.name);
            if (entry?.enabled && (0,binfmt/* sameRegistration */.YG)(entry, w)) {
                runner/* info */.pq(`${w.name}: already registered as wanted, kept`);
                continue;
            }
            if (entry) {
                runner/* info */.pq(`${w.name}: replacing (was ${entry.enabled ? '' : 'disabled, '}${entry.interpreter}, flags "${entry.flags}")`);
                await this.binfmt.remove(w.name).catch(error => {
                    throw new errors/* RegistrationError */.mT(`Removing the existing ${w.name} handler to replace it failed: ${(0,errors/* describe */.q0)(error)}. ` +
                        'Check that nothing else manages binfmt_misc on this runner, or set reset: false to keep it.');
                });
            }
            const line = (0,binfmt/* registerLine */.AM)(w);
            try {
                await this.binfmt.register(line);
            }
            catch (error) {
                throw new errors/* RegistrationError */.mT(`Writing the ${w.name} handler (${line}) to ${this.binfmt.dir}/register failed: ${(0,errors/* describe */.q0)(error)}. ` +
                    (error.code === 'ENOENT'
                        ? `The interpreter ${w.interpreter} must exist when F is set.`
                        : 'Check the kernel log (dmesg) and that no other tool is registering at the same time.'));
            }
            runner/* info */.pq(`${w.name}: registered ${w.interpreter} (flags "${w.flags}")`);
        }
        return { notes: new Map() };
    }
}

;// CONCATENATED MODULE: ./src/registrar/none.ts
/** Registers nothing: checks and verifies handlers someone else registered (registrar: none). */
class NoRegistrar {
    name = 'none';
    needsHostEmulators = false;
    remedy = 'registrar is none, so they must be registered before this step; use registrar: auto to register them.';
    async prepare() { }
    async register() {
        return { notes: new Map() };
    }
}

;// CONCATENATED MODULE: ./src/registrar/index.ts




/**
 * registrar: auto takes the multiarch container where it can run and register everything asked
 * (an x86_64 host with a Docker engine answering, no host-family platform to emulate) and writes
 * handlers natively elsewhere; the reason goes to the log.
 */
async function chooseRegistrar(inputs, host, request, docker = new Docker()) {
    const container = () => new ContainerRegistrar(docker, host.binfmt, inputs.image, host.family);
    const native = () => new NativeRegistrar(host.binfmt, host.privilege);
    switch (inputs.registrar) {
        case 'container':
            return { registrar: container(), why: 'registrar: container' };
        case 'native':
            return { registrar: native(), why: 'registrar: native' };
        case 'none':
            return { registrar: new NoRegistrar(), why: 'registrar: none' };
        case 'auto': {
            if (host.machine !== 'x86_64') {
                return {
                    registrar: native(),
                    why: `the multiarch images run on x86_64 hosts only and this host is ${host.machine}`
                };
            }
            const unreachable = outsideContainerReach(request, host.family);
            if (unreachable.length > 0) {
                return {
                    registrar: native(),
                    why: `${unreachable.join(', ')} must be emulated here, which the multiarch registrar never does for its host's family`
                };
            }
            const notAnswering = await docker.whyNotAnswering();
            if (notAnswering)
                return { registrar: native(), why: `no Docker engine answers (${notAnswering})` };
            return { registrar: container(), why: 'an x86_64 host with a Docker engine answering' };
        }
    }
}

;// CONCATENATED MODULE: ./src/registrar/readback.ts


/**
 * The host's truth, not the registrar's exit code: every requested emulated platform must have an
 * enabled handler with the flags asked for. Returns the entries by CPU.
 */
function checkHandlers(entries, request, outcome, remedy) {
    const found = new Map();
    const problems = [];
    for (const target of request.emulated) {
        const cpu = target.platform.cpu;
        const name = handlerName(cpu);
        const entry = entries.find(e => e.name === name);
        const label = `${target.platform.name} (${name})`;
        if (!entry) {
            const note = outcome.notes.get(cpu);
            problems.push(`${label} is not registered${note ? `: ${note}` : ''}`);
        }
        else if (!entry.enabled) {
            problems.push(`${label} is disabled`);
        }
        else if (request.persistent && !entry.flags.includes('F')) {
            problems.push(`${label} lacks the F flag (flags "${entry.flags}")`);
        }
        else if (request.credential && !entry.flags.includes('C')) {
            problems.push(`${label} lacks the C flag (flags "${entry.flags}")`);
        }
        else {
            found.set(cpu, entry);
        }
    }
    if (problems.length > 0) {
        throw new errors/* RegistrationError */.mT(`Handlers missing on the host after registration: ${problems.join('; ')}. ${remedy}`);
    }
    return found;
}

;// CONCATENATED MODULE: ./src/report/outputs.ts


/** The outputs later steps read: names as in action.yml. */
function outputsOf(report) {
    const machines = {};
    for (const [platform, verdict] of report.verdicts) {
        if (verdict.machine && passed(verdict))
            machines[platform] = verdict.machine;
    }
    const emulated = report.targets.filter(t => !t.native);
    const verified = report.verdicts.size > 0 &&
        emulated.every(t => passed(report.verdicts.get(t.platform.name) ?? { target: t, skipped: 'not run' }));
    return {
        platforms: report.targets.map(t => t.platform.name).join(','),
        emulators: report.emulators.join(','),
        machines: JSON.stringify(machines),
        verified: String(verified),
        'qemu-version': report.qemuVersion,
        registrar: report.registrar
    };
}
function setOutputs(report) {
    for (const [name, value] of Object.entries(outputsOf(report)))
        runner/* setOutput */.uH(name, value);
}

;// CONCATENATED MODULE: ./src/report/summary.ts


const cell = (text) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
function verification(verdict) {
    if (!verdict)
        return 'not verified';
    if (verdict.problem)
        return `❌ ${verdict.problem}`;
    if (verdict.skipped)
        return `skipped: ${verdict.skipped}`;
    return `✅ \`${verdict.machine}\``;
}
/** The job summary: one table row per platform. */
function summaryMarkdown(report, entries, heading) {
    const rows = report.targets.map(t => {
        const entry = entries.get(t.platform.cpu);
        const emulator = t.native ? 'native' : handlerName(t.platform.cpu);
        const interpreter = t.native ? '—' : entry ? `\`${entry.interpreter}\`` : 'missing';
        const flags = t.native ? '—' : entry?.flags || '(none)';
        return `| \`${t.platform.name}\` | ${emulator} | ${cell(interpreter)} | ${cell(flags)} | ${cell(verification(report.verdicts.get(t.platform.name)))} |`;
    });
    return [
        `## ${heading}`,
        '',
        '| Platform | Emulator | Interpreter | Flags | Verification |',
        '| --- | --- | --- | --- | --- |',
        ...rows,
        '',
        `Registrar: **${report.registrar}** · QEMU: **${report.qemuVersion || 'unknown'}**`,
        ''
    ].join('\n');
}
function writeSummary(markdown) {
    runner/* appendSummary */.fe(markdown);
}

// EXTERNAL MODULE: ./src/state.ts
var state = __nccwpck_require__(2462);
;// CONCATENATED MODULE: ./src/verifier/image.ts


/**
 * The seed's check: `uname -m` in a target-arch container. Pulls run one at a time (each pull of
 * a multi-arch tag retags it, so pull and resolve to an image ID must not interleave); the
 * containers then run concurrently from those IDs.
 */
async function verifyByImage(targets, hostMachine, docker, override) {
    const resolved = [];
    for (const target of targets) {
        const image = override || target.platform.verifyImage;
        if (!image) {
            resolved.push({
                target,
                image: '',
                skipped: `no default verify image has ${target.platform.name}; set verify-image to check it`
            });
            continue;
        }
        const pulled = await docker.pull(image, target.platform.name);
        if (pulled.code !== 0) {
            const why = (0,exec/* lastLine */.f)(pulled.stderr);
            const absent = /no matching manifest|does not provide the specified platform|not found.*platform/i.test(why);
            resolved.push({
                target,
                image,
                problem: absent
                    ? `${image} has no ${target.platform.name} variant (${why}); name an image that has one in verify-image, or use verify: probe`
                    : `could not pull ${image} for ${target.platform.name}: ${why}; check verify-image and that its registry is reachable`
            });
            continue;
        }
        resolved.push({ target, image, id: await docker.imageId(image) });
    }
    return Promise.all(resolved.map(async ({ target, image, id, problem, skipped }) => {
        if (skipped)
            return { target, skipped };
        if (problem || !id)
            return { target, problem: problem ?? `${image} could not be resolved after pulling` };
        const result = await docker.run(id, ['uname', '-m']);
        const expected = expectedMachine(target, hostMachine);
        if (result.code !== 0) {
            const why = (0,exec/* lastLine */.f)(result.stderr);
            return {
                target,
                problem: /exec format error/i.test(result.stderr)
                    ? `${image} (${target.platform.name}) failed with exec format error: no working handler inside containers (was it registered with F?)`
                    : `uname -m in ${image} (${target.platform.name}) exited ${result.code}: ${why}`
            };
        }
        const machine = result.stdout.trim();
        if (machine !== expected) {
            return {
                target,
                machine,
                problem: `${image} for ${target.platform.name} printed ${machine || '(nothing)'}, expected ${expected}`
            };
        }
        return { target, machine };
    }));
}

;// CONCATENATED MODULE: ./src/main.ts

















/** The entry of the main step: every failure becomes one `::error::` line and exit code 1. */
async function run() {
    try {
        await setUp(readInputs());
    }
    catch (error) {
        runner/* setFailed */.C1(error instanceof errors/* ActionError */.lZ
            ? (0,errors/* describe */.q0)(error)
            : `Unexpected failure: ${(0,errors/* describe */.q0)(error)}. This is a bug in the action, not in your workflow: please report it with this step's log.`);
    }
}
async function setUp(inputs) {
    const started = performance.now();
    const docker = new Docker();
    const probes = await Probes.create();
    try {
        const plan = await runner/* group */.Os('Preflight', () => preflight(inputs, docker, probes));
        const { host, request, registrar } = plan;
        let installation;
        let qemuVersion;
        let handlers = new Map();
        if (request.emulated.length > 0) {
            await runner/* group */.Os('binfmt_misc on the host', async () => {
                const snapshot = await (0,state/* takeSnapshot */.W)(host.binfmt);
                const mounted = await host.binfmt.ensureMounted();
                runner/* info */.pq(mounted
                    ? `Mounted binfmt_misc at ${host.binfmt.dir}.`
                    : `binfmt_misc is mounted at ${host.binfmt.dir}.`);
                saveCleanupState(inputs, snapshot, mounted);
            });
            // The container registrar's image carries its own emulators; an explicit install still
            // puts them on the host (for running foreign binaries directly or later native use).
            if (registrar.needsHostEmulators ||
                inputs.install === 'apt' ||
                inputs.install === 'download') {
                installation = await runner/* group */.Os('Install QEMU', async () => {
                    const { installer, why } = await chooseInstaller(inputs, host, request.cpus);
                    runner/* info */.pq(`Installer: ${installer.name} (${why})`);
                    const done = await installer.install(request.cpus);
                    runner/* info */.pq(`QEMU ${done.version || '(version unknown)'} from ${done.source}: ${[...done.emulators.values()].join(', ')}`);
                    return done;
                });
            }
            else {
                runner/* info */.pq(`Install QEMU: nothing to install on the host (${registrar.name === 'container' ? 'the registrar image carries its emulators' : 'registrar: none'}).`);
            }
            const outcome = await runner/* group */.Os(`Register handlers (${registrar.name})`, () => registrar.register(request, installation));
            qemuVersion = outcome.qemuVersion || installation?.version;
            handlers = await runner/* group */.Os('Read back /proc/sys/fs/binfmt_misc', async () => {
                const found = checkHandlers(await host.binfmt.list(), request, outcome, registrar.remedy);
                for (const [cpu, e] of found)
                    runner/* info */.pq(`${handlerName(cpu)}: enabled, interpreter ${e.interpreter}, flags "${e.flags}"`);
                return found;
            });
        }
        else {
            runner/* info */.pq('Every requested platform is native to this host: nothing to register.');
        }
        const verdicts = await verify(plan, docker, probes, handlers, inputs);
        const report = {
            targets: plan.targets,
            emulators: request.cpus.map(handlerName),
            verdicts,
            qemuVersion: qemuVersion ?? '',
            registrar: request.emulated.length > 0 ? registrar.name : 'none'
        };
        setOutputs(report);
        writeSummary(summaryMarkdown(report, handlers, 'Cross-architecture emulation'));
        const failed = [...verdicts.values()].filter(v => v.problem);
        if (failed.length > 0) {
            throw new errors/* VerificationError */.mk(`Verification failed for ${failed.map(v => `${v.target.platform.name}: ${v.problem}`).join('; ')}.`);
        }
        runner/* info */.pq(`Ready: ${report.targets.map(t => t.platform.name).join(', ')} in ${Math.round(performance.now() - started)} ms.`);
    }
    finally {
        await probes.dispose();
    }
}
async function preflight(inputs, docker, probes) {
    const host = await inspectHost();
    runner/* info */.pq(`Host: ${host.machine} (${host.platform.name}), privileges: ${host.privilege.mode}`);
    const mounted = await host.binfmt.isMounted();
    const targets = await classify(inputs.platforms, host, probes, await host.binfmt.list());
    for (const t of targets) {
        runner/* info */.pq(`${t.platform.name}: ${t.native ? 'native' : `emulated by ${handlerName(t.platform.cpu)}`} (${t.why})`);
    }
    const emulated = targets.filter(t => !t.native);
    const request = {
        emulated,
        cpus: [...new Set(emulated.map(t => t.platform.cpu))],
        reset: inputs.reset,
        persistent: inputs.persistent,
        credential: inputs.credential
    };
    const { registrar, why } = emulated.length > 0
        ? await chooseRegistrar(inputs, host, request, docker)
        : { registrar: new NoRegistrar(), why: 'nothing to emulate' };
    runner/* info */.pq(`Registrar: ${registrar.name} (${why})`);
    if (emulated.length > 0) {
        if (!mounted)
            host.privilege.require(`Mounting binfmt_misc at ${host.binfmt.dir}`);
        await registrar.prepare(request);
    }
    const probe = inputs.verify === 'probe' || inputs.verify === 'true';
    let image = inputs.verify === 'image';
    if (inputs.verify === 'image' || inputs.verify === 'true') {
        const why = await docker.whyNotAnswering();
        if (why && inputs.verify === 'image') {
            throw new errors/* VerificationError */.mk(`verify: image needs a Docker engine, and none answers (${why}). Start Docker, or use verify: probe, which needs none.`);
        }
        image = !why;
        if (why)
            runner/* info */.pq(`verify: true without image verification: no Docker engine answers (${why}).`);
    }
    return { host, targets, request, registrar, probe, image };
}
async function verify(plan, docker, probes, handlers, inputs) {
    const verdicts = new Map();
    if (!plan.probe && !plan.image)
        return verdicts;
    return runner/* group */.Os('Verify', async () => {
        const interpreters = new Map([...handlers].map(([cpu, e]) => [cpu, e.interpreter]));
        const chroot = inputs.persistent && plan.host.privilege.canActAsRoot ? plan.host.privilege : undefined;
        const [byProbe, byImage] = await Promise.all([
            plan.probe
                ? verifyByProbe(plan.targets, plan.host.machine, probes, { chroot, interpreters })
                : [],
            plan.image ? verifyByImage(plan.targets, plan.host.machine, docker, inputs.verifyImage) : []
        ]);
        for (const v of [...byProbe, ...byImage]) {
            const name = v.target.platform.name;
            const merged = merge(verdicts.get(name), v);
            verdicts.set(name, merged);
        }
        for (const [name, v] of verdicts) {
            runner/* info */.pq(`${name}: ${v.problem ? `FAILED, ${v.problem}` : v.skipped ? `skipped, ${v.skipped}` : `ok, uname -m = ${v.machine}`}`);
        }
        return verdicts;
    });
}
/** Probe and image verdicts for one platform: a problem in either wins; a pass beats a skip. */
function merge(a, b) {
    if (!a)
        return b;
    if (a.problem || b.problem) {
        return {
            target: b.target,
            machine: a.machine ?? b.machine,
            problem: [a.problem, b.problem].filter(Boolean).join('; ')
        };
    }
    if (passed(a) && passed(b))
        return b;
    return passed(a) ? a : b;
}
function saveCleanupState(inputs, snapshot, mounted) {
    const enabled = inputs.cleanup === 'true' ||
        (inputs.cleanup === 'auto' && process.env.RUNNER_ENVIRONMENT === 'self-hosted');
    if (!enabled)
        return;
    runner/* saveState */.LZ('cleanup', 'true');
    runner/* saveState */.LZ('snapshot', JSON.stringify(snapshot));
    runner/* saveState */.LZ('mounted', String(mounted));
}


/***/ }),

/***/ 6661:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   t: () => (/* binding */ cleanup)
/* harmony export */ });
/* harmony import */ var _runner_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(4813);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(3916);
/* harmony import */ var _host_binfmt_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(4428);
/* harmony import */ var _host_privilege_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(5889);
/* harmony import */ var _state_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(2462);





/** The post step: with cleanup on, puts the host's qemu-* handlers back as they were. */
async function cleanup() {
    try {
        if (_runner_js__WEBPACK_IMPORTED_MODULE_0__/* .getState */ .Gu('cleanup') !== 'true') {
            _runner_js__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq('cleanup is off for this run: handlers stay registered.');
            return;
        }
        const snapshot = JSON.parse(_runner_js__WEBPACK_IMPORTED_MODULE_0__/* .getState */ .Gu('snapshot'));
        const binfmt = new _host_binfmt_js__WEBPACK_IMPORTED_MODULE_2__/* .Binfmt */ .rZ(new _host_privilege_js__WEBPACK_IMPORTED_MODULE_3__/* .Privilege */ .E(await (0,_host_privilege_js__WEBPACK_IMPORTED_MODULE_3__/* .detectPrivilege */ .F)()));
        const done = await (0,_state_js__WEBPACK_IMPORTED_MODULE_4__/* .restoreSnapshot */ .n)(binfmt, snapshot, _runner_js__WEBPACK_IMPORTED_MODULE_0__/* .getState */ .Gu('mounted') === 'true');
        _runner_js__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(done.length > 0
            ? done.join('\n')
            : 'binfmt_misc handlers are already as they were before this job.');
    }
    catch (error) {
        _runner_js__WEBPACK_IMPORTED_MODULE_0__/* .setFailed */ .C1(`Cleanup could not put the binfmt_misc handlers back: ${(0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .describe */ .q0)(error)}. Check /proc/sys/fs/binfmt_misc on this runner.`);
    }
}


/***/ }),

/***/ 4813:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   $e: () => (/* binding */ warning),
/* harmony export */   C1: () => (/* binding */ setFailed),
/* harmony export */   Gu: () => (/* binding */ getState),
/* harmony export */   LZ: () => (/* binding */ saveState),
/* harmony export */   Os: () => (/* binding */ group),
/* harmony export */   V4: () => (/* binding */ getInput),
/* harmony export */   fM: () => (/* binding */ addPath),
/* harmony export */   fe: () => (/* binding */ appendSummary),
/* harmony export */   pq: () => (/* binding */ info),
/* harmony export */   uH: () => (/* binding */ setOutput)
/* harmony export */ });
/* unused harmony exports debug, error */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(8161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_os__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__nccwpck_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);
/**
 * The GitHub runner's protocol for a JavaScript action: inputs from INPUT_* variables, outputs,
 * state, PATH and the job summary through the GITHUB_* files, workflow commands on stdout.
 *
 * Why not @actions/core: it imports @actions/http-client and undici at load time (for OIDC tokens
 * this action never asks for), which measured +150 ms per run on Node 24 (docs/benchmarks.md),
 * three times the whole budget of a warm run. The functions below keep @actions/core's names and
 * file formats, so they read the same.
 */



const escapeData = (s) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
/**
 * Log lines go straight to fd 1: touching process.stdout builds a stream over the pipe (loading
 * node:net), which costs a warm run ~7 ms. A full non-blocking pipe (EAGAIN) falls back to it.
 */
function write(text) {
    let rest = Buffer.from(text);
    try {
        while (rest.length > 0)
            rest = rest.subarray((0,node_fs__WEBPACK_IMPORTED_MODULE_0__.writeSync)(1, rest));
    }
    catch {
        process.stdout.write(rest);
    }
}
function command(name, message) {
    write(`::${name}::${escapeData(message)}${node_os__WEBPACK_IMPORTED_MODULE_1__.EOL}`);
}
/**
 * `name<<DELIM` form, as the runner parses GITHUB_OUTPUT, GITHUB_STATE and GITHUB_ENV. The
 * delimiter is checked against the value rather than drawn from node:crypto, whose loading alone
 * costs a warm run about 10 ms.
 */
function appendKeyValue(file, name, value) {
    let delimiter;
    do
        delimiter = `ghadelimiter_${process.pid}_${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
    while (value.includes(delimiter) || name.includes(delimiter));
    (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.appendFileSync)(file, `${name}<<${delimiter}${node_os__WEBPACK_IMPORTED_MODULE_1__.EOL}${value}${node_os__WEBPACK_IMPORTED_MODULE_1__.EOL}${delimiter}${node_os__WEBPACK_IMPORTED_MODULE_1__.EOL}`, 'utf8');
}
function getInput(name) {
    return (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}
function setOutput(name, value) {
    const file = process.env.GITHUB_OUTPUT;
    if (file)
        appendKeyValue(file, name, value);
    else
        write(`${node_os__WEBPACK_IMPORTED_MODULE_1__.EOL}::set-output name=${name}::${escapeData(value)}${node_os__WEBPACK_IMPORTED_MODULE_1__.EOL}`);
}
function saveState(name, value) {
    const file = process.env.GITHUB_STATE;
    if (file)
        appendKeyValue(file, name, value);
    else
        write(`::save-state name=${name}::${escapeData(value)}${node_os__WEBPACK_IMPORTED_MODULE_1__.EOL}`);
}
function getState(name) {
    return process.env[`STATE_${name}`] ?? '';
}
function addPath(dir) {
    const file = process.env.GITHUB_PATH;
    if (file)
        (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.appendFileSync)(file, `${dir}${node_os__WEBPACK_IMPORTED_MODULE_1__.EOL}`, 'utf8');
    else
        command('add-path', dir);
    process.env.PATH = `${dir}${node_path__WEBPACK_IMPORTED_MODULE_2__.delimiter}${process.env.PATH ?? ''}`;
}
function info(message) {
    write(`${message}${node_os__WEBPACK_IMPORTED_MODULE_1__.EOL}`);
}
function debug(message) {
    command('debug', message);
}
function warning(message) {
    command('warning', message);
}
function error(message) {
    command('error', message);
}
/** One `::error::` line and exit code 1. */
function setFailed(message) {
    process.exitCode = 1;
    error(message);
}
/** Output of `fn` folded under `name` in the log. */
async function group(name, fn) {
    command('group', name);
    try {
        return await fn();
    }
    finally {
        command('endgroup', '');
    }
}
/** Appends markdown to the job summary (no-op outside a runner). */
function appendSummary(markdown) {
    const file = process.env.GITHUB_STEP_SUMMARY;
    if (file)
        (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.appendFileSync)(file, `${markdown}${node_os__WEBPACK_IMPORTED_MODULE_1__.EOL}`, 'utf8');
}


/***/ }),

/***/ 2462:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   W: () => (/* binding */ takeSnapshot),
/* harmony export */   n: () => (/* binding */ restoreSnapshot)
/* harmony export */ });
/* harmony import */ var _host_binfmt_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(4428);

/** Only handlers of this family are ever changed by the action, so only they are restored. */
const ours = (name) => name.startsWith('qemu-');
async function takeSnapshot(binfmt) {
    const mounted = await binfmt.isMounted();
    const names = (await binfmt.names()).filter(ours);
    const entries = await Promise.all(names.map(async (name) => ({ name, text: (await binfmt.text(name)) ?? '' })));
    return { mounted, entries: entries.filter(e => e.text !== '') };
}
/**
 * Puts the qemu-* handlers back exactly as the snapshot has them: added ones removed, replaced or
 * removed ones registered again (and disabled again when they were). Unmounts binfmt_misc when
 * the action mounted it and nothing is left in it. Returns what it did, a line each.
 */
async function restoreSnapshot(binfmt, snapshot, weMounted) {
    const done = [];
    const before = new Map(snapshot.entries.map(e => [e.name, e.text]));
    for (const name of (await binfmt.names()).filter(ours)) {
        const text = await binfmt.text(name);
        if (before.get(name) === text)
            continue;
        await binfmt.remove(name);
        if (!before.has(name))
            done.push(`${name}: removed (added by this job)`);
    }
    for (const { name, text } of snapshot.entries) {
        if ((await binfmt.text(name)) === text)
            continue;
        const entry = (0,_host_binfmt_js__WEBPACK_IMPORTED_MODULE_0__/* .parseEntry */ .ER)(name, text);
        await binfmt.register((0,_host_binfmt_js__WEBPACK_IMPORTED_MODULE_0__/* .lineFor */ .y1)(entry));
        if (!entry.enabled)
            await binfmt.setEnabled(name, false);
        done.push(`${name}: put back (${entry.interpreter}, flags "${entry.flags}"${entry.enabled ? '' : ', disabled'})`);
    }
    if (!snapshot.mounted && weMounted && (await binfmt.names()).length === 0) {
        await binfmt.unmount();
        done.push('binfmt_misc: unmounted again (this job mounted it)');
    }
    return done;
}


/***/ }),

/***/ 2122:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   e: () => (/* binding */ run),
/* harmony export */   f: () => (/* binding */ lastLine)
/* harmony export */ });
/**
 * Runs a program with an argument array; never through a shell, so no input is ever parsed as
 * shell syntax.
 */
async function run(file, args, options = {}) {
    if (options.echo)
        return runEchoed(file, args, options);
    // Loaded on first use: a warm run that starts no process skips node:child_process (~9 ms).
    const { execFile } = await Promise.resolve(/* import() */).then(__nccwpck_require__.t.bind(__nccwpck_require__, 1421, 23));
    return new Promise(resolve => {
        const child = execFile(file, args, {
            env: options.env,
            timeout: options.timeoutMs,
            maxBuffer: 64 * 1024 * 1024,
            encoding: 'utf8'
        }, (error, stdout, stderr) => {
            const err = error;
            const startError = err && typeof err.code === 'string' ? err.code : undefined;
            const code = !err ? 0 : typeof err.code === 'number' ? err.code : null;
            resolve({ code, signal: err?.signal ?? null, stdout, stderr, startError });
        });
        child.stdin?.on('error', () => undefined);
        child.stdin?.end(options.input ?? '');
    });
}
async function runEchoed(file, args, options) {
    // Loaded only when a step streams output (apt-get, docker pull), keeping warm runs lean.
    const actionsExec = await __nccwpck_require__.e(/* import() */ 955).then(__nccwpck_require__.bind(__nccwpck_require__, 1955));
    try {
        const out = await actionsExec.getExecOutput(file, [...args], {
            ignoreReturnCode: true,
            input: options.input === undefined ? undefined : Buffer.from(options.input),
            env: options.env
        });
        return { code: out.exitCode, signal: null, stdout: out.stdout, stderr: out.stderr };
    }
    catch (error) {
        const code = error.code;
        return {
            code: null,
            signal: null,
            stdout: '',
            stderr: String(error),
            startError: code ?? 'ENOENT'
        };
    }
}
/** The last non-empty line of a tool's error output: usually the one that says why. */
function lastLine(text) {
    const lines = text
        .split('\n')
        .map(l => l.trim())
        .filter(Boolean);
    return lines[lines.length - 1] ?? '';
}


/***/ }),

/***/ 2613:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("assert");

/***/ }),

/***/ 5317:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("child_process");

/***/ }),

/***/ 6982:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("crypto");

/***/ }),

/***/ 4434:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("events");

/***/ }),

/***/ 9896:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("fs");

/***/ }),

/***/ 8611:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("http");

/***/ }),

/***/ 5692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("https");

/***/ }),

/***/ 9278:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("net");

/***/ }),

/***/ 4589:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:assert");

/***/ }),

/***/ 6698:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:async_hooks");

/***/ }),

/***/ 4573:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:buffer");

/***/ }),

/***/ 1421:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:child_process");

/***/ }),

/***/ 7540:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:console");

/***/ }),

/***/ 7598:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");

/***/ }),

/***/ 3053:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:diagnostics_channel");

/***/ }),

/***/ 610:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:dns");

/***/ }),

/***/ 8474:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:events");

/***/ }),

/***/ 3024:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");

/***/ }),

/***/ 7067:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http");

/***/ }),

/***/ 2467:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http2");

/***/ }),

/***/ 7030:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:net");

/***/ }),

/***/ 8161:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");

/***/ }),

/***/ 6760:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");

/***/ }),

/***/ 643:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:perf_hooks");

/***/ }),

/***/ 1792:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:querystring");

/***/ }),

/***/ 7075:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream");

/***/ }),

/***/ 1692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:tls");

/***/ }),

/***/ 3136:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:url");

/***/ }),

/***/ 7975:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util");

/***/ }),

/***/ 3429:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util/types");

/***/ }),

/***/ 5919:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:worker_threads");

/***/ }),

/***/ 8522:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");

/***/ }),

/***/ 857:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("os");

/***/ }),

/***/ 6928:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("path");

/***/ }),

/***/ 2203:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("stream");

/***/ }),

/***/ 3193:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("string_decoder");

/***/ }),

/***/ 3557:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("timers");

/***/ }),

/***/ 4756:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("tls");

/***/ }),

/***/ 9023:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("util");

/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId](module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/******/ // expose the modules object (__webpack_modules__)
/******/ __nccwpck_require__.m = __webpack_modules__;
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/async module */
/******/ (() => {
/******/ 	var webpackQueues = typeof Symbol === "function" ? Symbol("webpack queues") : "__webpack_queues__";
/******/ 	var webpackExports = typeof Symbol === "function" ? Symbol("webpack exports") : "__webpack_exports__";
/******/ 	var webpackError = typeof Symbol === "function" ? Symbol("webpack error") : "__webpack_error__";
/******/ 	var resolveQueue = (queue) => {
/******/ 		if(queue && queue.d < 1) {
/******/ 			queue.d = 1;
/******/ 			queue.forEach((fn) => (fn.r--));
/******/ 			queue.forEach((fn) => (fn.r-- ? fn.r++ : fn()));
/******/ 		}
/******/ 	}
/******/ 	var wrapDeps = (deps) => (deps.map((dep) => {
/******/ 		if(dep !== null && typeof dep === "object") {
/******/ 			if(dep[webpackQueues]) return dep;
/******/ 			if(dep.then) {
/******/ 				var queue = [];
/******/ 				queue.d = 0;
/******/ 				dep.then((r) => {
/******/ 					obj[webpackExports] = r;
/******/ 					resolveQueue(queue);
/******/ 				}, (e) => {
/******/ 					obj[webpackError] = e;
/******/ 					resolveQueue(queue);
/******/ 				});
/******/ 				var obj = {};
/******/ 				obj[webpackQueues] = (fn) => (fn(queue));
/******/ 				return obj;
/******/ 			}
/******/ 		}
/******/ 		var ret = {};
/******/ 		ret[webpackQueues] = x => {};
/******/ 		ret[webpackExports] = dep;
/******/ 		return ret;
/******/ 	}));
/******/ 	__nccwpck_require__.a = (module, body, hasAwait) => {
/******/ 		var queue;
/******/ 		hasAwait && ((queue = []).d = -1);
/******/ 		var depQueues = new Set();
/******/ 		var exports = module.exports;
/******/ 		var currentDeps;
/******/ 		var outerResolve;
/******/ 		var reject;
/******/ 		var promise = new Promise((resolve, rej) => {
/******/ 			reject = rej;
/******/ 			outerResolve = resolve;
/******/ 		});
/******/ 		promise[webpackExports] = exports;
/******/ 		promise[webpackQueues] = (fn) => (queue && fn(queue), depQueues.forEach(fn), promise["catch"](x => {}));
/******/ 		module.exports = promise;
/******/ 		body((deps) => {
/******/ 			currentDeps = wrapDeps(deps);
/******/ 			var fn;
/******/ 			var getResult = () => (currentDeps.map((d) => {
/******/ 				if(d[webpackError]) throw d[webpackError];
/******/ 				return d[webpackExports];
/******/ 			}))
/******/ 			var promise = new Promise((resolve) => {
/******/ 				fn = () => (resolve(getResult));
/******/ 				fn.r = 0;
/******/ 				var fnQueue = (q) => (q !== queue && !depQueues.has(q) && (depQueues.add(q), q && !q.d && (fn.r++, q.push(fn))));
/******/ 				currentDeps.map((dep) => (dep[webpackQueues](fnQueue)));
/******/ 			});
/******/ 			return fn.r ? promise : getResult();
/******/ 		}, (err) => ((err ? reject(promise[webpackError] = err) : outerResolve(exports)), resolveQueue(queue)));
/******/ 		queue && queue.d < 0 && (queue.d = 0);
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/compat get default export */
/******/ (() => {
/******/ 	// getDefaultExport function for compatibility with non-harmony modules
/******/ 	__nccwpck_require__.n = (module) => {
/******/ 		var getter = module && module.__esModule ?
/******/ 			() => (module['default']) :
/******/ 			() => (module);
/******/ 		__nccwpck_require__.d(getter, { a: getter });
/******/ 		return getter;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/create fake namespace object */
/******/ (() => {
/******/ 	var getProto = Object.getPrototypeOf ? (obj) => (Object.getPrototypeOf(obj)) : (obj) => (obj.__proto__);
/******/ 	var leafPrototypes;
/******/ 	// create a fake namespace object
/******/ 	// mode & 1: value is a module id, require it
/******/ 	// mode & 2: merge all properties of value into the ns
/******/ 	// mode & 4: return value when already ns object
/******/ 	// mode & 16: return value when it's Promise-like
/******/ 	// mode & 8|1: behave like require
/******/ 	__nccwpck_require__.t = function(value, mode) {
/******/ 		if(mode & 1) value = this(value);
/******/ 		if(mode & 8) return value;
/******/ 		if(typeof value === 'object' && value) {
/******/ 			if((mode & 4) && value.__esModule) return value;
/******/ 			if((mode & 16) && typeof value.then === 'function') return value;
/******/ 		}
/******/ 		var ns = Object.create(null);
/******/ 		__nccwpck_require__.r(ns);
/******/ 		var def = {};
/******/ 		leafPrototypes = leafPrototypes || [null, getProto({}), getProto([]), getProto(getProto)];
/******/ 		for(var current = mode & 2 && value; typeof current == 'object' && !~leafPrototypes.indexOf(current); current = getProto(current)) {
/******/ 			Object.getOwnPropertyNames(current).forEach((key) => (def[key] = () => (value[key])));
/******/ 		}
/******/ 		def['default'] = () => (value);
/******/ 		__nccwpck_require__.d(ns, def);
/******/ 		return ns;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/ensure chunk */
/******/ (() => {
/******/ 	__nccwpck_require__.f = {};
/******/ 	// This file contains only the entry chunk.
/******/ 	// The chunk loading function for additional chunks
/******/ 	__nccwpck_require__.e = (chunkId) => {
/******/ 		return Promise.all(Object.keys(__nccwpck_require__.f).reduce((promises, key) => {
/******/ 			__nccwpck_require__.f[key](chunkId, promises);
/******/ 			return promises;
/******/ 		}, []));
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/get javascript chunk filename */
/******/ (() => {
/******/ 	// This function allow to reference async chunks
/******/ 	__nccwpck_require__.u = (chunkId) => {
/******/ 		// return url for filenames based on template
/******/ 		return "" + chunkId + ".index.js";
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/******/ /* webpack/runtime/make namespace object */
/******/ (() => {
/******/ 	// define __esModule on exports
/******/ 	__nccwpck_require__.r = (exports) => {
/******/ 		if(typeof Symbol !== 'undefined' && Symbol.toStringTag) {
/******/ 			Object.defineProperty(exports, Symbol.toStringTag, { value: 'Module' });
/******/ 		}
/******/ 		Object.defineProperty(exports, '__esModule', { value: true });
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/import chunk loading */
/******/ (() => {
/******/ 	// no baseURI
/******/ 	
/******/ 	// object to store loaded and loading chunks
/******/ 	// undefined = chunk not loaded, null = chunk preloaded/prefetched
/******/ 	// [resolve, Promise] = chunk loading, 0 = chunk loaded
/******/ 	var installedChunks = {
/******/ 		792: 0
/******/ 	};
/******/ 	
/******/ 	var installChunk = (data) => {
/******/ 		var {ids, modules, runtime} = data;
/******/ 		// add "modules" to the modules object,
/******/ 		// then flag all "ids" as loaded and fire callback
/******/ 		var moduleId, chunkId, i = 0;
/******/ 		for(moduleId in modules) {
/******/ 			if(__nccwpck_require__.o(modules, moduleId)) {
/******/ 				__nccwpck_require__.m[moduleId] = modules[moduleId];
/******/ 			}
/******/ 		}
/******/ 		if(runtime) runtime(__nccwpck_require__);
/******/ 		for(;i < ids.length; i++) {
/******/ 			chunkId = ids[i];
/******/ 			if(__nccwpck_require__.o(installedChunks, chunkId) && installedChunks[chunkId]) {
/******/ 				installedChunks[chunkId][0]();
/******/ 			}
/******/ 			installedChunks[ids[i]] = 0;
/******/ 		}
/******/ 	
/******/ 	}
/******/ 	
/******/ 	__nccwpck_require__.f.j = (chunkId, promises) => {
/******/ 			// import() chunk loading for javascript
/******/ 			var installedChunkData = __nccwpck_require__.o(installedChunks, chunkId) ? installedChunks[chunkId] : undefined;
/******/ 			if(installedChunkData !== 0) { // 0 means "already installed".
/******/ 	
/******/ 				// a Promise means "currently loading".
/******/ 				if(installedChunkData) {
/******/ 					promises.push(installedChunkData[1]);
/******/ 				} else {
/******/ 					if(true) { // all chunks have JS
/******/ 						// setup Promise in chunk cache
/******/ 						var promise = import("./" + __nccwpck_require__.u(chunkId)).then(installChunk, (e) => {
/******/ 							if(installedChunks[chunkId] !== 0) installedChunks[chunkId] = undefined;
/******/ 							throw e;
/******/ 						});
/******/ 						var promise = Promise.race([promise, new Promise((resolve) => (installedChunkData = installedChunks[chunkId] = [resolve]))])
/******/ 						promises.push(installedChunkData[1] = promise);
/******/ 					}
/******/ 				}
/******/ 			}
/******/ 	};
/******/ 	
/******/ 	// no prefetching
/******/ 	
/******/ 	// no preloaded
/******/ 	
/******/ 	// no external install chunk
/******/ 	
/******/ 	// no on chunks loaded
/******/ })();
/******/ 
/************************************************************************/
/******/ 
/******/ // startup
/******/ // Load entry module and return exports
/******/ // This entry module used 'module' so it can't be inlined
/******/ var __webpack_exports__ = __nccwpck_require__(9407);
/******/ __webpack_exports__ = await __webpack_exports__;
/******/ 
