/*
 * binfmt -- stand-in for tonistiigi/binfmt's registrar (cmd/binfmt), for the
 * end-to-end bench, which cannot pull the real image.  It follows the real
 * tool's command line, log lines, JSON output and exit status; see README.md
 * for the contract and for where it deliberately differs.
 *
 * The magic/mask table is not compiled in: it is read at run time from
 * $BINFMT_TABLE (default /usr/share/binfmt-standin/table), one platform per
 * line: "<platform-arch> <cpu> <magic> <mask>", magic and mask as the \xHH
 * text written to the register file.
 *
 * Build: see build.sh (gcc -static -O2 -Wall -Wextra -Werror).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#ifndef STANDIN_REVISION
#define STANDIN_REVISION "standin"
#endif

#define DEFAULT_MOUNT "/proc/sys/fs/binfmt_misc"
#define DEFAULT_TABLE "/usr/share/binfmt-standin/table"
#define DEFAULT_BINARY_PATH "/usr/bin"
/* binfmt_misc matches at most BINPRM_BUF_SIZE bytes of a file's head. */
#define MAX_MAGIC 256

/* ------------------------------------------------------------------ */
/* Small helpers                                                      */
/* ------------------------------------------------------------------ */

static void oom(void) __attribute__((noreturn));
static void oom(void)
{
	static const char msg[] = "fatal error: out of memory\n";
	if (write(2, msg, sizeof msg - 1) < 0) { /* nothing left to do */ }
	_exit(2);
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(xmalloc(n), s, n);
}

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		oom();
	va_end(ap);
	return s;
}

struct strlist {
	char **v;
	size_t n, cap;
};

static void strlist_push(struct strlist *l, char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n++] = s;
}

static bool strlist_has(const struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return true;
	return false;
}

/* Go's strings.Split(s, ","): every piece, empty ones included. */
static struct strlist split_commas(const char *s)
{
	struct strlist out = {0};
	const char *start = s;
	for (;;) {
		const char *comma = strchr(start, ',');
		size_t len = comma ? (size_t)(comma - start) : strlen(start);
		char *piece = xmalloc(len + 1);
		memcpy(piece, start, len);
		piece[len] = '\0';
		strlist_push(&out, piece);
		if (!comma)
			break;
		start = comma + 1;
	}
	return out;
}

/*
 * Go prints an errno as syscall.Errno.Error(): glibc's strerror text with a
 * lower-case first letter ("no such file or directory").
 */
static char *errtext(int e)
{
	char *s = xstrdup(strerror(e));
	if (s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'a' && s[1] <= 'z')
		s[0] = (char)(s[0] - 'A' + 'a');
	return s;
}

/* Go's log.Printf with log.SetFlags(0): the message plus a newline, in one write to stderr. */
static void log_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void log_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		oom();
	va_end(ap);
	size_t n = strlen(s);
	if (n == 0 || s[n - 1] != '\n') {
		s = xrealloc(s, n + 2);
		s[n++] = '\n';
		s[n] = '\0';
	}
	for (size_t off = 0; off < n;) {
		ssize_t w = write(2, s + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	free(s);
}

/* Go's strconv.Quote for the ASCII range (what %q prints for a path). */
static char *go_quote(const char *s)
{
	size_t cap = 4 * strlen(s) + 3, n = 0;
	char *out = xmalloc(cap);
	out[n++] = '"';
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned char c = *p;
		const char *esc = NULL;
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\a': esc = "\\a"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		case '\v': esc = "\\v"; break;
		}
		if (esc) {
			memcpy(out + n, esc, 2);
			n += 2;
		} else if (c < 0x20 || c == 0x7f) {
			n += (size_t)sprintf(out + n, "\\x%02x", c);
		} else {
			out[n++] = (char)c;
		}
	}
	out[n++] = '"';
	out[n] = '\0';
	return out;
}

/* Go's path/filepath.Clean on Unix. */
static char *path_clean(const char *path)
{
	size_t n = strlen(path);
	if (n == 0)
		return xstrdup(".");
	bool rooted = path[0] == '/';
	char *out = xmalloc(n + 2);
	size_t w = 0, r = 0, dotdot = 0;
	if (rooted) {
		out[w++] = '/';
		r = 1;
		dotdot = 1;
	}
	while (r < n) {
		if (path[r] == '/') {
			r++;
		} else if (path[r] == '.' && (r + 1 == n || path[r + 1] == '/')) {
			r++;
		} else if (path[r] == '.' && path[r + 1] == '.' && (r + 2 == n || path[r + 2] == '/')) {
			r += 2;
			if (w > dotdot) {
				w--;
				while (w > dotdot && out[w] != '/')
					w--;
			} else if (!rooted) {
				if (w > 0)
					out[w++] = '/';
				out[w++] = '.';
				out[w++] = '.';
				dotdot = w;
			}
		} else {
			if ((rooted && w != 1) || (!rooted && w != 0))
				out[w++] = '/';
			for (; r < n && path[r] != '/'; r++)
				out[w++] = path[r];
		}
	}
	if (w == 0)
		out[w++] = '.';
	out[w] = '\0';
	return out;
}

/* Go's filepath.Join(a, b). */
static char *path_join(const char *a, const char *b)
{
	if (!*a && !*b)
		return xstrdup("");
	if (!*a)
		return path_clean(b);
	if (!*b)
		return path_clean(a);
	char *j = xasprintf("%s/%s", a, b);
	char *c = path_clean(j);
	free(j);
	return c;
}

/* Go's filepath.Base. */
static char *path_base(const char *p)
{
	size_t n = strlen(p);
	if (n == 0)
		return xstrdup(".");
	while (n > 0 && p[n - 1] == '/')
		n--;
	if (n == 0)
		return xstrdup("/");
	size_t start = n;
	while (start > 0 && p[start - 1] != '/')
		start--;
	char *out = xmalloc(n - start + 1);
	memcpy(out, p + start, n - start);
	out[n - start] = '\0';
	return out;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t ns = strlen(s), nx = strlen(suffix);
	return ns >= nx && memcmp(s + ns - nx, suffix, nx) == 0;
}

static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);
	return v && *v ? v : fallback;
}

/* os.ReadDir: the names in dir, without . and .., sorted bytewise. */
static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int read_dir_sorted(const char *dir, struct strlist *out)
{
	DIR *d = opendir(dir);
	if (!d)
		return errno;
	struct dirent *de;
	errno = 0;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		strlist_push(out, xstrdup(de->d_name));
	}
	closedir(d);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof *out->v, cmp_names);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Platforms (containerd/platforms.Parse, as the real tool uses it)    */
/* ------------------------------------------------------------------ */

static const char *host_arch;    /* GOARCH-style name of this host: amd64, arm64, ... */
static const char *host_variant; /* "" or e.g. "v7" */

static void detect_host(void)
{
	struct utsname u;
	host_arch = "unknown";
	host_variant = "";
	if (uname(&u) != 0)
		return;
	const char *m = u.machine;
	if (strcmp(m, "x86_64") == 0 || strcmp(m, "amd64") == 0)
		host_arch = "amd64";
	else if (strcmp(m, "aarch64") == 0 || strcmp(m, "arm64") == 0)
		host_arch = "arm64";
	else if (strcmp(m, "armv7l") == 0 || strcmp(m, "armv8l") == 0)
		host_arch = "arm", host_variant = "v7";
	else if (strcmp(m, "armv6l") == 0)
		host_arch = "arm", host_variant = "v6";
	else if (strcmp(m, "i386") == 0 || strcmp(m, "i486") == 0 || strcmp(m, "i586") == 0 ||
		 strcmp(m, "i686") == 0)
		host_arch = "386";
	else if (strcmp(m, "riscv64") == 0)
		host_arch = "riscv64";
	else if (strcmp(m, "ppc64le") == 0)
		host_arch = "ppc64le";
	else if (strcmp(m, "ppc64") == 0)
		host_arch = "ppc64";
	else if (strcmp(m, "s390x") == 0)
		host_arch = "s390x";
	else if (strcmp(m, "loongarch64") == 0)
		host_arch = "loong64";
	else if (strcmp(m, "mips64") == 0)
		host_arch = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? "mips64le" : "mips64";
	else
		host_arch = xstrdup(m);
}

static bool is_known_os(const char *os)
{
	static const char *const known[] = {
		"aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos", "ios", "js",
		"linux", "nacl", "netbsd", "openbsd", "plan9", "solaris", "windows", "zos", NULL};
	for (size_t i = 0; known[i]; i++)
		if (strcmp(os, known[i]) == 0)
			return true;
	return false;
}

static bool is_known_arch(const char *arch)
{
	static const char *const known[] = {
		"386", "amd64", "amd64p32", "arm", "armbe", "arm64", "arm64be", "ppc64", "ppc64le",
		"loong64", "mips", "mipsle", "mips64", "mips64le", "mips64p32", "mips64p32le", "ppc",
		"riscv", "riscv64", "s390", "s390x", "sparc", "sparc64", "wasm", NULL};
	for (size_t i = 0; known[i]; i++)
		if (strcmp(arch, known[i]) == 0)
			return true;
	return false;
}

static char *lower(const char *s)
{
	char *o = xstrdup(s);
	for (char *p = o; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return o;
}

/* containerd/platforms normalizeArch. */
static void normalize_arch(const char *in_arch, const char *in_variant, char **arch, char **variant)
{
	char *a = lower(in_arch), *v = lower(in_variant);
	if (strcmp(a, "i386") == 0) {
		free(a);
		a = xstrdup("386");
		v[0] = '\0';
	} else if (strcmp(a, "x86_64") == 0 || strcmp(a, "x86-64") == 0 || strcmp(a, "amd64") == 0) {
		free(a);
		a = xstrdup("amd64");
		if (strcmp(v, "v1") == 0)
			v[0] = '\0';
	} else if (strcmp(a, "aarch64") == 0 || strcmp(a, "arm64") == 0) {
		free(a);
		a = xstrdup("arm64");
		if (strcmp(v, "8") == 0 || strcmp(v, "v8") == 0 || strcmp(v, "v8.0") == 0) {
			v[0] = '\0';
		} else if (strcmp(v, "9") == 0 || strcmp(v, "9.0") == 0 || strcmp(v, "v9.0") == 0) {
			free(v);
			v = xstrdup("v9");
		}
	} else if (strcmp(a, "armhf") == 0) {
		free(a);
		free(v);
		a = xstrdup("arm");
		v = xstrdup("v7");
	} else if (strcmp(a, "armel") == 0) {
		free(a);
		free(v);
		a = xstrdup("arm");
		v = xstrdup("v6");
	} else if (strcmp(a, "arm") == 0) {
		if (v[0] == '\0' || strcmp(v, "7") == 0) {
			free(v);
			v = xstrdup("v7");
		} else if (strcmp(v, "5") == 0 || strcmp(v, "6") == 0 || strcmp(v, "8") == 0) {
			char *nv = xasprintf("v%s", v);
			free(v);
			v = nv;
		}
	}
	*arch = a;
	*variant = v;
}

static bool all_chars_in(const char *s, size_t n, const char *extra)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!isalnum(c) && !strchr(extra, c))
			return false;
	}
	return true;
}

/*
 * containerd/platforms.Parse (v1.0.0-rc.2, which the real tool pins): on
 * success *arch is the normalized architecture.  Returns false where Parse
 * returns an error.
 */
static bool parse_platform(const char *spec, char **arch)
{
	if (strchr(spec, '*'))
		return false;
	/* strings.SplitN(spec, "/", 4) */
	const char *parts[4];
	size_t lens[4], nparts = 0;
	const char *start = spec;
	for (;;) {
		const char *slash = nparts < 3 ? strchr(start, '/') : NULL;
		parts[nparts] = start;
		lens[nparts] = slash ? (size_t)(slash - start) : strlen(start);
		nparts++;
		if (!slash)
			break;
		start = slash + 1;
	}

	/* First element: <os>[(<OSVersion>)], ^([A-Za-z0-9_-]+)(?:\(([A-Za-z0-9_.-]*)\))?$ */
	size_t oslen = 0;
	while (oslen < lens[0] && (isalnum((unsigned char)parts[0][oslen]) || parts[0][oslen] == '_' ||
				   parts[0][oslen] == '-'))
		oslen++;
	if (oslen == 0)
		return false;
	if (oslen < lens[0]) {
		if (parts[0][oslen] != '(' || parts[0][lens[0] - 1] != ')' || lens[0] - oslen < 2 ||
		    !all_chars_in(parts[0] + oslen + 1, lens[0] - oslen - 2, "_.-"))
			return false;
	}
	char *osname = xmalloc(oslen + 1);
	memcpy(osname, parts[0], oslen);
	osname[oslen] = '\0';
	char *os = lower(osname);
	free(osname);

	for (size_t i = 1; i < nparts; i++)
		if (lens[i] == 0 || !all_chars_in(parts[i], lens[i], "_.-")) {
			free(os);
			return false;
		}

	char *a = NULL, *v = NULL;
	bool ok = false;
	if (nparts == 1) {
		if (is_known_os(os)) {
			/* A bare OS name picks the host's own architecture (runtime.GOARCH). */
			*arch = xstrdup(host_arch);
			free(os);
			return true;
		}
		normalize_arch(spec, "", &a, &v);
		ok = is_known_arch(a);
	} else if (nparts == 2) {
		char *p1 = strndup(parts[1], lens[1]);
		normalize_arch(p1, "", &a, &v);
		free(p1);
		ok = true;
	} else if (nparts == 3) {
		char *p1 = strndup(parts[1], lens[1]), *p2 = strndup(parts[2], lens[2]);
		normalize_arch(p1, p2, &a, &v);
		free(p1);
		free(p2);
		ok = true;
	}
	free(os);
	free(v);
	if (ok)
		*arch = a;
	else
		free(a);
	return ok;
}

/* ------------------------------------------------------------------ */
/* The magic/mask table                                               */
/* ------------------------------------------------------------------ */

struct entry {
	char *arch;  /* platform architecture: arm64, arm, riscv64, ... */
	char *cpu;   /* emulator CPU: aarch64 -> entry and binary qemu-aarch64 */
	char *magic; /* \xHH text, as written to the register file */
	char *mask;
};

static struct entry *table;
static size_t ntable;

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The kernel's string_unescape(UNESCAPE_HEX): \x with one or two hex digits; anything else as is. */
static size_t unescape_hex(const char *s, unsigned char *out, size_t cap)
{
	size_t n = 0;
	while (*s && n < cap) {
		if (s[0] == '\\' && s[1] == 'x' && hexval((unsigned char)s[2]) >= 0) {
			int v = hexval((unsigned char)s[2]);
			s += 3;
			if (hexval((unsigned char)*s) >= 0)
				v = v * 16 + hexval((unsigned char)*s++);
			out[n++] = (unsigned char)v;
		} else {
			out[n++] = (unsigned char)*s++;
		}
	}
	return n;
}

static const struct entry *table_find(const char *arch)
{
	for (size_t i = 0; i < ntable; i++)
		if (strcmp(table[i].arch, arch) == 0)
			return &table[i];
	return NULL;
}

static bool valid_register_text(const char *s)
{
	/* Printable, no spaces, and never the ':' that separates the register line's fields. */
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f || *p == ':')
			return false;
	return *s != '\0';
}

static void load_table(void)
{
	const char *path = env_or("BINFMT_TABLE", DEFAULT_TABLE);
	FILE *f = fopen(path, "re");
	if (!f) {
		char *e = errtext(errno);
		log_printf("error: cannot read platform table: open %s: %s", path, e);
		free(e);
		return;
	}
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t len;
	while ((len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '#')
			continue;
		char *fields[5], *save = NULL;
		size_t nf = 0;
		for (char *tok = strtok_r(p, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
			if (nf == 5)
				break;
			fields[nf++] = tok;
		}
		if (nf != 4) {
			log_printf("error: %s:%zu: want \"<platform-arch> <cpu> <magic> <mask>\", ignoring the line",
			     path, lineno);
			continue;
		}
		char *arch = lower(fields[0]);
		if (!all_chars_in(arch, strlen(arch), "_.-") ||
		    !all_chars_in(fields[1], strlen(fields[1]), "_.-")) {
			log_printf("error: %s:%zu: bad platform or cpu name, ignoring the line", path, lineno);
			free(arch);
			continue;
		}
		unsigned char mg[MAX_MAGIC + 1], mk[MAX_MAGIC + 1];
		size_t nmg = 0, nmk = 0;
		if (valid_register_text(fields[2]) && valid_register_text(fields[3])) {
			nmg = unescape_hex(fields[2], mg, sizeof mg);
			nmk = unescape_hex(fields[3], mk, sizeof mk);
		}
		if (nmg == 0 || nmg > MAX_MAGIC || nmk != nmg) {
			log_printf("error: %s:%zu: magic and mask must be printable \\xHH text without ':' "
			     "and of the same decoded length (at most %d bytes), ignoring the line",
			     path, lineno, MAX_MAGIC);
			free(arch);
			continue;
		}
		if (table_find(arch)) {
			log_printf("error: %s:%zu: %s is listed twice, ignoring the later line", path, lineno, arch);
			free(arch);
			continue;
		}
		table = xrealloc(table, (ntable + 1) * sizeof *table);
		table[ntable++] = (struct entry){arch, xstrdup(fields[1]), xstrdup(fields[2]),
						 xstrdup(fields[3])};
	}
	free(line);
	fclose(f);
}

/*
 * Not in the real tool: a shared bench machine must never get an entry that
 * catches its own executables.  This program is such an executable, so test
 * the entry against its own ELF header (as ET_EXEC and as ET_DYN/PIE).
 */
static unsigned char self_head[MAX_MAGIC];
static size_t self_head_len;

static void read_self_head(void)
{
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t n = read(fd, self_head, sizeof self_head);
	close(fd);
	self_head_len = n > 0 ? (size_t)n : 0;
}

static bool matches_head(const unsigned char *head, size_t headlen, const struct entry *e)
{
	unsigned char mg[MAX_MAGIC + 1], mk[MAX_MAGIC + 1];
	size_t nmg = unescape_hex(e->magic, mg, sizeof mg);
	size_t nmk = unescape_hex(e->mask, mk, sizeof mk);
	if (nmg > headlen)
		return false;
	for (size_t i = 0; i < nmg; i++) {
		unsigned char m = i < nmk ? mk[i] : 0xff;
		if ((head[i] ^ mg[i]) & m)
			return false;
	}
	return true;
}

static bool catches_native(const struct entry *e)
{
	if (self_head_len < 18)
		return false;
	unsigned char head[MAX_MAGIC];
	memcpy(head, self_head, self_head_len);
	bool big = head[5] == 2; /* EI_DATA == ELFDATA2MSB */
	for (unsigned char type = 2; type <= 3; type++) { /* ET_EXEC, ET_DYN */
		head[16] = big ? 0 : type;
		head[17] = big ? type : 0;
		if (matches_head(head, self_head_len, e))
			return true;
	}
	return false;
}

/* ------------------------------------------------------------------ */
/* Options (Go's flag package)                                         */
/* ------------------------------------------------------------------ */

static const char *opt_mount = DEFAULT_MOUNT;
static const char *opt_install = "";
static const char *opt_uninstall = "";
static bool opt_version;

static void usage(const char *prog)
{
	fprintf(stderr,
		"Usage of %s:\n"
		"  -install string\n"
		"    \tarchitectures to install\n"
		"  -mount string\n"
		"    \tbinfmt_misc mount point (default \"%s\")\n"
		"  -uninstall string\n"
		"    \tarchitectures to uninstall\n"
		"  -version\n"
		"    \tdisplay version\n",
		prog, DEFAULT_MOUNT);
}

static void flag_fail(const char *prog, const char *msg)
{
	fprintf(stderr, "%s\n", msg);
	usage(prog);
	exit(2);
}

static void parse_flags(int argc, char **argv)
{
	const char *prog = argc > 0 ? argv[0] : "binfmt";
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (strlen(s) < 2 || s[0] != '-')
			return; /* first non-flag argument: Go stops here */
		size_t minuses = 1;
		if (s[1] == '-') {
			minuses = 2;
			if (s[2] == '\0')
				return; /* "--" ends the flags */
		}
		const char *name0 = s + minuses;
		if (name0[0] == '\0' || name0[0] == '-' || name0[0] == '=')
			flag_fail(prog, xasprintf("bad flag syntax: %s", s));
		char *name = xstrdup(name0);
		const char *value = NULL;
		char *eq = strchr(name + 1, '=');
		if (eq) {
			*eq = '\0';
			value = eq + 1;
		}
		const char **target = NULL;
		if (strcmp(name, "mount") == 0)
			target = &opt_mount;
		else if (strcmp(name, "install") == 0)
			target = &opt_install;
		else if (strcmp(name, "uninstall") == 0)
			target = &opt_uninstall;
		else if (strcmp(name, "version") == 0) {
			if (!value) {
				opt_version = true;
			} else if (!strcmp(value, "1") || !strcmp(value, "t") || !strcmp(value, "T") ||
				   !strcmp(value, "true") || !strcmp(value, "TRUE") ||
				   !strcmp(value, "True")) {
				opt_version = true;
			} else if (!strcmp(value, "0") || !strcmp(value, "f") || !strcmp(value, "F") ||
				   !strcmp(value, "false") || !strcmp(value, "FALSE") ||
				   !strcmp(value, "False")) {
				opt_version = false;
			} else {
				char *q = go_quote(value);
				flag_fail(prog, xasprintf("invalid boolean value %s for -%s: parse error", q,
							  name));
			}
			continue;
		} else if (strcmp(name, "help") == 0 || strcmp(name, "h") == 0) {
			usage(prog);
			exit(0);
		} else {
			flag_fail(prog, xasprintf("flag provided but not defined: -%s", name));
		}
		if (!value) {
			if (i + 1 >= argc)
				flag_fail(prog, xasprintf("flag needs an argument: -%s", name));
			value = argv[++i];
		}
		*target = value;
	}
}

/* ------------------------------------------------------------------ */
/* Uninstall                                                          */
/* ------------------------------------------------------------------ */

static struct strlist parse_uninstall(const char *in)
{
	struct strlist out = {0};
	if (!*in)
		return out;
	struct strlist items = split_commas(in);
	for (size_t i = 0; i < items.n; i++) {
		const char *v = items.v[i];
		char *arch = NULL;
		if (parse_platform(v, &arch)) {
			const struct entry *e = table_find(arch);
			if (e)
				v = e->cpu; /* TrimPrefix("qemu-<cpu>", "qemu-") */
			free(arch);
		}
		char *pattern = path_join(opt_mount, v);
		glob_t g;
		int rc = glob(pattern, GLOB_PERIOD, NULL, &g);
		if (rc != 0 || g.gl_pathc == 0) {
			strlist_push(&out, xstrdup(v));
		} else {
			for (size_t k = 0; k < g.gl_pathc; k++)
				strlist_push(&out, path_base(g.gl_pathv[k]));
		}
		if (rc == 0)
			globfree(&g);
		free(pattern);
	}
	return out;
}

/* Returns NULL on success, else the error text. */
static char *uninstall(const char *name)
{
	struct strlist names = {0};
	int err = read_dir_sorted(opt_mount, &names);
	if (err) {
		char *e = errtext(err);
		char *msg = xasprintf("open %s: %s", opt_mount, e);
		free(e);
		return msg;
	}
	char *suffix = xasprintf("-%s", name);
	for (size_t i = 0; i < names.n; i++) {
		const char *n = names.v[i];
		if (!strcmp(n, "register") || !strcmp(n, "status") || !strcmp(n, "WSLInterop"))
			continue;
		if (strcmp(n, name) != 0 && !has_suffix(n, suffix))
			continue;
		char *path = path_join(opt_mount, n);
		char *msg = NULL;
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0) {
			char *e = errtext(errno);
			msg = xasprintf("open %s: %s", path, e);
			free(e);
		} else {
			if (write(fd, "-1", 2) < 0) {
				char *e = errtext(errno);
				msg = xasprintf("write %s: %s", path, e);
				free(e);
			}
			if (close(fd) != 0 && !msg && errno != EINTR) {
				char *e = errtext(errno);
				msg = xasprintf("close %s: %s", path, e);
				free(e);
			}
		}
		free(path);
		free(suffix);
		return msg;
	}
	free(suffix);
	return xstrdup("not found");
}

/* ------------------------------------------------------------------ */
/* Install                                                            */
/* ------------------------------------------------------------------ */

/* getBinaryNames: basename "<prefix>qemu-<cpu>" and full path; NULL + *err on a bad prefix. */
static bool binary_names(const struct entry *e, char **base, char **full, char **err)
{
	const char *dir = env_or("QEMU_BINARY_PATH", DEFAULT_BINARY_PATH);
	const char *prefix = env_or("QEMU_BINARY_PREFIX", "");
	if (strchr(prefix, '/')) {
		*err = xstrdup("binary prefix must not contain path separator (Hint: set "
			       "$QEMU_BINARY_PATH to specify the directory)");
		return false;
	}
	*base = xasprintf("%sqemu-%s", prefix, e->cpu);
	*full = path_join(dir, *base);
	return true;
}

static bool emulator_present(const struct entry *e)
{
	char *base, *full, *err;
	if (!binary_names(e, &base, &full, &err)) {
		free(err);
		return false;
	}
	struct stat st;
	bool ok = stat(full, &st) == 0;
	free(base);
	free(full);
	return ok;
}

/* The CPU family this host runs without an emulator (the real tool finds out by running test binaries). */
static bool host_runs_natively(const char *arch)
{
	if (strcmp(arch, host_arch) == 0)
		return true;
	return strcmp(host_arch, "amd64") == 0 && strcmp(arch, "386") == 0;
}

/* A handler already in <mount>, as its entry file shows it (magic entries only). */
struct handler {
	size_t offset, size;
	unsigned char magic[MAX_MAGIC], mask[MAX_MAGIC];
};

static size_t hex_decode(const char *hex, unsigned char *out, size_t cap)
{
	size_t n = 0;
	while (n < cap && hexval((unsigned char)hex[0]) >= 0 && hexval((unsigned char)hex[1]) >= 0) {
		out[n++] = (unsigned char)(hexval((unsigned char)hex[0]) * 16 + hexval((unsigned char)hex[1]));
		hex += 2;
	}
	return n;
}

/* The enabled magic handlers in <mount> ("enabled", "offset N", "magic HEX", "mask HEX"). */
static struct handler *read_handlers(size_t *count)
{
	struct handler *hs = NULL;
	struct strlist names = {0};
	*count = 0;
	if (read_dir_sorted(opt_mount, &names) != 0)
		return NULL;
	for (size_t i = 0; i < names.n; i++) {
		const char *n = names.v[i];
		if (!strcmp(n, "register") || !strcmp(n, "status"))
			continue;
		char *path = path_join(opt_mount, n);
		FILE *f = fopen(path, "re");
		free(path);
		if (!f)
			continue;
		struct handler h;
		memset(&h, 0, sizeof h);
		memset(h.mask, 0xff, sizeof h.mask);
		bool enabled = false, magic = false;
		char *line = NULL;
		size_t cap = 0;
		while (getline(&line, &cap, f) >= 0) {
			line[strcspn(line, "\n")] = '\0';
			if (!strcmp(line, "enabled"))
				enabled = true;
			else if (!strncmp(line, "offset ", 7))
				h.offset = strtoul(line + 7, NULL, 10);
			else if (!strncmp(line, "magic ", 6)) {
				h.size = hex_decode(line + 6, h.magic, sizeof h.magic);
				magic = true;
			} else if (!strncmp(line, "mask ", 5))
				hex_decode(line + 5, h.mask, sizeof h.mask);
		}
		free(line);
		fclose(f);
		if (enabled && magic && h.size > 0) {
			hs = xrealloc(hs, (*count + 1) * sizeof *hs);
			hs[(*count)++] = h;
		}
	}
	return hs;
}

/*
 * Would a binary that starts with this table entry's magic already run, through a
 * handler in <mount>?  The real tool finds out by running a test binary.
 */
static bool handled(const struct entry *e, const struct handler *hs, size_t nhs)
{
	unsigned char head[MAX_MAGIC + 1];
	size_t len = unescape_hex(e->magic, head, sizeof head);
	for (size_t k = 0; k < nhs; k++) {
		const struct handler *h = &hs[k];
		if (h->offset + h->size > len)
			continue;
		bool match = true;
		for (size_t i = 0; i < h->size && match; i++)
			match = ((head[h->offset + i] ^ h->magic[i]) & h->mask[i]) == 0;
		if (match)
			return true;
	}
	return false;
}

static struct strlist install_list(const char *in)
{
	struct strlist out = {0};
	if (!*in)
		return out;
	if (strcmp(in, "all") == 0) {
		size_t nhs;
		struct handler *hs = read_handlers(&nhs);
		for (size_t i = 0; i < ntable; i++) {
			/* "all" leaves out what this host can already run: natively or through a handler. */
			if (host_runs_natively(table[i].arch) || handled(&table[i], hs, nhs))
				continue;
			char *base, *full, *err;
			if (!binary_names(&table[i], &base, &full, &err)) {
				free(err);
				strlist_push(&out, xstrdup(table[i].arch)); /* install() reports it */
				continue;
			}
			struct stat st;
			if (stat(full, &st) == 0)
				strlist_push(&out, xstrdup(table[i].arch));
			free(base);
			free(full);
		}
		free(hs);
		return out;
	}
	struct strlist items = split_commas(in);
	for (size_t i = 0; i < items.n; i++) {
		char *arch;
		if (parse_platform(items.v[i], &arch))
			strlist_push(&out, arch);
		else
			strlist_push(&out, xstrdup(items.v[i]));
	}
	return out;
}

/* Returns NULL on success, else the error text. */
static char *install(const char *arch)
{
	const struct entry *e = table_find(arch);
	if (!e)
		return xasprintf("unsupported architecture: %s", arch);
	if (catches_native(e) && !*env_or("BINFMT_STANDIN_ALLOW_NATIVE", ""))
		return xasprintf("refusing to register qemu-%s: its magic matches this host's own "
				 "executables (binfmt-standin safety check; "
				 "BINFMT_STANDIN_ALLOW_NATIVE=1 overrides)",
				 e->cpu);

	char *reg = path_join(opt_mount, "register");
	int fd = open(reg, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;
		char *msg;
		if (err == ENOENT) {
			msg = xasprintf("ENOENT opening %s is it mounted?", reg);
		} else if (err == EPERM) {
			msg = xasprintf("EPERM opening %s check permissions?", reg);
		} else {
			char *t = errtext(err);
			msg = xasprintf("Cannot open %s: open %s: %s", reg, reg, t);
			free(t);
		}
		free(reg);
		return msg;
	}

	const char *flags = *env_or("QEMU_PRESERVE_ARGV0", "") ? "CFP" : "CF";
	char *base, *full, *msg = NULL;
	if (!binary_names(e, &base, &full, &msg)) {
		close(fd);
		free(reg);
		return msg;
	}
	char *line = xasprintf(":%s:M:0:%s:%s:%s:%s", base, e->magic, e->mask, full, flags);
	size_t len = strlen(line);
	ssize_t w;
	do
		w = write(fd, line, len); /* one write: the kernel parses each write as a whole line */
	while (w < 0 && errno == EINTR);
	if (w < 0) {
		int err = errno;
		if (err == EEXIST) {
			msg = xasprintf("%s already registered", base);
		} else {
			char *q = go_quote(full), *t = errtext(err);
			msg = xasprintf("cannot register %s to %s: write %s: %s", q, reg, reg, t);
			free(q);
			free(t);
		}
	} else if ((size_t)w != len) {
		char *q = go_quote(full);
		msg = xasprintf("cannot register %s to %s: write %s: short write", q, reg, reg);
		free(q);
	}
	close(fd);
	free(line);
	free(base);
	free(full);
	free(reg);
	return msg;
}

/* ------------------------------------------------------------------ */
/* Status (JSON on stdout)                                            */
/* ------------------------------------------------------------------ */

/* A JSON string as Go's encoding/json writes it (HTML-safe escapes included). */
static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned char c = *p;
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\r')
			fputs("\\r", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20 || c == '<' || c == '>' || c == '&')
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void json_list(FILE *out, const char *key, const struct strlist *l, bool last)
{
	fprintf(out, "  \"%s\": ", key);
	if (!l) {
		fputs("null", out); /* a nil Go slice */
	} else if (l->n == 0) {
		fputs("[]", out);
	} else {
		fputs("[\n", out);
		for (size_t i = 0; i < l->n; i++) {
			fputs("    ", out);
			json_string(out, l->v[i]);
			fputs(i + 1 < l->n ? ",\n" : "\n", out);
		}
		fputs("  ]", out);
	}
	fputs(last ? "\n" : ",\n", out);
}

static char *platform_name(const char *arch, const char *variant)
{
	return *variant ? xasprintf("linux/%s/%s", arch, variant) : xasprintf("linux/%s", arch);
}

/*
 * archutil.SupportedPlatforms, approximated: the host's own platform first,
 * then, in buildkit's order, every table platform whose emulator file exists.
 */
static struct strlist supported_platforms(void)
{
	static const char *const order[] = {"amd64", "arm64",  "riscv64", "ppc64",   "ppc64le", "s390x",
					    "386",   "mips64le", "mips64", "loong64", "arm",     NULL};
	struct strlist out = {0};
	const char *native_variant = strcmp(host_arch, "arm") == 0 && !*host_variant ? "v7" : host_variant;
	strlist_push(&out, platform_name(host_arch, native_variant));

	bool *done = xmalloc(ntable ? ntable * sizeof *done : 1);
	for (size_t i = 0; i < ntable; i++)
		done[i] = false;
	for (size_t k = 0; order[k]; k++) {
		for (size_t i = 0; i < ntable; i++) {
			if (strcmp(table[i].arch, order[k]) != 0)
				continue;
			done[i] = true;
			if (strcmp(table[i].arch, host_arch) == 0 || !emulator_present(&table[i]))
				continue;
			if (strcmp(table[i].arch, "arm") == 0) {
				strlist_push(&out, xstrdup("linux/arm/v7"));
				strlist_push(&out, xstrdup("linux/arm/v6"));
			} else {
				strlist_push(&out, platform_name(table[i].arch, ""));
			}
		}
	}
	for (size_t i = 0; i < ntable; i++) {
		if (done[i] || strcmp(table[i].arch, host_arch) == 0 || !emulator_present(&table[i]))
			continue;
		char *p = platform_name(table[i].arch, "");
		if (strlist_has(&out, p))
			free(p);
		else
			strlist_push(&out, p);
	}
	free(done);
	return out;
}

/* Returns NULL on success, else the error text. */
static char *print_status(void)
{
	struct strlist names = {0};
	int err = read_dir_sorted(opt_mount, &names);
	if (err) {
		char *e = errtext(err);
		char *msg = xasprintf("open %s: %s", opt_mount, e);
		free(e);
		return msg;
	}
	struct strlist emulators = {0};
	for (size_t i = 0; i < names.n; i++) {
		const char *n = names.v[i];
		if (!strcmp(n, "register") || !strcmp(n, "status"))
			continue;
		char *path = path_join(opt_mount, n);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			char *e = errtext(errno);
			char *msg = xasprintf("open %s: %s", path, e);
			free(e);
			free(path);
			return msg;
		}
		char head[8];
		size_t got = 0;
		while (got < sizeof head) {
			ssize_t r = read(fd, head + got, sizeof head - got);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				char *e = errtext(errno);
				char *msg = xasprintf("read %s: %s", path, e);
				free(e);
				free(path);
				close(fd);
				return msg;
			}
			if (r == 0)
				break;
			got += (size_t)r;
		}
		close(fd);
		free(path);
		if (got >= 7 && memcmp(head, "enabled", 7) == 0)
			strlist_push(&emulators, xstrdup(n));
	}
	struct strlist supported = supported_platforms();
	fputs("{\n", stdout);
	json_list(stdout, "supported", &supported, false);
	json_list(stdout, "emulators", emulators.n ? &emulators : NULL, true);
	fputs("}\n", stdout);
	fflush(stdout);
	return NULL;
}

/* ------------------------------------------------------------------ */

int main(int argc, char **argv)
{
	parse_flags(argc, argv);
	detect_host();

	if (opt_version) {
		log_printf("binfmt/%s qemu/%s go/none", STANDIN_REVISION, env_or("QEMU_VERSION", "unknown"));
		return 0;
	}

	bool mounted = false;
	char *status = path_join(opt_mount, "status");
	struct stat st;
	if (stat(status, &st) != 0) {
		if (mount("binfmt_misc", opt_mount, "binfmt_misc", 0, "") != 0) {
			char *e = errtext(errno);
			log_printf("error: cannot mount binfmt_misc filesystem at %s: %s", opt_mount, e);
			return 0;
		}
		/* Like the real tool's deferred Unmount: on Linux 6.7+ this drops every handler registered here. */
		mounted = true;
	}
	free(status);

	load_table();
	read_self_head();

	struct strlist un = parse_uninstall(opt_uninstall);
	for (size_t i = 0; i < un.n; i++) {
		char *err = uninstall(un.v[i]);
		if (err)
			log_printf("uninstalling: %s %s", un.v[i], err);
		else
			log_printf("uninstalling: %s OK", un.v[i]);
		free(err);
	}

	struct strlist in = install_list(opt_install);
	if (in.n > 0)
		utimensat(AT_FDCWD, opt_mount, NULL, 0); /* best effort, as the real tool's Chtimes */
	for (size_t i = 0; i < in.n; i++) {
		char *err = install(in.v[i]);
		if (err)
			log_printf("installing: %s %s", in.v[i], err);
		else
			log_printf("installing: %s OK", in.v[i]);
		free(err);
	}

	char *err = print_status();
	if (mounted)
		umount2(opt_mount, 0);
	if (err)
		log_printf("error: %s", err);
	return 0;
}
