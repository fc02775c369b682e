export const id = 683;
export const ids = [683];
export const modules = {

/***/ 5683:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   DebError: () => (/* binding */ DebError),
/* harmony export */   extractDeb: () => (/* binding */ extractDeb)
/* harmony export */ });
/* unused harmony exports ArParser, TarParser, archivePath */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(3916);
/**
 * Chosen files from a Debian package (.deb), read as a stream: an HTTP response body is unpacked
 * while it downloads, and the whole .deb is hashed on the way.
 *
 * A .deb is an `ar` archive (`debian-binary`, `control.tar.*`, `data.tar.*`). The bytes of
 * `data.tar.xz` go through a spawned `xz -dc` (no shell), `data.tar.gz` through node:zlib and a bare
 * `data.tar` straight on; the tar that comes out is parsed here (ustar, GNU and pax). Only the
 * members asked for are written; everything else is skipped as it passes, so memory stays flat.
 * Back-pressure holds all the way: a slow disk slows the download, never buffers it.
 *
 * Trust contract. The whole-file SHA-256 (`DebExtraction.sha256`) is known only once the stream
 * has ended, so nothing is written under a destination name before that: every file is written
 * as `<dest>.partial` and renamed to `<dest>` at the very end, after the hash has been computed
 * and, when `expectedSha256` is given, matched. So:
 * - with `expectedSha256` (and ideally `expectedSize`), files at the destinations are trustworthy
 *   when the promise resolves; on a mismatch nothing is left behind;
 * - without it, the caller must compare `sha256` with its pinned checksum before using the files,
 *   so it should extract into a private temporary directory and move the files into place only
 *   after that comparison.
 * On any failure every `.partial` (and any destination already renamed) is removed.
 *
 * Once every member asked for has been written, decompression stops (xz is killed: the rest of
 * data.tar is never decoded), but the rest of the .deb is still read to its end and hashed. xz
 * decoding is deterministic, so the members are exactly what a full decode yields; the integrity
 * of the package as a whole comes from the caller's pinned SHA-256, not from xz's CRCs. The first
 * tar entry of a path is the one taken.
 *
 * Links: a member asked for that is a symlink or hard link in the tar is followed to its target
 * inside the archive (relative to the link's directory for symlinks; chains are followed). That
 * works when the target comes later in the tar or is itself asked for. dpkg-deb puts symlinks
 * after all regular files, so a link to a file not asked for has already gone past: that fails,
 * naming the target to ask for instead (e.g. Debian's `./usr/bin/qemu-arm64 -> qemu-aarch64`).
 */




/** A .deb that cannot be read, is not what was expected, or lacks a member asked for. */
class DebError extends Error {
    wrongFile;
    constructor(message, 
    /** Read whole, but of another size or SHA-256 than expected: the wrong file, not a fault. */
    wrongFile = false) {
        super(message.replace(/\s*\n\s*/g, ' ').trim());
        this.wrongFile = wrongFile;
        this.name = 'DebError';
    }
}
/** The stream is not the file expected (its size or SHA-256). */
class NotExpected extends Error {
}
/**
 * Reads a .deb from `source` to its end, writes the `data.tar` members named in `members` (tar
 * path, with or without a leading `./`, to destination file path; mode 0755) and returns the
 * whole-file hash and the files written. See the module comment for when the files can be
 * trusted. Rejects with a one-line DebError on a truncated or corrupt package, a failing xz, a
 * bad tar header, or members missing (all named). `source` is read with back-pressure; on failure
 * it is destroyed when it is a stream.
 */
async function extractDeb(source, members, options = {}) {
    const label = options.label ?? 'the .deb';
    let job;
    try {
        job = new Extraction(members, options, source);
        return await job.run();
    }
    catch (error) {
        // A failure found while reading destroys the source; what it then throws is an echo.
        const reason = job?.failure ?? error;
        await job?.cleanUp();
        if (isStream(source))
            source.destroy();
        throw new DebError(`${label}: ${messageOf(reason)}`, reason instanceof NotExpected);
    }
}
/** An error's message on one line; errors from other realms (jest's VM) count too. */
function messageOf(error) {
    const message = error?.message;
    return typeof message === 'string' ? (0,_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .describe */ .q0)(message) : (0,_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .describe */ .q0)(error);
}
function isStream(value) {
    return typeof value.destroy === 'function';
}
const AR_MAGIC = '!<arch>\n';
const AR_HEADER = 60;
/**
 * A streaming parser of System V / GNU `ar` archives as dpkg writes them: member names of up to
 * 16 characters (space-padded, an optional trailing `/`), 2-byte alignment. Long-name tables and
 * BSD `#1/` names, which .debs never use, are refused. `write` returns the events for one chunk;
 * data events are views into the chunk, not copies.
 */
class ArParser {
    state = 'magic';
    head = Buffer.alloc(AR_HEADER);
    fill = 0;
    position = 0;
    remaining = 0;
    member = { name: '', size: 0 };
    write(chunk) {
        const events = [];
        let i = 0;
        while (i < chunk.length) {
            if (this.state === 'data') {
                const n = Math.min(this.remaining, chunk.length - i);
                events.push({ type: 'data', data: chunk.subarray(i, i + n) });
                i += n;
                this.remaining -= n;
                if (this.remaining === 0)
                    this.endMember(events);
            }
            else if (this.state === 'pad') {
                i += 1;
                this.state = 'header';
            }
            else {
                const want = this.state === 'magic' ? AR_MAGIC.length : AR_HEADER;
                const n = Math.min(want - this.fill, chunk.length - i);
                chunk.copy(this.head, this.fill, i, i + n);
                this.fill += n;
                i += n;
                if (this.fill < want)
                    continue;
                this.fill = 0;
                if (this.state === 'magic') {
                    if (this.head.toString('latin1', 0, 8) !== AR_MAGIC)
                        throw new Error('not a Debian package: it does not start with the ar signature !<arch>');
                    this.state = 'header';
                }
                else {
                    this.member = this.parseHeader(this.position + i - AR_HEADER);
                    events.push({ type: 'member', ...this.member });
                    this.remaining = this.member.size;
                    this.state = 'data';
                    if (this.remaining === 0)
                        this.endMember(events);
                }
            }
        }
        this.position += chunk.length;
        return events;
    }
    /** Call at the end of the input: throws unless it ended between members. */
    end() {
        // A missing final padding byte is tolerated, as by GNU ar.
        if ((this.state === 'header' && this.fill === 0) || this.state === 'pad')
            return;
        if (this.state === 'magic')
            throw new Error(`truncated: it ends after ${this.fill} bytes, inside the ar signature`);
        if (this.state === 'header')
            throw new Error(`truncated: it ends inside an ar member header at byte ${this.position}`);
        const { name, size } = this.member;
        throw new Error(`truncated: it ends inside member ${name} (${size - this.remaining} of ${size} bytes)`);
    }
    endMember(events) {
        events.push({ type: 'member-end', name: this.member.name });
        this.state = this.member.size % 2 === 1 ? 'pad' : 'header';
    }
    parseHeader(offset) {
        const h = this.head;
        if (h.toString('latin1', 58, 60) !== '`\n')
            throw new Error(`corrupt ar member header at byte ${offset}`);
        const raw = h.toString('latin1', 0, 16).trimEnd();
        if (raw.startsWith('#1/'))
            throw new Error(`ar member at byte ${offset} has a BSD long name (${raw}), not used by .debs`);
        if (raw.startsWith('/') || raw === '')
            throw new Error(`ar member at byte ${offset} is a GNU symbol or long-name table or reference (${raw || 'empty name'}), not used by .debs`);
        const name = raw.endsWith('/') ? raw.slice(0, -1) : raw;
        const sizeField = h.toString('latin1', 48, 58).trim();
        if (!/^\d+$/.test(sizeField))
            throw new Error(`ar member ${name} has a bad size field "${sizeField}"`);
        return { name, size: Number(sizeField) };
    }
}
const BLOCK = 512;
/** Largest GNU long name or pax header kept in memory. */
const MAX_META = 1 << 20;
/** Types that never have data blocks (POSIX): hard link, symlink, char, block, dir, FIFO. */
const NO_DATA = new Set(['1', '2', '3', '4', '5', '6']);
/**
 * A streaming tar parser: 512-byte headers with checksum verification, octal and base-256
 * numbers, GNU long names (L) and long link names (K), pax extended (x) and global (g) headers
 * (path, linkpath, size), and the end-of-archive zero block, after which input is ignored. An
 * input that ends at an entry boundary without the zero block is accepted, as by GNU tar.
 * `write` returns the events for one chunk; data events are views into the chunk.
 */
class TarParser {
    state = 'header';
    head = Buffer.alloc(BLOCK);
    fill = 0;
    position = 0;
    remaining = 0;
    padding = 0;
    entry;
    metaType = '';
    metaOffset = 0;
    metaBuffer = Buffer.alloc(0);
    local = {};
    global = {};
    write(chunk) {
        const events = [];
        let i = 0;
        while (i < chunk.length && this.state !== 'done') {
            switch (this.state) {
                case 'header': {
                    const n = Math.min(BLOCK - this.fill, chunk.length - i);
                    chunk.copy(this.head, this.fill, i, i + n);
                    this.fill += n;
                    i += n;
                    if (this.fill < BLOCK)
                        break;
                    this.fill = 0;
                    this.header(this.position + i - BLOCK, events);
                    break;
                }
                case 'data': {
                    const n = Math.min(this.remaining, chunk.length - i);
                    events.push({ type: 'data', data: chunk.subarray(i, i + n) });
                    i += n;
                    this.remaining -= n;
                    if (this.remaining === 0)
                        this.endEntry(events);
                    break;
                }
                case 'meta': {
                    const n = Math.min(this.remaining, chunk.length - i);
                    chunk.copy(this.metaBuffer, this.metaBuffer.length - this.remaining, i, i + n);
                    i += n;
                    this.remaining -= n;
                    if (this.remaining === 0)
                        this.endMeta();
                    break;
                }
                case 'pad': {
                    const n = Math.min(this.padding, chunk.length - i);
                    i += n;
                    this.padding -= n;
                    if (this.padding === 0)
                        this.state = 'header';
                    break;
                }
            }
        }
        this.position += chunk.length;
        return events;
    }
    /** Call at the end of the input: throws if it ended inside a header or an entry. */
    end() {
        if (this.state === 'done' || (this.state === 'header' && this.fill === 0))
            return;
        if (this.state === 'header')
            throw new Error(`tar archive ends inside a header at byte ${this.position - this.fill}`);
        const what = this.state === 'meta' ? `a type ${this.metaType} header` : (this.entry?.path ?? 'an entry');
        throw new Error(`tar archive ends inside ${what} at byte ${this.position}`);
    }
    header(offset, events) {
        const h = this.head;
        if (isZero(h)) {
            this.state = 'done';
            events.push({ type: 'end' });
            return;
        }
        verifyChecksum(h, offset);
        const flag = h[156] === 0 ? '0' : String.fromCharCode(h[156]);
        const size = readNumber(h, 124, 12, 'size', offset);
        if (flag === 'L' || flag === 'K' || flag === 'x' || flag === 'g') {
            if (size > MAX_META)
                throw new Error(`tar ${flag} header at byte ${offset} is too large (${size} bytes)`);
            this.metaType = flag;
            this.metaOffset = offset;
            this.metaBuffer = Buffer.alloc(size);
            this.remaining = size;
            this.padding = padOf(size);
            this.state = 'meta';
            if (size === 0)
                this.endMeta();
            return;
        }
        const meta = { ...this.global, ...this.local };
        this.local = {};
        let path = cString(h, 0, 100);
        if (h.toString('latin1', 257, 263) === 'ustar\0') {
            const prefix = cString(h, 345, 155);
            if (prefix)
                path = `${prefix}/${path}`;
        }
        const entry = {
            path: meta.path ?? path,
            type: typeOf(flag),
            typeflag: flag,
            size: NO_DATA.has(flag) ? 0 : (meta.size ?? size),
            mode: readNumber(h, 100, 8, 'mode', offset),
            linkpath: meta.linkpath ?? cString(h, 157, 100),
            sparse: flag === 'S' || meta.sparse === true,
            offset
        };
        this.entry = entry;
        events.push({ type: 'entry', entry });
        this.remaining = entry.size;
        this.padding = padOf(entry.size);
        this.state = 'data';
        if (entry.size === 0)
            this.endEntry(events);
    }
    endEntry(events) {
        events.push({ type: 'entry-end', entry: this.entry });
        this.state = this.padding > 0 ? 'pad' : 'header';
    }
    endMeta() {
        const data = this.metaBuffer;
        switch (this.metaType) {
            case 'L':
                this.local.path = cString(data, 0, data.length);
                break;
            case 'K':
                this.local.linkpath = cString(data, 0, data.length);
                break;
            case 'x':
                Object.assign(this.local, parsePax(data, this.metaOffset));
                break;
            default:
                Object.assign(this.global, parsePax(data, this.metaOffset));
        }
        this.metaBuffer = Buffer.alloc(0);
        this.state = this.padding > 0 ? 'pad' : 'header';
    }
}
function typeOf(flag) {
    switch (flag) {
        case '0':
        case '7':
        case 'S':
            return 'file';
        case '1':
            return 'hardlink';
        case '2':
            return 'symlink';
        case '5':
            return 'directory';
        default:
            return 'other';
    }
}
function padOf(size) {
    return (BLOCK - (size % BLOCK)) % BLOCK;
}
function isZero(block) {
    for (let i = 0; i < block.length; i++)
        if (block[i] !== 0)
            return false;
    return true;
}
function cString(buffer, start, length) {
    const end = buffer.indexOf(0, start);
    return buffer.toString('utf8', start, end === -1 || end > start + length ? start + length : end);
}
/** Both the unsigned sum and the historic signed one are accepted, as by GNU tar. */
function verifyChecksum(h, offset) {
    let unsigned = 0;
    let signed = 0;
    for (let i = 0; i < BLOCK; i++) {
        const b = i >= 148 && i < 156 ? 0x20 : h[i];
        unsigned += b;
        signed += b >= 0x80 ? b - 0x100 : b;
    }
    let stored;
    try {
        stored = readNumber(h, 148, 8, 'checksum', offset);
    }
    catch {
        stored = -1;
    }
    if (stored !== unsigned && stored !== signed)
        throw new Error(`tar header at byte ${offset} has a bad checksum (stored ${JSON.stringify(h.toString('latin1', 148, 156))}, computed ${unsigned.toString(8)}): the archive is corrupt`);
}
/** An octal field (space- or NUL-terminated) or, with the high bit of its first byte set, GNU base-256. */
function readNumber(h, start, length, field, offset) {
    const end = start + length;
    if (h[start] & 0x80) {
        if (h[start] & 0x40)
            throw new Error(`tar header at byte ${offset} has a negative ${field} (base-256)`);
        let value = BigInt(h[start] & 0x3f);
        for (let i = start + 1; i < end; i++)
            value = (value << 8n) | BigInt(h[i]);
        if (value > BigInt(Number.MAX_SAFE_INTEGER))
            throw new Error(`tar header at byte ${offset} has a ${field} too large to handle`);
        return Number(value);
    }
    let i = start;
    while (i < end && h[i] === 0x20)
        i++;
    let value = 0;
    for (; i < end && h[i] >= 0x30 && h[i] <= 0x37; i++)
        value = value * 8 + h[i] - 0x30;
    if (i < end && h[i] !== 0 && h[i] !== 0x20)
        throw new Error(`tar header at byte ${offset} has a bad ${field} field ${JSON.stringify(h.toString('latin1', start, end))}`);
    return value;
}
/** pax records: `<length> <key>=<value>\n`, length counting the whole record in bytes. */
function parsePax(data, offset) {
    const meta = {};
    const bad = () => new Error(`tar pax header at byte ${offset} has a malformed record`);
    let i = 0;
    while (i < data.length && data[i] !== 0) {
        const space = data.indexOf(0x20, i);
        const digits = space === -1 ? '' : data.toString('latin1', i, space);
        if (!/^\d+$/.test(digits))
            throw bad();
        const end = i + Number(digits);
        if (end > data.length || end <= space + 1 || data[end - 1] !== 0x0a)
            throw bad();
        const record = data.toString('utf8', space + 1, end - 1);
        const eq = record.indexOf('=');
        if (eq < 1)
            throw bad();
        const key = record.slice(0, eq);
        const value = record.slice(eq + 1);
        if (key === 'path')
            meta.path = value || undefined;
        else if (key === 'linkpath')
            meta.linkpath = value || undefined;
        else if (key === 'size') {
            if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)))
                throw new Error(`tar pax header at byte ${offset} has a bad size "${value}"`);
            meta.size = Number(value);
        }
        else if (key.startsWith('GNU.sparse.'))
            meta.sparse = true;
        i = end;
    }
    return meta;
}
/** A tar or member path compared without a leading `./` or `/`, trailing `/`, or `a/../`. */
function archivePath(path) {
    const normal = node_path__WEBPACK_IMPORTED_MODULE_2__.posix.normalize(path.replace(/^\/+/, '')).replace(/\/+$/, '');
    return normal === '.' ? '' : normal;
}
async function decompressor(member, options) {
    if (member === 'data.tar.xz')
        return xzDecompressor(options);
    if (member === 'data.tar.gz') {
        const { createGunzip } = await Promise.resolve(/* import() */).then(__webpack_require__.t.bind(__webpack_require__, 8522, 23));
        return transformDecompressor(createGunzip(), 'its gzip data is corrupt');
    }
    if (member === 'data.tar') {
        const { PassThrough } = await Promise.resolve(/* import() */).then(__webpack_require__.t.bind(__webpack_require__, 7075, 23));
        return transformDecompressor(new PassThrough(), 'unreadable');
    }
    throw new Error(`its ${member} is compressed in a way this action cannot unpack (it reads data.tar.xz, data.tar.gz and data.tar)`);
}
function transformDecompressor(stream, problem) {
    const d = {
        input: stream,
        output: stream,
        finished: new Promise((resolve, reject) => {
            stream.on('end', resolve);
            stream.on('error', error => {
                d.error = new Error(`${problem}: ${error.message}`);
                reject(d.error);
            });
            stream.on('close', () => reject(new Error('stopped')));
        }),
        stop: () => stream.destroy()
    };
    d.finished.catch(() => undefined);
    return d;
}
async function xzDecompressor(options) {
    const { spawn } = await Promise.resolve(/* import() */).then(__webpack_require__.t.bind(__webpack_require__, 1421, 23));
    const xz = options.xz ?? 'xz';
    const child = spawn(xz, ['-dc', `-T${options.xzThreads ?? 0}`], {
        stdio: ['pipe', 'pipe', 'pipe']
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text) => {
        stderr = (stderr + text).slice(-4096);
    });
    // EPIPE when xz has exited: its exit status says why.
    child.stdin.on('error', () => undefined);
    const d = {
        input: child.stdin,
        output: child.stdout,
        finished: new Promise((resolve, reject) => {
            child.on('error', error => {
                d.error = new Error(`cannot run ${xz} to unpack its data.tar.xz: ${messageOf(error)}. Install xz-utils`);
                reject(d.error);
            });
            child.on('close', (code, signal) => {
                if (code === 0)
                    return resolve();
                const last = stderr.trim().split('\n').pop()?.trim();
                d.error ??= new Error(`${xz} -dc failed on its data.tar.xz (${code === null ? `signal ${signal}` : `exit code ${code}`})${last ? `: ${last}` : ''}`);
                reject(d.error);
            });
        }),
        stop: () => {
            child.stdin.destroy();
            child.stdout.destroy();
            child.kill();
        }
    };
    d.finished.catch(() => undefined);
    return d;
}
/** Link chains longer than this are taken to be loops. */
const MAX_LINKS = 32;
class Extraction {
    options;
    source;
    hash = (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256');
    size = 0;
    outputs = [];
    /** Archive path to the outputs waiting for its bytes. */
    waiting = new Map();
    /** Outputs receiving the current entry's data. */
    current = [];
    /** Archive paths of files written, to copy from when a link to them is asked for. */
    written = new Map();
    /** Every archive path seen; links with their resolved target (undefined: out of the archive). */
    seen = new Map();
    left;
    decomp;
    dataMember = '';
    consumer;
    failure;
    stopped = false;
    wake;
    renamed = [];
    constructor(members, options, source) {
        this.options = options;
        this.source = source;
        const dests = new Set();
        for (const [key, dest] of members) {
            const path = archivePath(key);
            if (!path)
                throw new Error(`"${key}" is not a member path`);
            if (dests.has(dest))
                throw new Error(`two members are to be written to ${dest}`);
            dests.add(dest);
            const output = {
                key,
                dest,
                partial: `${dest}.partial`,
                via: [],
                hash: (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256'),
                size: 0
            };
            this.outputs.push(output);
            this.waiting.set(path, [...(this.waiting.get(path) ?? []), output]);
        }
        this.left = this.outputs.length;
    }
    async run() {
        const ar = new ArParser();
        const { expectedSize } = this.options;
        let first = true;
        let member = '';
        let version = '';
        for await (const bytes of this.source) {
            if (this.failure)
                throw this.failure;
            const chunk = Buffer.isBuffer(bytes)
                ? bytes
                : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
            this.hash.update(chunk);
            this.size += chunk.length;
            if (expectedSize !== undefined && this.size > expectedSize)
                throw new NotExpected(`it is larger than the expected ${expectedSize} bytes`);
            if (this.options.maxSize !== undefined && this.size > this.options.maxSize)
                throw new NotExpected(`it is larger than ${this.options.maxSize} bytes, the most read`);
            for (const event of ar.write(chunk)) {
                if (event.type === 'member') {
                    member = event.name;
                    if (first && member !== 'debian-binary')
                        throw new Error(`not a Debian package: its first member is ${member}`);
                    first = false;
                    if (member === 'data.tar' || member.startsWith('data.tar.'))
                        await this.start(member);
                }
                else if (event.type === 'data') {
                    if (member === this.dataMember)
                        await this.feed(event.data);
                    else if (member === 'debian-binary' && version.length < 16)
                        version += event.data.toString('latin1');
                }
                else if (member === 'debian-binary') {
                    if (!/^2\.\d+\n/.test(version))
                        throw new Error(`not a Debian package of format 2.x: debian-binary says ${JSON.stringify(version.slice(0, 16))}`);
                }
                else if (member === this.dataMember) {
                    if (!this.stopped)
                        this.decomp.input.end();
                }
            }
        }
        ar.end();
        if (!this.consumer)
            throw new Error('it has no data.tar member');
        await this.consumer;
        if (this.failure)
            throw this.failure;
        const sha256 = this.hash.digest('hex');
        if (expectedSize !== undefined && this.size !== expectedSize)
            throw new NotExpected(`it is ${this.size} bytes, expected ${expectedSize}`);
        const expected = this.options.expectedSha256?.toLowerCase();
        if (expected !== undefined && sha256 !== expected)
            throw new NotExpected(`it has SHA-256 ${sha256}, expected ${expected}`);
        const files = new Map();
        for (const output of this.outputs) {
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rename)(output.partial, output.dest);
            this.renamed.push(output.dest);
            files.set(output.key, { path: output.dest, sha256: output.sha256, size: output.size });
        }
        return { sha256, size: this.size, files };
    }
    async start(member) {
        if (this.decomp)
            throw new Error(`it has two data members, ${this.dataMember} and ${member}`);
        this.dataMember = member;
        const decomp = await decompressor(member, this.options);
        this.decomp = decomp;
        decomp.input.on('drain', () => this.wakeUp());
        decomp.input.on('error', () => this.wakeUp());
        decomp.input.on('close', () => this.wakeUp());
        this.consumer = this.consume(decomp).catch(error => this.fail(error));
    }
    /** Writes data.tar bytes to the decompressor, waiting while it is full. */
    async feed(data) {
        const input = this.decomp.input;
        if (this.stopped || input.destroyed)
            return;
        if (input.write(data))
            return;
        await new Promise(resolve => {
            this.wake = resolve;
        });
        this.wake = undefined;
        if (this.failure)
            throw this.failure;
    }
    wakeUp() {
        this.wake?.();
    }
    fail(error) {
        if (this.failure)
            return;
        this.failure = error instanceof Error ? error : new Error(messageOf(error));
        this.halt();
        this.wakeUp();
        // Stop downloading now rather than when the next chunk arrives.
        if (isStream(this.source))
            this.source.destroy();
    }
    /** Stops decompressing: on success once everything asked for is written, or on failure. */
    halt() {
        if (this.stopped)
            return;
        this.stopped = true;
        this.decomp?.stop();
        this.wakeUp();
    }
    async consume(decomp) {
        const tar = new TarParser();
        let ended = false;
        try {
            read: for await (const chunk of decomp.output) {
                for (const event of tar.write(chunk)) {
                    if (this.failure)
                        break read;
                    if (event.type === 'end')
                        ended = true;
                    else
                        await this.handle(event);
                    if (this.left === 0 || ended)
                        break read;
                }
            }
        }
        catch (error) {
            throw decomp.error ?? error;
        }
        if (this.failure)
            return;
        if (this.left === 0 || ended)
            this.halt();
        else {
            await decomp.finished;
            tar.end();
        }
        if (this.left > 0)
            throw new Error(`its ${this.dataMember} has no ${this.missing()}`);
    }
    missing() {
        const names = [];
        for (const output of this.outputs) {
            if (output.sha256 !== undefined)
                continue;
            names.push(output.via.length ? `${output.key} (${output.via.join(', ')})` : output.key);
        }
        return names.join(', ');
    }
    async handle(event) {
        if (event.type === 'data') {
            for (const output of this.current) {
                output.hash.update(event.data);
                output.size += event.data.length;
                await writeAll(output.handle, event.data);
            }
            return;
        }
        const { entry } = event;
        const path = archivePath(entry.path);
        if (event.type === 'entry-end') {
            for (const output of this.current)
                await this.finish(output);
            if (this.current.length)
                this.written.set(path, this.current[0]);
            this.current = [];
            return;
        }
        if (this.seen.has(path))
            return;
        const link = entry.type === 'symlink' || entry.type === 'hardlink';
        this.seen.set(path, { link, target: link ? linkTarget(path, entry) : undefined, entry });
        const waiters = this.waiting.get(path);
        if (!waiters)
            return;
        this.waiting.delete(path);
        if (link)
            return this.redirect(waiters, path);
        if (entry.type !== 'file')
            throw new Error(`${entry.path} in its ${this.dataMember} is a ${kind(entry)}, not a file`);
        if (entry.sparse)
            throw new Error(`${entry.path} in its ${this.dataMember} is a sparse file, not supported`);
        for (const output of waiters) {
            const limit = this.options.limits?.get(output.key);
            if (limit !== undefined && entry.size > limit) {
                throw new NotExpected(`${entry.path} in its ${this.dataMember} is ${entry.size} bytes, more than the ${limit} expected`);
            }
        }
        for (const output of waiters) {
            output.handle = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.open)(output.partial, 'w', 0o755);
            await output.handle.chmod(0o755);
        }
        this.current = waiters;
    }
    /** Points outputs that asked for a link (at `path`) at the file it leads to. */
    async redirect(waiters, path) {
        for (let hops = 0; hops < MAX_LINKS; hops++) {
            const { entry, target } = this.seen.get(path);
            for (const output of waiters)
                output.via.push(`a ${entry.type} to ${entry.linkpath}`);
            if (target === undefined)
                throw new Error(`${entry.path} is a ${entry.type} that points outside the archive`);
            const file = this.written.get(target);
            if (file) {
                for (const output of waiters) {
                    await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.copyFile)(file.partial, output.partial);
                    output.size = file.size;
                    output.sha256 = file.sha256;
                    this.left--;
                }
                return;
            }
            const seen = this.seen.get(target);
            if (!seen) {
                this.waiting.set(target, [...(this.waiting.get(target) ?? []), ...waiters]);
                return;
            }
            if (!seen.link) {
                const keys = waiters.map(output => output.key).join(', ');
                throw new Error(`${keys} is ${waiters[0].via.join(', ')}, which came earlier in its ${this.dataMember} and was not asked for: ask for ./${target}`);
            }
            path = target;
        }
        throw new Error(`${waiters[0].key} is a link in a loop of links`);
    }
    async finish(output) {
        await output.handle.close();
        output.handle = undefined;
        output.sha256 = output.hash.digest('hex');
        this.left--;
    }
    /** After a failure: no more writes, nothing left on disk. */
    async cleanUp() {
        this.fail(new Error('stopped'));
        await this.consumer;
        for (const output of this.outputs) {
            await output.handle?.close().catch(() => undefined);
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rm)(output.partial, { force: true });
        }
        for (const path of this.renamed)
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rm)(path, { force: true });
    }
}
/** The archive path a link leads to; undefined when it leads out of the archive. */
function linkTarget(path, entry) {
    const target = entry.type === 'hardlink' || entry.linkpath.startsWith('/')
        ? archivePath(entry.linkpath)
        : archivePath(node_path__WEBPACK_IMPORTED_MODULE_2__.posix.join(node_path__WEBPACK_IMPORTED_MODULE_2__.posix.dirname(path), entry.linkpath));
    return target === '' || target === '..' || target.startsWith('../') ? undefined : target;
}
function kind(entry) {
    return entry.type === 'other' ? `special file (tar type ${entry.typeflag})` : entry.type;
}
async function writeAll(handle, data) {
    for (let done = 0; done < data.length;) {
        const { bytesWritten } = await handle.write(data, done, data.length - done);
        done += bytesWritten;
    }
}


/***/ })

};

//# sourceMappingURL=683.index.js.map